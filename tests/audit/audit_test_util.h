#pragma once
// Helpers shared by the audit tests: keyrings with known keys, events, and a chain sealed the way
// the store seals it (seq 1, 2, ... each linked to the previous hash).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audit/chain_sealer.h"
#include "core/encoding.h"
#include "crypto/keyring.h"
#include "store/records.h"
#include "support/temp_dir.h"

namespace keyrelay::audit::testing {

// 32 bytes of `byte`, base64.
inline std::string key_text(std::uint8_t byte) { return core::base64_encode(core::Bytes(32, byte)); }

// A one-version keyring (version 1, key bytes all `byte`), like KEYRELAY_MASTER_KEY.
inline std::shared_ptr<const crypto::Keyring> single_keyring(std::uint8_t byte = 0x11) {
  auto keyring = crypto::Keyring::from_master_key(key_text(byte));
  EXPECT_TRUE(keyring) << (keyring ? "" : keyring.error().message);
  return std::make_shared<const crypto::Keyring>(std::move(*keyring));
}

// A keyring file with versions 1..`versions` (key of version v = bytes all 0x10 + v) and `active`
// the sealing version; the others are in state "active" too (readable, not retired). A version
// can be left out with `skip`.
inline std::shared_ptr<const crypto::Keyring> keyring_with(std::uint32_t versions, std::uint32_t active,
                                                          std::uint32_t skip = 0) {
  std::string text = "active = " + std::to_string(active) + "\n";
  for (std::uint32_t v = 1; v <= versions; ++v) {
    if (v == skip) continue;
    text += "[[keys]]\nversion = " + std::to_string(v) + "\nkey = \"" +
            key_text(static_cast<std::uint8_t>(0x10 + v)) + "\"\ncreated_at = \"2026-11-23T18:57:00.000Z\"\n" +
            "state = \"active\"\n";
  }
  test::TempDir dir;
  const auto path = dir.write_file("keyring.toml", text);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  auto keyring = crypto::Keyring::load_file(path);
  EXPECT_TRUE(keyring) << (keyring ? "" : keyring.error().message);
  return std::make_shared<const crypto::Keyring>(std::move(*keyring));
}

// An event of `chain` with every optional field set, distinguishable by `n`.
inline store::AuditEvent sample_event(std::string chain, int n) {
  store::AuditEvent e;
  e.id = "0190d6c0-0000-7000-8000-" + std::string(12 - std::to_string(n).size(), '0') + std::to_string(n);
  e.chain = std::move(chain);
  e.time = store::TimePoint(std::chrono::milliseconds(1'700'000'000'000LL + n));
  e.action = "key.created";
  e.outcome = store::Outcome::success;
  e.actor_user_id = "user-" + std::to_string(n);
  e.actor_token_id = "token-1";
  e.actor_kind = store::ActorKind::token;
  e.on_behalf_of = "user-2";
  e.key_id = "key-" + std::to_string(n);
  e.key_owner_id = "user-2";
  e.provider = "openai";
  e.ip = "192.0.2.1";
  e.user_agent = "test/1.0";
  e.request_id = "req-" + std::to_string(n);
  e.details_json = R"({"n":)" + std::to_string(n) + "}";
  return e;
}

// Seals `events` in place as the store does: seq = position + 1, linked to the previous hash.
inline void seal_chain(const KeyringChainSealer& sealer, std::vector<store::AuditEvent>& events) {
  core::Bytes prev;
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].seq = static_cast<std::int64_t>(i) + 1;
    auto sealed = sealer.seal(events[i], prev);
    ASSERT_TRUE(sealed) << sealed.error().message;
    prev = events[i].hash;
  }
}

// `count` sample events of `chain`, sealed.
inline std::vector<store::AuditEvent> sealed_chain(const KeyringChainSealer& sealer, const std::string& chain,
                                                   int count) {
  std::vector<store::AuditEvent> events;
  for (int n = 1; n <= count; ++n) events.push_back(sample_event(chain, n));
  seal_chain(sealer, events);
  return events;
}

}  // namespace keyrelay::audit::testing
