#pragma once
// AssociatedData: builds the AAD of an AEAD seal (or any MAC input) from typed fields, each one
// length-prefixed, so that no two different field lists give the same bytes: ("ab", "c") and
// ("a", "bc") differ, unlike concatenated text.
//
// Encoding: a string or byte field is its length as u32 big-endian followed by its bytes; an
// integer field is its fixed-width big-endian value (4 or 8 bytes) with no prefix, so the field
// order and types of each use must be fixed by the caller (they are part of the format).
// A value type; not thread-safe for mutation.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <string_view>

#include "core/bytes.h"

namespace keyrelay::crypto {

class AssociatedData {
 public:
  AssociatedData() = default;
  // Room for `bytes` encoded bytes up front: a builder that knows its size grows its buffer once.
  explicit AssociatedData(std::size_t bytes) { bytes_.reserve(bytes); }

  // Appends u32be(size) || bytes. Aborts if a field is 4 GiB or larger (a caller bug).
  AssociatedData& add(std::string_view text);
  AssociatedData& add_bytes(core::ByteView bytes);
  // Appends the value as 4 (or 8) big-endian bytes.
  AssociatedData& add_u32(std::uint32_t value);
  AssociatedData& add_u64(std::uint64_t value);

  // The encoded bytes so far; valid until the next add or the end of this object.
  core::ByteView view() const noexcept { return bytes_; }
  // The encoded bytes, moved out; the builder is empty afterwards.
  core::Bytes take() && noexcept { return std::move(bytes_); }

 private:
  void make_room(std::size_t size);
  void append_be(std::uint64_t value, int width);
  core::Bytes bytes_;
};

}  // namespace keyrelay::crypto
