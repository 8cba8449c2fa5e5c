#include "store/sqlite/cursor.h"

#include "core/encoding.h"

namespace keyrelay::store::sqlite {
namespace {

constexpr std::uint8_t kFormat = 1;
constexpr std::uint8_t kIntField = 'i';
constexpr std::uint8_t kTextField = 's';
constexpr std::size_t kMaxCursorChars = 1024;  // far above any real cursor; bounds the work on junk

std::uint32_t fnv1a(core::ByteView bytes) noexcept {
  std::uint32_t hash = 2166136261u;
  for (auto b : bytes) {
    hash ^= b;
    hash *= 16777619u;
  }
  return hash;
}

core::Error malformed() { return core::Error::invalid_request("malformed cursor"); }

}  // namespace

CursorWriter::CursorWriter(char list) : bytes_{static_cast<std::uint8_t>(list), kFormat} {}

CursorWriter& CursorWriter::add(std::int64_t value) {
  bytes_.push_back(kIntField);
  const auto bits = static_cast<std::uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) bytes_.push_back(static_cast<std::uint8_t>(bits >> shift));
  return *this;
}

CursorWriter& CursorWriter::add(std::string_view value) {
  const auto size = static_cast<std::uint16_t>(value.size() > 0xffff ? 0xffff : value.size());
  bytes_.push_back(kTextField);
  bytes_.push_back(static_cast<std::uint8_t>(size >> 8));
  bytes_.push_back(static_cast<std::uint8_t>(size));
  bytes_.insert(bytes_.end(), value.begin(), value.begin() + size);
  return *this;
}

std::string CursorWriter::finish() const {
  core::Bytes out = bytes_;
  const std::uint32_t sum = fnv1a(bytes_);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(sum >> shift));
  return core::base64url_encode(out);
}

core::Result<CursorReader> CursorReader::open(std::string_view cursor, char list) {
  if (cursor.empty() || cursor.size() > kMaxCursorChars) return malformed();
  auto bytes = core::base64url_decode(cursor);
  if (!bytes || bytes->size() < 6) return malformed();
  const std::size_t body_end = bytes->size() - 4;
  std::uint32_t sum = 0;
  for (std::size_t i = body_end; i < bytes->size(); ++i) sum = (sum << 8) | (*bytes)[i];
  if (sum != fnv1a(core::ByteView(*bytes).first(body_end))) return malformed();
  if ((*bytes)[0] != static_cast<std::uint8_t>(list) || (*bytes)[1] != kFormat) return malformed();
  return CursorReader(core::Bytes(bytes->begin() + 2, bytes->begin() + static_cast<std::ptrdiff_t>(body_end)));
}

core::Result<std::int64_t> CursorReader::next_int() {
  if (pos_ + 9 > bytes_.size() || bytes_[pos_] != kIntField) return malformed();
  std::uint64_t bits = 0;
  for (std::size_t i = pos_ + 1; i < pos_ + 9; ++i) bits = (bits << 8) | bytes_[i];
  pos_ += 9;
  return static_cast<std::int64_t>(bits);
}

core::Result<std::string> CursorReader::next_text() {
  if (pos_ + 3 > bytes_.size() || bytes_[pos_] != kTextField) return malformed();
  const std::size_t size = (std::size_t{bytes_[pos_ + 1]} << 8) | bytes_[pos_ + 2];
  if (pos_ + 3 + size > bytes_.size()) return malformed();
  std::string text(reinterpret_cast<const char*>(bytes_.data() + pos_ + 3), size);
  pos_ += 3 + size;
  return text;
}

core::Result<void> CursorReader::finish() const {
  if (pos_ != bytes_.size()) return malformed();
  return core::ok();
}

}  // namespace keyrelay::store::sqlite
