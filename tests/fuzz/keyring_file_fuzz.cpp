// The keyring file (KEYRELAY_KEYRING_FILE, TOML, mode 0600): Keyring::load_file, and what rotation
// does with a loaded keyring (add a pending version, activate it), each written and read back.
// Input: the file's text.
// Checks: a refusal is a UTF-8 message that never quotes a key; an accepted keyring survives
// save + load unchanged (versions, states, dates, key bytes).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/keyring.h"
#include "fuzz_input.h"
#include "scratch_files.h"

namespace {

using namespace keyrelay;

bool same_bytes(core::ByteView a, core::ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void check_same(const crypto::Keyring& a, const crypto::Keyring& b) {
  FUZZ_CHECK(a.active_version() == b.active_version());
  const auto va = a.versions();
  const auto vb = b.versions();
  FUZZ_CHECK(va.size() == vb.size());
  for (std::size_t i = 0; i < va.size(); ++i) {
    FUZZ_CHECK(va[i].version == vb[i].version && va[i].state == vb[i].state && va[i].created_at == vb[i].created_at);
    const auto ka = a.key(va[i].version);
    const auto kb = b.key(vb[i].version);
    FUZZ_CHECK(ka.has_value() == kb.has_value());
    if (ka) FUZZ_CHECK(same_bytes(*ka, *kb));
    const auto ra = a.retired_audit_key(va[i].version);
    const auto rb = b.retired_audit_key(vb[i].version);
    FUZZ_CHECK(ra.has_value() == rb.has_value());
    if (ra) FUZZ_CHECK(same_bytes(*ra, *rb));
  }
}

void check_round_trip(const crypto::Keyring& keyring) {
  const auto copy = fuzz::scratch_dir() / "copy.toml";
  FUZZ_CHECK(keyring.save_replacing(copy).has_value());
  auto loaded = crypto::Keyring::load_file(copy);
  FUZZ_CHECK(loaded.has_value());
  check_same(keyring, *loaded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto file = fuzz::write_scratch_file("keyring.toml", text);
  auto keyring = crypto::Keyring::load_file(file);
  if (!keyring) {
    FUZZ_CHECK(keyring.error().code == core::Errc::invalid_request);
    FUZZ_CHECK(fuzz::is_utf8(keyring.error().message));
    for (const std::string_view name : {"key", "audit_key"})
      for (const std::string_view value : fuzz::quoted_values_of(text, name))
        FUZZ_CHECK(!fuzz::echoes(keyring.error().message, value, text, file.string()));
    return 0;
  }
  FUZZ_CHECK(keyring->key(keyring->active_version()).has_value());
  check_round_trip(*keyring);

  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  if (auto pending = keyring->with_new_pending_version(now)) {
    check_round_trip(*pending);
    const std::uint32_t added = pending->versions().back().version;
    if (auto activated = pending->with_activated(added)) {
      FUZZ_CHECK(activated->active_version() == added);
      check_round_trip(*activated);
    }
  }
  return 0;
}
