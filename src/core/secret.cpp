#include "core/secret.h"

#include <openssl/crypto.h>

#include <string.h>  // explicit_bzero

#include <cstring>

namespace keyrelay::core {

Secret::Secret(ByteView bytes) : data_(new std::uint8_t[bytes.size() ? bytes.size() : 1]), size_(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
}

Secret Secret::zeroed(std::size_t size) {
  Secret s;
  s.data_.reset(new std::uint8_t[size ? size : 1]());
  s.size_ = size;
  return s;
}

Secret::Secret(Secret&& other) noexcept : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

Secret::~Secret() { wipe(); }

void Secret::wipe() noexcept {
  if (data_) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

bool Secret::equals(const Secret& other) const noexcept { return equals(other.reveal()); }

bool Secret::equals(ByteView other) const noexcept {
  if (other.size() != size_) return false;
  if (size_ == 0) return true;
  return CRYPTO_memcmp(data_.get(), other.data(), size_) == 0;
}

// explicit_bzero: memset's vector stores, and a barrier the optimiser may not remove. Every body
// and buffer of a gateway call is wiped, so this runs on kilobytes per request; OPENSSL_cleanse
// stores a byte at a time.
void wipe_memory(void* data, std::size_t size) noexcept {
  if (data != nullptr && size > 0) ::explicit_bzero(data, size);
}

}  // namespace keyrelay::core
