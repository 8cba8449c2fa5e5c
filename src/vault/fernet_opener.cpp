#include "vault/fernet_opener.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "crypto/fernet.h"
#include "crypto/pbkdf2.h"

namespace keyrelay::vault {
namespace {

core::Error in_part(std::string_view part, const core::Error& error) {
  return core::Error{error.code, std::string(part) + ": " + error.message, {}};
}

bool is_space(std::uint8_t b) { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'; }

}  // namespace

core::Result<const core::Secret*> FernetOpener::user_key(const FernetRow& row) {
  auto at = keys_.find({row.salt, row.iterations});
  if (at != keys_.end()) return &at->second;
  auto derived = crypto::pbkdf2_hmac_sha256(master_.reveal(), row.salt, row.iterations, crypto::kFernetKeySize);
  if (!derived) return derived.error();
  auto [inserted, added] = keys_.emplace(std::pair{row.salt, row.iterations}, std::move(*derived));
  return &inserted->second;
}

core::Result<core::Secret> FernetOpener::open(const FernetRow& row) {
  auto key = user_key(row);
  if (!key) return key.error();
  if (scheme_ == FernetScheme::per_user_salt) {
    auto secret = crypto::fernet_decrypt(**key, row.token);
    if (!secret) return in_part("token", secret.error());
    return secret;
  }
  if (!row.data_key) return core::Error::invalid_request("missing field data_key");
  auto data_key_text = crypto::fernet_decrypt(**key, *row.data_key);
  if (!data_key_text) return in_part("data_key", data_key_text.error());
  auto data_key = crypto::fernet_key_from_text(*data_key_text);
  if (!data_key) return in_part("data_key", data_key.error());
  auto secret = crypto::fernet_decrypt(*data_key, row.token);
  if (!secret) return in_part("token", secret.error());
  return secret;
}

core::Result<core::Secret> read_master_secret(const std::string& path) {
  const core::Error unreadable = core::Error::invalid_request("cannot read the master secret file " + path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unreadable;
  // read(2) straight into a Secret: no stdio or stream buffer keeps a copy.
  constexpr std::size_t kMaxSize = 64 * 1024;
  core::Secret buffer = core::Secret::zeroed(kMaxSize + 1);
  std::size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n = ::read(fd, buffer.mutable_bytes().data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return unreadable;
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (size > kMaxSize) return core::Error::invalid_request("the master secret file is larger than 64 KiB");
  std::size_t end = size;
  while (end > 0 && is_space(buffer.reveal()[end - 1])) --end;
  if (end == 0) return core::Error::invalid_request("the master secret file is empty");
  return core::Secret(buffer.reveal().first(end));
}

}  // namespace keyrelay::vault
