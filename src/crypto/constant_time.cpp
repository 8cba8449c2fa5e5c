#include "crypto/constant_time.h"

#include <openssl/crypto.h>

namespace keyrelay::crypto {

bool constant_time_equal(core::ByteView a, core::ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;  // CRYPTO_memcmp must not see the null data() of an empty span
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace keyrelay::crypto
