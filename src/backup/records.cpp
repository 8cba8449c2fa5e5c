#include "backup/records.h"

#include <bit>
#include <cstring>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace keyrelay::backup {
namespace {

enum Tag : std::uint8_t { kNull = 0, kInteger = 1, kReal = 2, kText = 3, kBlob = 4 };

void put_u32(core::Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_u64(core::Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

core::Bytes record(std::uint8_t type, core::ByteView payload) {
  core::Bytes out;
  out.reserve(payload.size() + 5);
  out.push_back(type);
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

void put_value(core::Bytes& out, const store::CopyValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out.push_back(kNull);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out.push_back(kInteger);
          put_u64(out, static_cast<std::uint64_t>(v));
        } else if constexpr (std::is_same_v<T, double>) {
          out.push_back(kReal);
          put_u64(out, std::bit_cast<std::uint64_t>(v));
        } else {
          out.push_back(std::is_same_v<T, std::string> ? kText : kBlob);
          put_u32(out, static_cast<std::uint32_t>(v.size()));
          const auto* data = reinterpret_cast<const std::uint8_t*>(v.data());
          out.insert(out.end(), data, data + v.size());
        }
      },
      value);
}

core::Error malformed(const std::string& why) {
  return core::Error::invalid_request("the backup's contents are malformed: " + why);
}

// Reads big-endian numbers and length-prefixed bytes off a payload, failing past its end.
class Cursor {
 public:
  explicit Cursor(core::ByteView data) : data_(data) {}
  bool take(std::size_t n, core::ByteView& out) {
    if (data_.size() - at_ < n) return false;
    out = data_.subspan(at_, n);
    at_ += n;
    return true;
  }
  bool u64(std::uint64_t& v) {
    core::ByteView b;
    if (!take(8, b)) return false;
    v = 0;
    for (auto byte : b) v = (v << 8) | byte;
    return true;
  }
  bool u32(std::uint32_t& v) {
    core::ByteView b;
    if (!take(4, b)) return false;
    v = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    return true;
  }
  bool u8(std::uint8_t& v) {
    core::ByteView b;
    if (!take(1, b)) return false;
    v = b[0];
    return true;
  }
  bool at_end() const { return at_ == data_.size(); }

 private:
  core::ByteView data_;
  std::size_t at_ = 0;
};

bool read_value(Cursor& in, store::CopyValue& value) {
  std::uint8_t tag = 0;
  if (!in.u8(tag)) return false;
  std::uint64_t number = 0;
  std::uint32_t size = 0;
  core::ByteView bytes;
  switch (tag) {
    case kNull: value = std::monostate{}; return true;
    case kInteger: if (!in.u64(number)) return false; value = static_cast<std::int64_t>(number); return true;
    case kReal: if (!in.u64(number)) return false; value = std::bit_cast<double>(number); return true;
    case kText: if (!in.u32(size) || !in.take(size, bytes)) return false; value = std::string(core::as_chars(bytes)); return true;
    case kBlob: if (!in.u32(size) || !in.take(size, bytes)) return false; value = core::Bytes(bytes.begin(), bytes.end()); return true;
    default: return false;
  }
}

}  // namespace

core::Bytes encode_schema(int schema_version, const std::vector<store::CopyTable>& tables) {
  boost::json::array list;
  for (const auto& table : tables) {
    boost::json::array columns;
    for (const auto& c : table.columns) columns.emplace_back(c);
    list.emplace_back(boost::json::object{{"name", table.name}, {"columns", std::move(columns)}});
  }
  const auto json = boost::json::serialize(boost::json::object{{"schema_version", schema_version}, {"tables", list}});
  return record('S', core::as_bytes(json));
}

core::Bytes encode_rows(std::uint32_t table_index, const std::vector<store::CopyRow>& rows) {
  core::Bytes payload;
  put_u32(payload, table_index);
  put_u32(payload, static_cast<std::uint32_t>(rows.size()));
  for (const auto& row : rows)
    for (const auto& value : row) put_value(payload, value);
  return record('R', payload);
}

core::Bytes encode_manifest(const std::string& json) { return record('M', core::as_bytes(json)); }

core::Result<void> RecordDecoder::feed(core::ByteView data) {
  buffer_.insert(buffer_.end(), data.begin(), data.end());
  std::size_t at = 0;
  while (buffer_.size() - at >= 5) {
    const std::uint8_t type = buffer_[at];
    const std::size_t length = (std::size_t{buffer_[at + 1]} << 24) | (std::size_t{buffer_[at + 2]} << 16) |
                               (std::size_t{buffer_[at + 3]} << 8) | buffer_[at + 4];
    if (length > kMaxRecordSize) return malformed("a record is larger than 64 MiB");
    if (buffer_.size() - at - 5 < length) break;
    if (auto done = dispatch(type, core::ByteView(buffer_).subspan(at + 5, length)); !done) return done;
    at += 5 + length;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
  return core::ok();
}

core::Result<void> RecordDecoder::finish() const {
  if (!buffer_.empty()) return malformed("the last record is cut off");
  if (!manifest_seen_) return malformed("the manifest is missing");
  return core::ok();
}

core::Result<void> RecordDecoder::dispatch(std::uint8_t type, core::ByteView payload) {
  if (manifest_seen_) return malformed("records follow the manifest");
  if (type == 'S') {
    if (schema_seen_) return malformed("a second schema record");
    return decode_schema(payload);
  }
  if (!schema_seen_) return malformed("the schema record does not come first");
  if (type == 'R') return decode_rows(payload);
  if (type == 'M') {
    manifest_seen_ = true;
    return handler_.on_manifest(std::string(core::as_chars(payload)));
  }
  return malformed("unknown record type " + std::to_string(type));
}

core::Result<void> RecordDecoder::decode_schema(core::ByteView payload) {
  schema_seen_ = true;
  boost::system::error_code ec;
  auto json = boost::json::parse(core::as_chars(payload), ec);
  const auto* root = json.if_object();
  if (ec || root == nullptr || !root->contains("schema_version") || !root->contains("tables"))
    return malformed("the schema record is not the expected JSON");
  std::vector<store::CopyTable> tables;
  try {
    for (const auto& item : root->at("tables").as_array()) {
      store::CopyTable table{std::string(item.at("name").as_string()), {}};
      for (const auto& column : item.at("columns").as_array()) table.columns.emplace_back(column.as_string());
      columns_.push_back(table.columns.size());
      tables.push_back(std::move(table));
    }
    return handler_.on_schema(static_cast<int>(root->at("schema_version").to_number<std::int64_t>()), std::move(tables));
  } catch (const std::exception&) {
    return malformed("the schema record is not the expected JSON");
  }
}

core::Result<void> RecordDecoder::decode_rows(core::ByteView payload) {
  Cursor in(payload);
  std::uint32_t table = 0, count = 0;
  if (!in.u32(table) || !in.u32(count)) return malformed("a rows record is cut off");
  if (table >= columns_.size()) return malformed("rows of a table the schema does not list");
  std::vector<store::CopyRow> rows;
  // Each value takes at least one byte: a count beyond the payload is refused before allocating.
  if (std::uint64_t{count} * std::max<std::size_t>(1, columns_[table]) > payload.size())
    return malformed("a rows record is cut off");
  rows.reserve(count);
  for (std::uint32_t r = 0; r < count; ++r) {
    store::CopyRow row(columns_[table]);
    for (auto& value : row)
      if (!read_value(in, value)) return malformed("a row's values are cut off or of an unknown type");
    rows.push_back(std::move(row));
  }
  if (!in.at_end()) return malformed("a rows record has bytes after its rows");
  return handler_.on_rows(table, std::move(rows));
}

}  // namespace keyrelay::backup
