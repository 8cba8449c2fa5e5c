#include "crypto/keyring.h"

#include <algorithm>
#include <limits>

#include "core/encoding.h"
#include "core/time_format.h"
#include "crypto/random.h"

namespace keyrelay::crypto {

std::string_view state_name(KeyVersionInfo::State state) noexcept {
  switch (state) {  // no default: a new state must be named here
    case KeyVersionInfo::State::pending:
      return "pending";
    case KeyVersionInfo::State::active:
      return "active";
    case KeyVersionInfo::State::retired:
      return "retired";
  }
  return "retired";
}

Keyring::Keyring(std::vector<Entry> entries, std::uint32_t active, bool rotatable)
    : entries_(std::move(entries)), active_(active), rotatable_(rotatable) {}

core::Result<Keyring> Keyring::build(std::vector<Entry> entries, std::uint32_t active,
                                     bool rotatable) {
  if (entries.empty()) return core::Error::invalid_request("the keyring holds no keys");
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.info.version < b.info.version; });
  bool active_found = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const std::string v = std::to_string(e.info.version);
    if (e.info.version == 0) return core::Error::invalid_request("key versions start at 1");
    if (i > 0 && entries[i - 1].info.version == e.info.version) {
      return core::Error::invalid_request("key version " + v + " appears more than once");
    }
    const bool retired = e.info.state == KeyVersionInfo::State::retired;
    if (!retired && e.key.size() != kMasterKeySize) {
      return core::Error::invalid_request("the key of version " + v + " is not 32 bytes");
    }
    if (retired && e.audit_key.size() != kMasterKeySize) {
      return core::Error::invalid_request("retired version " + v + " needs its 32-byte audit_key");
    }
    // Only the newest version may be pending: it is the one being introduced.
    if (e.info.state == KeyVersionInfo::State::pending && i + 1 != entries.size()) {
      return core::Error::invalid_request("version " + v + " is pending but is not the newest version");
    }
    if (e.info.version == active) {
      if (e.info.state != KeyVersionInfo::State::active)
        return core::Error::invalid_request("active = " + v + " names a version whose state is not \"active\"");
      active_found = true;
    }
  }
  if (!active_found) {
    return core::Error::invalid_request("active = " + std::to_string(active) + " names no key version");
  }
  return Keyring(std::move(entries), active, rotatable);
}

core::Result<Keyring> Keyring::from_master_key(std::string_view base64_key) {
  auto decoded = core::base64_decode(base64_key);
  // The message must never echo the text: it is the key, or a near miss of it.
  if (!decoded) return core::Error::invalid_request("the master key is not valid base64");
  core::Secret key(*decoded);
  core::wipe_memory(decoded->data(), decoded->size());
  if (key.size() != kMasterKeySize) {
    return core::Error::invalid_request("the master key must be base64 of exactly 32 bytes, not " +
                                        std::to_string(key.size()));
  }
  std::vector<Entry> entries;
  entries.push_back(Entry{{1, "", KeyVersionInfo::State::active}, std::move(key), {}});
  return build(std::move(entries), 1, false);
}

core::Result<Keyring> Keyring::generate(std::chrono::system_clock::time_point now) {
  auto key = random_secret(kMasterKeySize);
  if (!key) return std::move(key).error();
  std::vector<Entry> entries;
  entries.push_back(
      Entry{{1, core::format_rfc3339(now), KeyVersionInfo::State::active}, std::move(*key), {}});
  return build(std::move(entries), 1, true);
}

core::Result<Keyring> Keyring::with_new_pending_version(
    std::chrono::system_clock::time_point now) const {
  if (!rotatable_) {
    return core::Error::invalid_request(
        "a single KEYRELAY_MASTER_KEY cannot be rotated: a keyring file (KEYRELAY_KEYRING_FILE) is "
        "needed");
  }
  for (const Entry& e : entries_) {
    if (e.info.state == KeyVersionInfo::State::pending) {
      return core::Error::conflict("version " + std::to_string(e.info.version) +
                                   " is already pending; activate it before adding another");
    }
  }
  const std::uint32_t newest = entries_.back().info.version;
  if (newest == std::numeric_limits<std::uint32_t>::max()) {
    return core::Error::invalid_request("no key version is left after " + std::to_string(newest));
  }
  auto key = random_secret(kMasterKeySize);
  if (!key) return std::move(key).error();

  std::vector<Entry> entries = cloned_entries();
  entries.push_back(Entry{{newest + 1, core::format_rfc3339(now), KeyVersionInfo::State::pending},
                          std::move(*key), {}});
  return build(std::move(entries), active_, rotatable_);
}

std::vector<Keyring::Entry> Keyring::cloned_entries() const {
  std::vector<Entry> entries;
  entries.reserve(entries_.size() + 1);
  for (const Entry& e : entries_) entries.push_back(Entry{e.info, e.key.clone(), e.audit_key.clone()});
  return entries;
}

core::Result<Keyring> Keyring::with_activated(std::uint32_t version) const {
  std::vector<Entry> entries = cloned_entries();
  for (Entry& e : entries) {
    if (e.info.version != version) continue;
    if (e.info.state != KeyVersionInfo::State::pending)
      return core::Error::invalid_request("version " + std::to_string(version) + " is not pending");
    e.info.state = KeyVersionInfo::State::active;
    return build(std::move(entries), version, rotatable_);
  }
  return core::Error::invalid_request("version " + std::to_string(version) + " is not in the keyring");
}

core::Result<Keyring> Keyring::with_retired(std::uint32_t version, core::ByteView audit_key) const {
  if (version == active_)
    return core::Error::invalid_request("version " + std::to_string(version) + " seals new data; it cannot be retired");
  if (audit_key.size() != kMasterKeySize) return core::Error::invalid_request("an audit key is 32 bytes");
  std::vector<Entry> entries = cloned_entries();
  for (Entry& e : entries) {
    if (e.info.version != version) continue;
    if (e.info.state != KeyVersionInfo::State::active)
      return core::Error::invalid_request("version " + std::to_string(version) + " is " +
                                          std::string(state_name(e.info.state)) + ", not active");
    e.info.state = KeyVersionInfo::State::retired;
    e.key.wipe();
    e.audit_key = core::Secret(audit_key);
    return build(std::move(entries), active_, rotatable_);
  }
  return core::Error::invalid_request("version " + std::to_string(version) + " is not in the keyring");
}

core::Result<core::ByteView> Keyring::retired_audit_key(std::uint32_t version) const {
  for (const Entry& e : entries_)
    if (e.info.version == version && e.info.state == KeyVersionInfo::State::retired) return e.audit_key.reveal();
  return core::Error::not_found("master key version " + std::to_string(version) + " is not retired");
}

core::Result<core::ByteView> Keyring::key(std::uint32_t version) const {
  const auto it =
      std::lower_bound(entries_.begin(), entries_.end(), version,
                       [](const Entry& e, std::uint32_t v) { return e.info.version < v; });
  if (it == entries_.end() || it->info.version != version ||
      it->info.state == KeyVersionInfo::State::retired) {
    return core::Error::not_found("master key version " + std::to_string(version) +
                                  " is not in the keyring");
  }
  return it->key.reveal();
}

std::vector<KeyVersionInfo> Keyring::versions() const {
  std::vector<KeyVersionInfo> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.info);
  return out;
}

}  // namespace keyrelay::crypto
