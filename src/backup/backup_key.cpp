#include "backup/backup_key.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "crypto/aead.h"
#include "crypto/constant_time.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"

namespace keyrelay::backup {
namespace {

constexpr std::size_t kDerivedSize = crypto::kAeadKeySize + kKeyCheckSize;

// The 64 KDF bytes of `header` (its source, salt and parameters).
core::Result<core::Secret> derive(const BackupHeader& header, const KeyMaterial& material) {
  if (header.source == KeySource::passphrase)
    return crypto::scrypt(material.passphrase->reveal(), header.salt, header.scrypt, kDerivedSize);
  auto master = material.keyring->key(header.master_version);
  if (!master)
    return core::Error::invalid_request(
        "the backup was sealed with master key version " + std::to_string(header.master_version) +
        ", which the keyring does not hold (removed or retired); open it with a keyring that still has version " +
        std::to_string(header.master_version));
  return crypto::hkdf_sha256(*master, header.salt, core::as_bytes(kBackupKeyInfo), kDerivedSize);
}

}  // namespace

core::Result<SealingKey> new_sealing_key(const KeyMaterial& material, std::uint32_t chunk_size) {
  SealingKey out;
  out.header.chunk_size = chunk_size;
  if (material.passphrase) {
    out.header.source = KeySource::passphrase;
  } else {
    out.header.source = KeySource::keyring;
    out.header.master_version = material.keyring->active_version();
  }
  if (auto filled = crypto::fill_random(out.header.salt); !filled) return filled.error();
  auto derived = derive(out.header, material);
  if (!derived) return derived.error();
  const auto bytes = derived->reveal();
  std::copy_n(bytes.begin() + crypto::kAeadKeySize, kKeyCheckSize, out.header.key_check.begin());
  out.key = core::Secret(bytes.first(crypto::kAeadKeySize));
  return out;
}

core::Result<core::Secret> open_key(const BackupHeader& header, const KeyMaterial& material) {
  if (header.source == KeySource::passphrase && !material.passphrase)
    return core::Error::invalid_request("the backup is sealed with a passphrase; give it with --passphrase-file");
  if (header.source == KeySource::keyring && material.passphrase)
    return core::Error::invalid_request("the backup is sealed with the keyring (master key version " +
                                        std::to_string(header.master_version) + "), not a passphrase; drop --passphrase-file");
  auto derived = derive(header, material);
  if (!derived) return derived.error();
  const auto bytes = derived->reveal();
  if (!crypto::constant_time_equal(bytes.subspan(crypto::kAeadKeySize, kKeyCheckSize), header.key_check)) {
    if (header.source == KeySource::passphrase) return core::Error::invalid_request("wrong passphrase for this backup");
    return core::Error::invalid_request("the keyring's master key version " + std::to_string(header.master_version) +
                                        " does not open this backup: it was made with another keyring");
  }
  return core::Secret(bytes.first(crypto::kAeadKeySize));
}

core::Result<core::Secret> read_passphrase_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return core::Error::invalid_request("cannot read the passphrase file " + file.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t size = text.size();
  if (size > 0 && text[size - 1] == '\n') {
    --size;
    if (size > 0 && text[size - 1] == '\r') --size;
  }
  core::Secret passphrase(std::string_view(text.data(), size));
  core::wipe_memory(text.data(), text.size());
  if (passphrase.empty()) return core::Error::invalid_request("the passphrase file " + file.string() + " holds an empty passphrase");
  return passphrase;
}

}  // namespace keyrelay::backup
