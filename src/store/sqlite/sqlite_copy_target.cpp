#include "store/sqlite/sqlite_copy_target.h"

#include <chrono>

#include "store/copy_schema.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/transaction.h"

namespace keyrelay::store::sqlite {
namespace {

// "INSERT INTO t (a, b) VALUES (?1, ?2)": one row per step, the statement reused from the cache.
std::string insert_sql(const CopyTable& table) {
  std::string sql = "INSERT INTO " + quoted_identifier(table.name) + " (";
  for (std::size_t c = 0; c < table.columns.size(); ++c) sql += (c ? ", " : "") + quoted_identifier(table.columns[c]);
  sql += ") VALUES (";
  for (std::size_t c = 0; c < table.columns.size(); ++c) sql += (c ? ", ?" : "?") + std::to_string(c + 1);
  return sql + ")";
}

void bind(Statement& stmt, int index, const CopyValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) stmt.bind_null(index);
        else if constexpr (std::is_same_v<T, std::int64_t>) stmt.bind_int(index, v);
        else if constexpr (std::is_same_v<T, double>) stmt.bind_double(index, v);
        else if constexpr (std::is_same_v<T, std::string>) stmt.bind_text(index, v);
        else stmt.bind_blob(index, v);
      },
      value);
}

}  // namespace

SqliteCopyTarget::SqliteCopyTarget(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

SqliteCopyTarget::~SqliteCopyTarget() { rollback(); }

core::Result<std::unique_ptr<SqliteCopyTarget>> SqliteCopyTarget::open(const std::filesystem::path& file) {
  auto connection = Connection::open(file, std::chrono::milliseconds(5000));
  if (!connection) return connection.error();
  return std::unique_ptr<SqliteCopyTarget>(new SqliteCopyTarget(std::move(*connection)));
}

core::Result<void> SqliteCopyTarget::begin(const std::vector<CopyTable>& tables) {
  Connection& conn = *connection_;
  // The write lock from the start: no server adds a row between the emptiness check and the commit.
  if (auto r = conn.exec("BEGIN IMMEDIATE", "begin the copy"); !r) return r;
  open_ = true;
  auto listed = conn.prepare(
      "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'");
  if (!listed) return listed.error();
  SchemaColumns target;
  for (;;) {
    auto row = listed->step("list the target's tables");
    if (!row) return row.error();
    if (!*row) break;
    auto table = listed->text_at(0);
    if (!is_copy_bookkeeping(table)) target[table].insert(listed->text_at(1));
  }
  if (auto same = check_same_tables(tables, target); !same) return same;
  return check_empty(tables);
}

core::Result<void> SqliteCopyTarget::check_empty(const std::vector<CopyTable>& tables) {
  for (const auto& table : tables) {
    auto any = connection_->prepare("SELECT 1 FROM " + quoted_identifier(table.name) + " LIMIT 1");
    if (!any) return any.error();
    auto row = any->step("check that the target is empty");
    if (!row) return row.error();
    if (*row)
      return core::Error::conflict("the target is not empty (table " + table.name +
                                   " has rows); only an empty database is filled");
  }
  return core::ok();
}

core::Result<void> SqliteCopyTarget::write(const CopyTable& table, const std::vector<CopyRow>& rows) {
  if (!open_) return core::Error::internal("copy: write before begin");
  const std::string sql = insert_sql(table);
  const std::string doing = "copy rows into " + table.name;
  for (const auto& row : rows) {
    if (row.size() != table.columns.size())
      return core::Error::internal("copy: a row of " + table.name + " has the wrong number of values");
    auto stmt = connection_->prepare(sql);
    if (!stmt) return stmt.error();
    for (std::size_t c = 0; c < row.size(); ++c) bind(*stmt, static_cast<int>(c + 1), row[c]);
    if (auto done = stmt->run(doing); !done) return done;
  }
  return core::ok();
}

core::Result<void> SqliteCopyTarget::commit() {
  if (!open_) return core::Error::internal("copy: commit before begin");
  // Servers already running on the file drop their caches.
  if (auto bumped = bump_generation(*connection_); !bumped) return bumped;
  if (auto r = connection_->exec("COMMIT", "commit the copy"); !r) return r;
  open_ = false;
  return core::ok();
}

void SqliteCopyTarget::rollback() noexcept {
  if (!open_) return;
  open_ = false;
  (void)connection_->exec("ROLLBACK", "roll back the copy");
}

}  // namespace keyrelay::store::sqlite
