#include "store/postgres/params.h"

namespace keyrelay::store::postgres {

std::int64_t to_unix_ms(TimePoint t) noexcept {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_ms(std::int64_t ms) noexcept {
  return TimePoint{std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds{ms})};
}

Params& Params::null() {
  values_.push_back(Value{{}, true, false});
  return *this;
}

Params& Params::text(std::string_view value) {
  values_.push_back(Value{std::string(value), false, false});
  return *this;
}

Params& Params::text(const std::optional<std::string>& value) { return value ? text(*value) : null(); }

Params& Params::integer(std::int64_t value) { return text(std::to_string(value)); }

Params& Params::boolean(bool value) { return text(value ? "t" : "f"); }

Params& Params::bytes(core::ByteView value) {
  values_.push_back(Value{std::string(reinterpret_cast<const char*>(value.data()), value.size()), false, true});
  return *this;
}

Params& Params::time(TimePoint value) { return integer(to_unix_ms(value)); }

Params& Params::time(const std::optional<TimePoint>& value) { return value ? time(*value) : null(); }

Params::Arrays Params::arrays() const {
  Arrays a;
  a.values.reserve(values_.size());
  a.lengths.reserve(values_.size());
  a.formats.reserve(values_.size());
  for (const auto& v : values_) {
    a.values.push_back(v.is_null ? nullptr : v.data.c_str());
    a.lengths.push_back(static_cast<int>(v.data.size()));
    a.formats.push_back(v.binary ? 1 : 0);
  }
  return a;
}

std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string integer_array(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(items[i]);
  }
  out += '}';
  return out;
}

std::string hex_array(const std::vector<core::Bytes>& items) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t total = 2;
  for (const auto& item : items) total += item.size() * 2 + 1;
  std::string out;
  out.reserve(total);
  out += '{';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (items[i].empty()) {
      out += "\"\"";
      continue;
    }
    for (const std::uint8_t b : items[i]) {
      out += kHex[b >> 4];
      out += kHex[b & 0x0f];
    }
  }
  out += '}';
  return out;
}

}  // namespace keyrelay::store::postgres
