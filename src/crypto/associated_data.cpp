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
  make_room(4 + bytes.size());
  append_be(bytes.size(), 4);
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

AssociatedData& AssociatedData::add_u32(std::uint32_t value) {
  make_room(4);
  append_be(value, 4);
  return *this;
}

AssociatedData& AssociatedData::add_u64(std::uint64_t value) {
  make_room(8);
  append_be(value, 8);
  return *this;
}

// Grows the buffer at most once for a whole AAD (the envelope builds two per gateway call); the
// bytes are appended, never zero-filled first.
void AssociatedData::make_room(std::size_t size) {
  const std::size_t need = bytes_.size() + size;
  if (bytes_.capacity() < need) bytes_.reserve(std::max({2 * bytes_.capacity(), need, std::size_t{128}}));
}

void AssociatedData::append_be(std::uint64_t value, int width) {
  std::uint8_t out[8];
  for (int i = width - 1; i >= 0; --i, value >>= 8) out[i] = static_cast<std::uint8_t>(value);
  bytes_.insert(bytes_.end(), out, out + width);
}

}  // namespace keyrelay::crypto
