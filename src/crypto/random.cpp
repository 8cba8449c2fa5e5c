#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace keyrelay::crypto {

core::Result<void> fill_random(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length: feed it in chunks so any span size works.
  constexpr std::size_t kChunk = 1 << 30;
  for (std::size_t done = 0; done < out.size();) {
    const std::size_t n = std::min(kChunk, out.size() - done);
    if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1) {
      core::wipe_memory(out.data(), out.size());
      return core::Error::internal("the random number generator failed");
    }
    done += n;
  }
  return core::ok();
}

core::Result<core::Bytes> random_bytes(std::size_t size) {
  core::Bytes bytes(size);
  if (auto r = fill_random(bytes); !r) return std::move(r).error();
  return bytes;
}

core::Result<core::Secret> random_secret(std::size_t size) {
  core::Secret secret = core::Secret::zeroed(size);
  if (auto r = fill_random(secret.mutable_bytes()); !r) return std::move(r).error();
  return secret;
}

}  // namespace keyrelay::crypto
