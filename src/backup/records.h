#pragma once
// The plaintext inside a backup's chunks: a stream of records (docs/backup-format.md), each
//   type (u8) || length (u32, big-endian) || payload
//   'S'  schema: JSON {"schema_version": N, "tables": [{"name": …, "columns": […]}, …]} — first;
//        tables parents first, the order rows are restored in
//   'R'  rows of one table: table index (u32) || row count (u32) || the values, row by row, each
//        tag (u8) 0 NULL | 1 integer (i64) | 2 real (f64 bits) | 3 text (u32 length || UTF-8)
//        | 4 bytes (u32 length || bytes)
//   'M'  manifest: JSON (manifest.h) — last
// Rows travel as the store holds them (sealed secrets, wrapped keys, audit hashes byte for byte),
// in a form that is not any engine's, so a backup of one engine restores into the other.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "store/store_copy.h"

namespace keyrelay::backup {

// The largest record a reader accepts (a batch of rows is far smaller).
inline constexpr std::size_t kMaxRecordSize = 64 * 1024 * 1024;

core::Bytes encode_schema(int schema_version, const std::vector<store::CopyTable>& tables);
core::Bytes encode_rows(std::uint32_t table_index, const std::vector<store::CopyRow>& rows);
core::Bytes encode_manifest(const std::string& json);

// What a decoder finds, in stream order.
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  virtual core::Result<void> on_schema(int schema_version, std::vector<store::CopyTable> tables) = 0;
  virtual core::Result<void> on_rows(std::size_t table_index, std::vector<store::CopyRow> rows) = 0;
  virtual core::Result<void> on_manifest(const std::string& json) = 0;
};

// Cuts the plaintext, fed in any pieces, into records and hands them on. Checks the order (schema
// first, manifest last), that rows name a table of the schema and have its number of values.
// Errors are invalid_request ("the backup's contents are malformed: …") or the handler's.
// Not thread-safe.
class RecordDecoder {
 public:
  explicit RecordDecoder(RecordHandler& handler) : handler_(handler) {}
  core::Result<void> feed(core::ByteView data);
  // After the last piece: the stream must end after the manifest, on a record boundary.
  core::Result<void> finish() const;

 private:
  core::Result<void> dispatch(std::uint8_t type, core::ByteView payload);
  core::Result<void> decode_schema(core::ByteView payload);
  core::Result<void> decode_rows(core::ByteView payload);

  RecordHandler& handler_;
  core::Bytes buffer_;
  std::vector<std::size_t> columns_;  // values per row, per table of the schema
  bool schema_seen_ = false;
  bool manifest_seen_ = false;
};

}  // namespace keyrelay::backup
