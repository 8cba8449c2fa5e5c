#pragma once
// Page cursors: the sort key and id of the last row of a page, packed into an opaque string.
//
// Layout before encoding: one byte naming the list ('u' users, 't' tokens, 'k' keys, 'a' audit,
// 'l' alerts), a format version byte, the fields (each a type byte, then 8 bytes big-endian for an
// integer or a 2-byte length and the bytes for a text), and a 4-byte FNV-1a checksum of all that,
// the whole as unpadded base64url. A cursor that does not decode, fails the checksum, belongs to another list or
// has the wrong fields is malformed: invalid_request("malformed cursor"). The checksum catches
// edited or truncated cursors; it is not a MAC and need not be: a forged cursor only moves the
// caller's position within rows the query's owner scoping already allows.
// Value types; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace keyrelay::store::sqlite {

class CursorWriter {
 public:
  explicit CursorWriter(char list);
  CursorWriter& add(std::int64_t value);
  CursorWriter& add(std::string_view value);  // at most 65,535 bytes
  // The encoded cursor.
  std::string finish() const;

 private:
  core::Bytes bytes_;
};

class CursorReader {
 public:
  // Checks the encoding, checksum and list of `cursor`.
  static core::Result<CursorReader> open(std::string_view cursor, char list);
  core::Result<std::int64_t> next_int();
  core::Result<std::string> next_text();
  // malformed when fields are left over.
  core::Result<void> finish() const;

 private:
  explicit CursorReader(core::Bytes body) : bytes_(std::move(body)) {}

  core::Bytes bytes_;    // the fields, without header and checksum
  std::size_t pos_ = 0;
};

}  // namespace keyrelay::store::sqlite
