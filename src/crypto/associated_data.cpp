#include "crypto/associated_data.h"

#include <cstdio>
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
  add_u32(static_cast<std::uint32_t>(bytes.size()));
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

AssociatedData& AssociatedData::add_u32(std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes_.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  return *this;
}

AssociatedData& AssociatedData::add_u64(std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes_.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  return *this;
}

}  // namespace keyrelay::crypto
