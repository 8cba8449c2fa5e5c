#pragma once
// Byte buffers shared by the crypto and storage code.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace keyrelay::core {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string_view as_chars(ByteView b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace keyrelay::core
