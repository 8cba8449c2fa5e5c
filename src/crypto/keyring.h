#pragma once
// Keyring: the versioned 256-bit master keys of a keyrelay installation.
//
// A keyring comes either from KEYRELAY_MASTER_KEY (one key, version 1, cannot be rotated) or from a
// keyring file (TOML, mode 0600) holding several versions, exactly one of them active:
//
//   active = 2
//   [[keys]]
//   version = 1
//   key = "<base64 of 32 bytes>"
//   created_at = "2026-11-23T18:57:00.000Z"
//   state = "retired"            # "pending" | "active" | "retired"
//
// New data is sealed under the active version; pending versions are loaded but not used yet
// (rotation makes every node hold one before it becomes active); retired versions still open old
// data until it is re-wrapped. The keys live in core::Secret and are wiped with the keyring.
//
// Immutable after construction and move-only: share one as std::shared_ptr<const Keyring> across
// threads, and replace the whole object on reload.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

// The size of every master key.
inline constexpr std::size_t kMasterKeySize = 32;

struct KeyVersionInfo {
  enum class State { pending, active, retired };
  std::uint32_t version = 0;
  std::string created_at;  // RFC 3339; empty for a keyring from KEYRELAY_MASTER_KEY
  State state = State::pending;
};

// "pending", "active" or "retired".
std::string_view state_name(KeyVersionInfo::State state) noexcept;

class Keyring {
 public:
  Keyring(Keyring&&) noexcept = default;
  Keyring& operator=(Keyring&&) noexcept = default;
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;
  ~Keyring() = default;

  // One key, version 1, active, not rotatable, from strict padded base64 of exactly 32 bytes
  // (KEYRELAY_MASTER_KEY). Errc::invalid_request otherwise; the message never repeats the text.
  static core::Result<Keyring> from_master_key(std::string_view base64_key);

  // Reads a keyring file (format above). Errors, each naming `path`:
  //  - Errc::not_found: the file does not exist;
  //  - Errc::forbidden: the mode has any group or other bit (mode & 077), with the fix to run;
  //  - Errc::invalid_request: not TOML, a missing, mistyped or unknown key (named), a bad or
  //    duplicate version, a key that is not base64 of 32 bytes, a bad created_at or state, or an
  //    `active` that is not the one version whose state is "active";
  //  - Errc::internal: the file cannot be read.
  static core::Result<Keyring> load_file(const std::filesystem::path& path);

  // A new rotatable keyring with one fresh random version 1, active, created at `now`.
  // Errc::internal if the random generator fails.
  static core::Result<Keyring> generate(std::chrono::system_clock::time_point now);

  // Writes this keyring to a new file `path` with mode 0600, atomically (a temporary file in the
  // same directory, fsynced, then hard-linked to `path`), and never replaces an existing file:
  // Errc::conflict if `path` exists, Errc::internal for any other I/O failure (nothing is left
  // behind). The serialized text is wiped afterwards.
  core::Result<void> save_new(const std::filesystem::path& path) const;

  // A copy of this keyring (keys cloned) with version max+1 added as pending, created at `now`.
  // Errc::invalid_request for a keyring that is not rotatable (from KEYRELAY_MASTER_KEY: a keyring
  // file is needed); Errc::conflict if a version is already pending (activate it first).
  core::Result<Keyring> with_new_pending_version(std::chrono::system_clock::time_point now) const;

  // A copy in which pending `version` becomes active and the one new data is sealed under. The
  // previous active version stays (state "active": readable) until it is retired.
  // Errc::invalid_request unless `version` is pending.
  core::Result<Keyring> with_activated(std::uint32_t version) const;

  // A copy in which `version` is retired: its master key is dropped and only `audit_key` (the audit
  // key derived from it) is kept, so audit rows it sealed still verify while no secret sealed under
  // it can ever be opened again. Errc::invalid_request for the sealing version, a pending or
  // already retired version, or an audit key that is not 32 bytes.
  core::Result<Keyring> with_retired(std::uint32_t version, core::ByteView audit_key) const;

  // Replaces the keyring file `path` atomically (temporary file, fsync, rename, fsync of the
  // directory); mode 0600. For rotation and retirement of an existing keyring file.
  core::Result<void> save_replacing(const std::filesystem::path& path) const;

  // The stored audit key of a retired version; Errc::not_found unless `version` is retired.
  core::Result<core::ByteView> retired_audit_key(std::uint32_t version) const;

  // The version new data is sealed under.
  std::uint32_t active_version() const noexcept { return active_; }

  // The 32 key bytes of `version`, valid while this keyring lives. Errc::not_found naming only
  // the version number if the keyring does not hold it or it is retired.
  core::Result<core::ByteView> key(std::uint32_t version) const;

  // Every version, ascending, without key bytes.
  std::vector<KeyVersionInfo> versions() const;

  // True for keyrings that come from a file (or generate()), false for KEYRELAY_MASTER_KEY.
  bool is_rotatable() const noexcept { return rotatable_; }

 private:
  struct Entry {
    KeyVersionInfo info;
    core::Secret key;        // empty for a retired version
    core::Secret audit_key;  // only for a retired version
  };

  core::Result<void> write_file(const std::filesystem::path& path, bool replace) const;
  std::vector<Entry> cloned_entries() const;

  Keyring(std::vector<Entry> entries, std::uint32_t active, bool rotatable);

  // The text of the keyring file; the caller wipes it.
  std::string to_toml() const;
  // Checks the invariants shared by every way in: versions unique and >= 1, keys of 32 bytes,
  // exactly `active` has state active. Sorts `entries` by version.
  static core::Result<Keyring> build(std::vector<Entry> entries, std::uint32_t active,
                                     bool rotatable);

  std::vector<Entry> entries_;  // ascending by version
  std::uint32_t active_ = 0;
  bool rotatable_ = false;
};

}  // namespace keyrelay::crypto
