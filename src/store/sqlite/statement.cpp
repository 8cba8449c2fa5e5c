#include "store/sqlite/statement.h"

#include <sqlite3.h>

#include "store/sqlite/sqlite_error.h"

namespace keyrelay::store::sqlite {

using std::chrono::milliseconds;

void FinalizeStatement::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

std::int64_t to_unix_ms(TimePoint t) noexcept {
  return std::chrono::floor<milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_ms(std::int64_t ms) noexcept {
  // TimePoint counts nanoseconds on Linux: keep a corrupt value from overflowing the conversion.
  constexpr auto kLimit = std::chrono::duration_cast<milliseconds>(TimePoint::duration::max()).count();
  if (ms > kLimit) ms = kLimit;
  if (ms < -kLimit) ms = -kLimit;
  return TimePoint{std::chrono::duration_cast<TimePoint::duration>(milliseconds{ms})};
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) noexcept
    : db_(db), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(sqlite3* db, StatementHandle stmt) noexcept
    : db_(db), stmt_(stmt.get()), owned_(std::move(stmt)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;  // moved from
  // Reset releases the statement's read lock; clearing drops copies of bound values (sealed blobs).
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (in_use_ != nullptr) *in_use_ = false;
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      in_use_(other.in_use_),
      owned_(std::move(other.owned_)),
      bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

void Statement::note_bind(int rc) noexcept {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind_null(int index) { note_bind(sqlite3_bind_null(stmt_, index)); }

void Statement::bind_int(int index, std::int64_t value) { note_bind(sqlite3_bind_int64(stmt_, index, value)); }

void Statement::bind_bool(int index, bool value) { bind_int(index, value ? 1 : 0); }

void Statement::bind_double(int index, double value) { note_bind(sqlite3_bind_double(stmt_, index, value)); }

void Statement::bind_text(int index, std::string_view value) {
  note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::bind_text(int index, const std::optional<std::string>& value) {
  if (value) {
    bind_text(index, std::string_view(*value));
  } else {
    bind_null(index);
  }
}

void Statement::bind_blob(int index, core::ByteView value) {
  // A null data pointer would bind NULL; an empty blob must stay a blob.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  note_bind(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT));
}

void Statement::bind_text_borrowed(int index, std::string_view value) {
  static const char kEmpty = 0;  // a null data pointer would bind NULL; an empty text must stay text
  note_bind(sqlite3_bind_text64(stmt_, index, value.empty() ? &kEmpty : value.data(), value.size(), SQLITE_STATIC,
                                SQLITE_UTF8));
}

void Statement::bind_text_borrowed(int index, const std::optional<std::string>& value) {
  if (value) {
    bind_text_borrowed(index, std::string_view(*value));
  } else {
    bind_null(index);
  }
}

void Statement::bind_blob_borrowed(int index, core::ByteView value) {
  static const std::uint8_t kEmpty = 0;
  note_bind(sqlite3_bind_blob64(stmt_, index, value.empty() ? &kEmpty : value.data(), value.size(), SQLITE_STATIC));
}

void Statement::bind_time(int index, TimePoint value) { bind_int(index, to_unix_ms(value)); }

void Statement::bind_time(int index, const std::optional<TimePoint>& value) {
  if (value) {
    bind_time(index, *value);
  } else {
    bind_null(index);
  }
}

core::Result<bool> Statement::step(std::string_view doing) {
  if (bind_rc_ != SQLITE_OK) return sqlite_error(db_, bind_rc_, doing);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, rc, doing);
}

core::Result<void> Statement::run(std::string_view doing) {
  for (;;) {
    auto row = step(doing);
    if (!row) return row.error();
    if (!*row) return core::ok();
  }
}

std::int64_t Statement::changes() const noexcept { return sqlite3_changes64(db_); }

bool Statement::is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::int_at(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

bool Statement::bool_at(int column) const noexcept { return int_at(column) != 0; }

std::string Statement::text_at(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);  // after the conversion to text
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::optional<std::string> Statement::optional_text_at(int column) const {
  if (is_null(column)) return std::nullopt;
  return text_at(column);
}

core::Bytes Statement::blob_at(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return {data, data + size};
}

TimePoint Statement::time_at(int column) const noexcept { return from_unix_ms(int_at(column)); }

std::optional<TimePoint> Statement::optional_time_at(int column) const noexcept {
  if (is_null(column)) return std::nullopt;
  return time_at(column);
}

}  // namespace keyrelay::store::sqlite
