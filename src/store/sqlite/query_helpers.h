#pragma once
// Small query shapes the engine repeats: "does a row exist", "read exactly one row", and the
// SELECT text for a column list. Templates over how parameters are bound and rows are read.

#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace keyrelay::store::sqlite {

// "SELECT <columns> <rest>".
inline std::string select_sql(std::string_view columns, std::string_view rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

// True when `sql`, with parameters set by `bind(Statement&)`, returns a row.
template <class Bind>
core::Result<bool> row_exists(Connection& conn, std::string_view sql, std::string_view doing, Bind&& bind) {
  auto stmt = conn.prepare(sql);
  if (!stmt) return stmt.error();
  bind(*stmt);
  return stmt->step(doing);
}

// The first row of `sql` read with `read(const Statement&) -> Result<T>`; not_found(`missing`)
// when there is none.
template <class T, class Bind, class Read>
core::Result<T> find_one(Connection& conn, std::string_view sql, std::string_view doing, std::string_view missing,
                         Bind&& bind, Read&& read) {
  auto stmt = conn.prepare(sql);
  if (!stmt) return stmt.error();
  bind(*stmt);
  auto row = stmt->step(doing);
  if (!row) return row.error();
  if (!*row) return core::Error::not_found(std::string(missing));
  return read(*stmt);
}

}  // namespace keyrelay::store::sqlite
