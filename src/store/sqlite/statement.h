#pragma once
// Statement: one use of a prepared SQLite statement — bind parameters, step, read columns.
//
// A Statement borrows a prepared statement from its Connection's cache (or owns a fresh one when
// the cached copy is already in use) and hands it back reset, with its bindings cleared, when it is
// destroyed. Not thread-safe: it belongs to the thread that holds the connection. Move-only; must
// not outlive the Connection that made it.
//
// Binding never fails on its own: the first bind error is remembered and returned by step().
// Parameters are 1-based (?1, ?2, ...), columns 0-based, as in the SQLite C API.
//
// Storage formats (shared by every table):
//   time      INTEGER, Unix milliseconds, UTC (sub-millisecond precision is dropped, rounding down);
//             integers compare and sort correctly and never need parsing.
//   optional  NULL when absent.
//   bool      INTEGER 0/1.
//   bytes     BLOB (an empty vector is stored as an empty blob, not NULL).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "store/records.h"

struct sqlite3;
struct sqlite3_stmt;

namespace keyrelay::store::sqlite {

// Finalizes a prepared statement; the deleter of every owned sqlite3_stmt*.
struct FinalizeStatement {
  void operator()(sqlite3_stmt* stmt) const noexcept;
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// Unix milliseconds of `t`, rounded down.
std::int64_t to_unix_ms(TimePoint t) noexcept;
// The time point `ms` milliseconds after the Unix epoch (clamped to what TimePoint can hold).
TimePoint from_unix_ms(std::int64_t ms) noexcept;

class Statement {
 public:
  // Borrows `stmt` (held by a connection's cache) and clears `*in_use` when done with it.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) noexcept;
  // Owns `stmt` and finalizes it when done.
  Statement(sqlite3* db, StatementHandle stmt) noexcept;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // ---- parameters ----
  void bind_null(int index);
  void bind_int(int index, std::int64_t value);
  void bind_bool(int index, bool value);
  void bind_double(int index, double value);
  void bind_text(int index, std::string_view value);
  void bind_text(int index, const std::string& value) { bind_text(index, std::string_view(value)); }
  void bind_text(int index, const char* value) { bind_text(index, std::string_view(value)); }
  void bind_text(int index, const std::optional<std::string>& value);  // NULL when absent
  void bind_blob(int index, core::ByteView value);
  // Bound without a copy (SQLITE_STATIC): for the hot inserts. The bytes must stay valid and
  // unchanged until this Statement is destroyed (that resets it and clears its bindings).
  void bind_text_borrowed(int index, std::string_view value);
  void bind_text_borrowed(int index, const std::string& value) { bind_text_borrowed(index, std::string_view(value)); }
  void bind_text_borrowed(int index, std::string&&) = delete;  // a temporary would dangle
  void bind_text_borrowed(int index, const std::optional<std::string>& value);  // NULL when absent
  void bind_blob_borrowed(int index, core::ByteView value);
  void bind_time(int index, TimePoint value);
  void bind_time(int index, const std::optional<TimePoint>& value);     // NULL when absent

  // ---- execution ----
  // Advances to the next row: true when a row is ready, false when the statement is done.
  // Errors as mapped by sqlite_error(); `doing` names the operation for the log.
  core::Result<bool> step(std::string_view doing);
  // Runs a statement that returns no rows to completion.
  core::Result<void> run(std::string_view doing);
  // Rows changed by the last completed INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const noexcept;

  // ---- columns of the current row ----
  bool is_null(int column) const noexcept;
  std::int64_t int_at(int column) const noexcept;
  bool bool_at(int column) const noexcept;
  std::string text_at(int column) const;
  std::optional<std::string> optional_text_at(int column) const;
  core::Bytes blob_at(int column) const;
  TimePoint time_at(int column) const noexcept;
  std::optional<TimePoint> optional_time_at(int column) const noexcept;

 private:
  void note_bind(int rc) noexcept;

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_ = nullptr;  // set when borrowed from a cache
  StatementHandle owned_;   // set when owned
  int bind_rc_ = 0;         // first failed bind, SQLITE_OK (0) when none
};

}  // namespace keyrelay::store::sqlite
