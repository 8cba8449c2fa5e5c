#include "store/sqlite/sqlite_copy_source.h"

#include <sqlite3.h>

#include <map>
#include <set>
#include <system_error>

#include "store/copy_schema.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_error.h"

namespace keyrelay::store::sqlite {
namespace {

// A statement owned here (table names come from sqlite_master, never from input).
struct Query {
  sqlite3_stmt* stmt = nullptr;
  ~Query() { sqlite3_finalize(stmt); }
};

core::Result<void> prepare(sqlite3* db, const std::string& sql, Query& query, std::string_view doing) {
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &query.stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, doing);
  return core::ok();
}

std::string text_column(sqlite3_stmt* stmt, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
}

}  // namespace

SqliteCopySource::SqliteCopySource(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

SqliteCopySource::~SqliteCopySource() {
  if (in_snapshot_) (void)connection_->exec("ROLLBACK", "end the copy snapshot");
}

core::Result<std::unique_ptr<SqliteCopySource>> SqliteCopySource::open(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return core::Error::not_found("no SQLite database at " + file.string());
  auto connection = Connection::open(file, std::chrono::milliseconds(5000));
  if (!connection) return connection.error();
  return std::unique_ptr<SqliteCopySource>(new SqliteCopySource(std::move(*connection)));
}

core::Result<void> SqliteCopySource::begin_snapshot() {
  if (in_snapshot_) return core::ok();
  // BEGIN is deferred: the snapshot starts with the first read and holds until the end. In WAL
  // mode it is a consistent view of every table while servers keep committing.
  if (auto begun = connection_->exec("BEGIN", "begin the copy snapshot"); !begun) return begun.error();
  in_snapshot_ = true;
  return core::ok();
}

core::Result<int> SqliteCopySource::schema_version() {
  if (auto begun = begin_snapshot(); !begun) return begun.error();
  return read_schema_version(*connection_);
}

core::Result<std::vector<CopyTable>> SqliteCopySource::tables() {
  sqlite3* db = connection_->handle();
  if (auto begun = begin_snapshot(); !begun) return begun.error();
  Query names;
  if (auto r = prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", names, "list tables"); !r)
    return r.error();
  std::vector<std::string> found;
  int rc;
  while ((rc = sqlite3_step(names.stmt)) == SQLITE_ROW) {
    auto name = text_column(names.stmt, 0);
    if (!is_copy_bookkeeping(name)) found.push_back(std::move(name));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db, rc, "list tables");

  std::map<std::string, CopyTable> by_name;
  std::map<std::string, std::set<std::string>> parents;  // table -> tables its foreign keys name
  for (const auto& name : found) {
    CopyTable table{name, {}};
    Query columns;
    if (auto r = prepare(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", columns, "list columns"); !r)
      return r.error();
    sqlite3_bind_text(columns.stmt, 1, name.c_str(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(columns.stmt)) == SQLITE_ROW) table.columns.push_back(text_column(columns.stmt, 0));
    if (rc != SQLITE_DONE) return sqlite_error(db, rc, "list columns");
    Query keys;
    if (auto r = prepare(db, "SELECT \"table\" FROM pragma_foreign_key_list(?1)", keys, "list foreign keys"); !r)
      return r.error();
    sqlite3_bind_text(keys.stmt, 1, name.c_str(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(keys.stmt)) == SQLITE_ROW) {
      auto parent = text_column(keys.stmt, 0);
      if (parent != name) parents[name].insert(std::move(parent));
    }
    if (rc != SQLITE_DONE) return sqlite_error(db, rc, "list foreign keys");
    by_name.emplace(name, std::move(table));
  }

  return parents_first(by_name, parents);
}

core::Result<void> SqliteCopySource::read(const CopyTable& table, std::size_t batch, const CopyRowSink& sink) {
  sqlite3* db = connection_->handle();
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < table.columns.size(); ++i) sql += (i ? ", " : "") + quoted_identifier(table.columns[i]);
  // A full scan, in storage order (rowid or, for WITHOUT ROWID tables, primary key): the order
  // does not matter, the target checks every constraint only once the copy commits.
  sql += " FROM " + quoted_identifier(table.name);
  Query query;
  const std::string doing = "read " + table.name;
  if (auto r = prepare(db, sql, query, doing); !r) return r.error();
  std::vector<CopyRow> rows;
  rows.reserve(batch);
  int rc;
  while ((rc = sqlite3_step(query.stmt)) == SQLITE_ROW) {
    CopyRow row;
    row.reserve(table.columns.size());
    for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
      switch (sqlite3_column_type(query.stmt, i)) {
        case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
        case SQLITE_INTEGER: row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(query.stmt, i))); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(query.stmt, i)); break;
        case SQLITE_TEXT: row.emplace_back(text_column(query.stmt, i)); break;
        default: {
          const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(query.stmt, i));
          const auto size = static_cast<std::size_t>(sqlite3_column_bytes(query.stmt, i));
          row.emplace_back(data == nullptr ? core::Bytes{} : core::Bytes(data, data + size));
        }
      }
    }
    rows.push_back(std::move(row));
    if (rows.size() >= batch) {
      if (auto sent = sink(rows); !sent) return sent;
      rows.clear();
    }
  }
  if (rc != SQLITE_DONE) return sqlite_error(db, rc, doing);
  if (!rows.empty()) return sink(rows);
  return core::ok();
}

}  // namespace keyrelay::store::sqlite
