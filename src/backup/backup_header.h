#pragma once
// The clear header of a sealed backup file (docs/backup-format.md): what a reader needs before it
// can open anything — the format version, where the key comes from (a keyring master-key version
// through HKDF, or a passphrase through scrypt, with its parameters), the salt, the chunk size and
// a key check. 128 bytes, big-endian, ending in a SHA-256 of the first 96 so a damaged header is
// told apart from a wrong key; the whole header is also bound into every chunk's AAD (its hash),
// so editing any field (the checksum recomputed) still fails authentication.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/digest.h"
#include "crypto/scrypt.h"

namespace keyrelay::backup {

inline constexpr std::string_view kMagic = "KRBACKUP";
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::size_t kHeaderSize = 128;
inline constexpr std::size_t kSaltSize = 32;
inline constexpr std::size_t kKeyCheckSize = 32;
inline constexpr std::uint32_t kDefaultChunkSize = 64 * 1024;
// The largest chunk a reader accepts (the header says the size; a reader allocates one chunk).
inline constexpr std::uint32_t kMaxChunkSize = 16 * 1024 * 1024;

enum class KeySource : std::uint8_t {
  keyring = 1,     // HKDF-SHA256(master[master_version], salt, "keyrelay/backup/v1")
  passphrase = 2,  // scrypt(passphrase, salt, N, r, p)
};

struct BackupHeader {
  std::uint16_t format_version = kFormatVersion;
  KeySource source = KeySource::keyring;
  std::uint32_t master_version = 0;  // keyring only
  crypto::ScryptParams scrypt;       // passphrase only (zero in the file for a keyring backup)
  std::array<std::uint8_t, kSaltSize> salt{};
  std::uint32_t chunk_size = kDefaultChunkSize;
  std::array<std::uint8_t, kKeyCheckSize> key_check{};
};

// The 128 bytes of `header`, checksum included.
core::Bytes encode_header(const BackupHeader& header);

// Reads the header at the start of a file. invalid_request, with a message an operator can act
// on, for: fewer than 128 bytes ("truncated"), another magic ("not a keyrelay backup"), an
// unknown format version, a checksum mismatch ("the header is damaged"), an unknown key source,
// a chunk size of 0 or above kMaxChunkSize, or scrypt parameters out of range.
core::Result<BackupHeader> parse_header(core::ByteView bytes);

// SHA-256 of the encoded header: bound into every chunk's AAD.
crypto::Digest header_hash(const BackupHeader& header);

// "keyring (master key version N)" or "passphrase (scrypt N=2^17, r=8, p=1)".
std::string describe_key_source(const BackupHeader& header);

}  // namespace keyrelay::backup
