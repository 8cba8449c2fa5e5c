#include "backup/backup_header.h"

#include <algorithm>

#include "crypto/constant_time.h"

namespace keyrelay::backup {
namespace {

constexpr std::size_t kChecksumOffset = kHeaderSize - 32;

void put_u16(core::Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_u32(core::Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint32_t get_u32(core::ByteView in, std::size_t at) {
  return (std::uint32_t{in[at]} << 24) | (std::uint32_t{in[at + 1]} << 16) | (std::uint32_t{in[at + 2]} << 8) |
         std::uint32_t{in[at + 3]};
}

core::Error bad_header(const std::string& why) { return core::Error::invalid_request("the backup header " + why); }

}  // namespace

core::Bytes encode_header(const BackupHeader& header) {
  core::Bytes out;
  out.reserve(kHeaderSize);
  out.insert(out.end(), kMagic.begin(), kMagic.end());                    // 0: magic
  put_u16(out, header.format_version);                                    // 8
  out.push_back(static_cast<std::uint8_t>(header.source));                // 10
  out.push_back(0);                                                       // 11: reserved
  put_u32(out, header.master_version);                                    // 12
  const bool scrypt = header.source == KeySource::passphrase;
  out.push_back(scrypt ? header.scrypt.log2_n : 0);                       // 16
  out.insert(out.end(), 3, 0);                                            // 17: reserved
  put_u32(out, scrypt ? header.scrypt.r : 0);                             // 20
  put_u32(out, scrypt ? header.scrypt.p : 0);                             // 24
  out.insert(out.end(), header.salt.begin(), header.salt.end());          // 28
  put_u32(out, header.chunk_size);                                        // 60
  out.insert(out.end(), header.key_check.begin(), header.key_check.end());  // 64
  const auto checksum = crypto::sha256(out);                             // 96
  out.insert(out.end(), checksum.begin(), checksum.end());
  return out;
}

core::Result<BackupHeader> parse_header(core::ByteView bytes) {
  if (bytes.size() < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin()))
    return core::Error::invalid_request("not a keyrelay backup (the file does not start with " + std::string(kMagic) + ")");
  if (bytes.size() < kHeaderSize) return bad_header("is truncated: the file is shorter than its header");
  BackupHeader header;
  header.format_version = static_cast<std::uint16_t>((bytes[8] << 8) | bytes[9]);
  // The version first: another version may lay its header out differently.
  if (header.format_version != kFormatVersion)
    return core::Error::invalid_request("the backup has format version " + std::to_string(header.format_version) +
                                        " (or a damaged header); this keyrelay reads version " +
                                        std::to_string(kFormatVersion));
  const auto checksum = crypto::sha256(bytes.first(kChecksumOffset));
  if (!crypto::constant_time_equal(checksum, bytes.subspan(kChecksumOffset, 32)))
    return bad_header("is damaged (its checksum does not match)");
  if (bytes[10] != static_cast<std::uint8_t>(KeySource::keyring) &&
      bytes[10] != static_cast<std::uint8_t>(KeySource::passphrase))
    return bad_header("names an unknown key source " + std::to_string(bytes[10]));
  header.source = static_cast<KeySource>(bytes[10]);
  header.master_version = get_u32(bytes, 12);
  header.scrypt = {bytes[16], get_u32(bytes, 20), get_u32(bytes, 24)};
  std::copy_n(bytes.begin() + 28, kSaltSize, header.salt.begin());
  header.chunk_size = get_u32(bytes, 60);
  std::copy_n(bytes.begin() + 64, kKeyCheckSize, header.key_check.begin());
  if (header.chunk_size == 0 || header.chunk_size > kMaxChunkSize) return bad_header("has a bad chunk size");
  if (header.source == KeySource::passphrase &&
      (header.scrypt.log2_n < 1 || header.scrypt.log2_n > 24 || header.scrypt.r == 0 || header.scrypt.p == 0 ||
       crypto::scrypt_memory(header.scrypt) > crypto::kScryptMaxMemory))
    return bad_header("has scrypt parameters out of range");
  if (header.source == KeySource::keyring && header.master_version == 0)
    return bad_header("names master key version 0");
  return header;
}

crypto::Digest header_hash(const BackupHeader& header) { return crypto::sha256(encode_header(header)); }

std::string describe_key_source(const BackupHeader& header) {
  if (header.source == KeySource::keyring)
    return "keyring (master key version " + std::to_string(header.master_version) + ")";
  return "passphrase (scrypt N=2^" + std::to_string(header.scrypt.log2_n) + ", r=" + std::to_string(header.scrypt.r) +
         ", p=" + std::to_string(header.scrypt.p) + ")";
}

}  // namespace keyrelay::backup
