#pragma once
// Secret: a buffer of sensitive bytes (a provider key, a master key, a derived key).
//
// Move-only; the bytes live on the heap so a move hands over the buffer without copying it, and the
// moved-from Secret is left empty. The buffer is wiped with OPENSSL_cleanse before it is freed.
// A Secret cannot be printed or formatted: it has no operator<< and no fmt formatter, and reading
// the plaintext takes an explicit reveal(), so a leak has to be written on purpose and is easy to grep.
// Not thread-safe for mutation; const access from several threads is fine.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/bytes.h"

namespace keyrelay::core {

class Secret {
 public:
  Secret() = default;
  // Copies `bytes` into a new wiped-on-destruction buffer. The caller wipes its own copy.
  explicit Secret(ByteView bytes);
  explicit Secret(std::string_view text) : Secret(as_bytes(text)) {}
  // A zero-filled secret of `size` bytes, to be written through mutable_bytes() (e.g. a KDF output).
  static Secret zeroed(std::size_t size);

  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret();

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  // The plaintext. Valid until this Secret is destroyed, moved from or wiped.
  ByteView reveal() const noexcept { return {data_.get(), size_}; }
  std::string_view reveal_text() const noexcept {
    return {reinterpret_cast<const char*>(data_.get()), size_};
  }
  std::span<std::uint8_t> mutable_bytes() noexcept { return {data_.get(), size_}; }

  // A new Secret with the same bytes. Explicit so that copies of plaintext stay visible in review.
  Secret clone() const { return Secret(reveal()); }

  // Wipes and releases the buffer now.
  void wipe() noexcept;

  // Constant-time in the contents (the length is not secret).
  bool equals(const Secret& other) const noexcept;
  bool equals(ByteView other) const noexcept;

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

// Wipes any buffer the caller owns (a request body that carried a secret, a scratch array).
void wipe_memory(void* data, std::size_t size) noexcept;

}  // namespace keyrelay::core
