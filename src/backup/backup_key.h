#pragma once
// The key a backup is sealed under, and the check that tells a wrong key from a damaged file.
//
//   keyring:     64 bytes = HKDF-SHA256(ikm = master[v], salt = header salt, info = "keyrelay/backup/v1")
//   passphrase:  64 bytes = scrypt(passphrase, header salt, N, r, p)
// The first 32 bytes are the AES-256-GCM key of the chunks; the last 32 are stored in the header
// as its key check (an independent part of the KDF output, so it reveals nothing of the key). The
// salt is fresh for every backup, so every backup has its own key and chunk nonces never repeat
// under one key. The keyring's active version seals; any version still in the keyring opens.

#include <filesystem>
#include <memory>
#include <optional>

#include "backup/backup_header.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/keyring.h"

namespace keyrelay::backup {

inline constexpr std::string_view kBackupKeyInfo = "keyrelay/backup/v1";

// What the operator gives: the keyring (always, for the rows' own keys), and a passphrase when
// the backup is (to be) sealed with one instead of the keyring.
struct KeyMaterial {
  std::shared_ptr<const crypto::Keyring> keyring;
  std::optional<core::Secret> passphrase;
};

struct SealingKey {
  BackupHeader header;  // salt, source and key check filled in
  core::Secret key;     // the chunks' AES-256-GCM key
};

// A fresh header (random salt) and its key: the passphrase's when one is given, else the
// keyring's active version. Errors of the random generator and the KDFs.
core::Result<SealingKey> new_sealing_key(const KeyMaterial& material, std::uint32_t chunk_size = kDefaultChunkSize);

// The key of an existing backup. invalid_request, saying what to do, when: the backup is sealed
// with a passphrase and none was given (or the other way round); the keyring lacks the master
// version it was sealed with; the key check fails ("wrong passphrase", or "made with another
// keyring").
core::Result<core::Secret> open_key(const BackupHeader& header, const KeyMaterial& material);

// The passphrase in `file`: one trailing newline ("\n" or "\r\n") is dropped. invalid_request when
// the file cannot be read or the passphrase is empty.
core::Result<core::Secret> read_passphrase_file(const std::filesystem::path& file);

}  // namespace keyrelay::backup
