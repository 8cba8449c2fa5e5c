#pragma once
// Rows: the result of one statement (owns the PGresult), read column by column.
//
// Results come back in binary: integers, booleans and bytes need no parsing or hex decoding.
// The getters accept these column types (a programming error otherwise: std::logic_error):
//   int_at       smallint, integer, bigint, oid      (cast sum()/numeric results to bigint in SQL)
//   double_at    real, double precision, and the integer types
//   bool_at      boolean
//   text_at      text, varchar, char, name, json
//   bytes_at     bytea
//   time_at      bigint Unix milliseconds (the store's time format, see params.h)
// Rows are 0-based, columns 0-based. Move-only; thread-compatible.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "store/records.h"

struct pg_result;

namespace keyrelay::store::postgres {

struct ClearResult {
  void operator()(pg_result* result) const noexcept;
};
using ResultHandle = std::unique_ptr<pg_result, ClearResult>;

class Rows {
 public:
  Rows() = default;
  explicit Rows(ResultHandle result) noexcept : result_(std::move(result)) {}

  int size() const noexcept;
  bool empty() const noexcept { return size() == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE (0 for other statements).
  std::int64_t affected() const noexcept;

  bool is_null(int row, int column) const noexcept;
  // The PostgreSQL type of `column` (pg_type OID), for code that reads columns it did not name.
  std::uint32_t type_oid(int column) const noexcept;
  std::int64_t int_at(int row, int column) const;
  double double_at(int row, int column) const;
  bool bool_at(int row, int column) const;
  std::string text_at(int row, int column) const;
  std::optional<std::string> optional_text_at(int row, int column) const;
  core::Bytes bytes_at(int row, int column) const;
  TimePoint time_at(int row, int column) const;
  std::optional<TimePoint> optional_time_at(int row, int column) const;

 private:
  ResultHandle result_;
};

// One row of a Rows, for the read_* functions of row_mapping.h.
class Row {
 public:
  Row(const Rows& rows, int row) noexcept : rows_(&rows), row_(row) {}
  bool is_null(int c) const noexcept { return rows_->is_null(row_, c); }
  std::int64_t int_at(int c) const { return rows_->int_at(row_, c); }
  double double_at(int c) const { return rows_->double_at(row_, c); }
  bool bool_at(int c) const { return rows_->bool_at(row_, c); }
  std::string text_at(int c) const { return rows_->text_at(row_, c); }
  std::optional<std::string> optional_text_at(int c) const { return rows_->optional_text_at(row_, c); }
  core::Bytes bytes_at(int c) const { return rows_->bytes_at(row_, c); }
  TimePoint time_at(int c) const { return rows_->time_at(row_, c); }
  std::optional<TimePoint> optional_time_at(int c) const { return rows_->optional_time_at(row_, c); }

 private:
  const Rows* rows_;
  int row_;
};

}  // namespace keyrelay::store::postgres
