#include "crypto/pbkdf2.h"

#include <openssl/evp.h>

#include <string>

namespace keyrelay::crypto {

core::Result<core::Secret> pbkdf2_hmac_sha256(core::ByteView password, core::ByteView salt, std::uint32_t iterations,
                                              std::size_t size) {
  if (size == 0 || size > 1024) return core::Error::invalid_request("PBKDF2 output must be 1 to 1024 bytes");
  if (iterations == 0 || iterations > kPbkdf2MaxIterations)
    return core::Error::invalid_request("PBKDF2 iterations must be 1 to " + std::to_string(kPbkdf2MaxIterations));
  // Never hand OpenSSL a null pointer for an empty password or salt (what an empty span gives).
  static const std::uint8_t kEmpty = 0;
  const auto* pass = reinterpret_cast<const char*>(password.empty() ? &kEmpty : password.data());
  const auto* salt_bytes = salt.empty() ? &kEmpty : salt.data();
  core::Secret out = core::Secret::zeroed(size);
  // PKCS5_PBKDF2_HMAC leaves out OpenSSL 3's SP 800-132 lower bounds (salt of 16 bytes, 1,000
  // iterations): the imported systems chose their own parameters and we must read them as they are.
  if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), salt_bytes, static_cast<int>(salt.size()),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(size),
                        out.mutable_bytes().data()) != 1) {
    return core::Error::unavailable("PBKDF2-HMAC-SHA256 failed inside OpenSSL; try again");
  }
  return out;
}

}  // namespace keyrelay::crypto
