#include "crypto/associated_data.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <limits>

namespace keyrelay::crypto {

AssociatedData& AssociatedData::add(std::string_view text) {
  return add_bytes(core::as_bytes(text));
}

AssociatedData& AssociatedData::add_bytes(core::ByteView bytes) {
  if (bytes.size() > std::numeric_limits<std::uint32_t>::max()) {
    std::fputs("keyrelay: associated-data field of 4 GiB or more\n", stderr);
    std::abort();
  }
  const std::size_t at = grow(4 + bytes.size());
  put_be(at, bytes.size(), 4);
  if (!bytes.empty()) std::memcpy(bytes_.data() + at + 4, bytes.data(), bytes.size());
  return *this;
}

AssociatedData& AssociatedData::add_u32(std::uint32_t value) {
  put_be(grow(4), value, 4);
  return *this;
}

AssociatedData& AssociatedData::add_u64(std::uint64_t value) {
  put_be(grow(8), value, 8);
  return *this;
}

// One resize per field (the envelope opens a key per gateway call and builds two AADs for it).
std::size_t AssociatedData::grow(std::size_t size) {
  const std::size_t at = bytes_.size();
  if (bytes_.capacity() < at + size) bytes_.reserve(std::max({2 * bytes_.capacity(), at + size, std::size_t{128}}));
  bytes_.resize(at + size);
  return at;
}

void AssociatedData::put_be(std::size_t at, std::uint64_t value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i, value >>= 8)
    bytes_[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
}

}  // namespace keyrelay::crypto
