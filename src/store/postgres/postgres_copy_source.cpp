#include "store/postgres/postgres_copy_source.h"

#include <map>
#include <set>

#include "store/copy_schema.h"
#include "store/postgres/connection.h"

namespace keyrelay::store::postgres {
namespace {

// Type OIDs (pg_type.dat) of the columns keyrelay's schema uses besides text.
constexpr std::uint32_t kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701;

CopyValue value_at(const Rows& rows, int row, int column) {
  if (rows.is_null(row, column)) return std::monostate{};
  switch (rows.type_oid(column)) {
    case kBool: return std::int64_t{rows.bool_at(row, column) ? 1 : 0};
    case kInt2:
    case kInt4:
    case kInt8: return rows.int_at(row, column);
    case kFloat4:
    case kFloat8: return rows.double_at(row, column);
    case kBytea: return rows.bytes_at(row, column);
    default: return rows.text_at(row, column);
  }
}

}  // namespace

PostgresCopySource::PostgresCopySource(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

PostgresCopySource::~PostgresCopySource() {
  if (in_snapshot_) (void)connection_->exec("ROLLBACK", "end the copy snapshot");
}

core::Result<std::unique_ptr<PostgresCopySource>> PostgresCopySource::open(const std::string& url) {
  ConnectionSettings settings;
  settings.url = url;
  settings.application_name = "keyrelay backup";
  auto connection = Connection::open(settings);
  if (!connection) return connection.error();
  return std::unique_ptr<PostgresCopySource>(new PostgresCopySource(std::move(*connection)));
}

core::Result<void> PostgresCopySource::begin_snapshot() {
  if (in_snapshot_) return core::ok();
  if (auto r = connection_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin the copy snapshot"); !r)
    return r;
  in_snapshot_ = true;
  // The admin path of the row-level-security policies: every user's rows.
  if (auto r = connection_->query("SELECT set_config('keyrelay.scope', 'all', true)", "set the copy's scope"); !r)
    return r.error();
  return core::ok();
}

core::Result<int> PostgresCopySource::schema_version() {
  if (auto begun = begin_snapshot(); !begun) return begun.error();
  auto exists = connection_->query("SELECT to_regclass('schema_migrations') IS NOT NULL", "read the schema version");
  if (!exists) return exists.error();
  if (!exists->bool_at(0, 0)) return 0;
  auto version = connection_->query("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
                                    "read the schema version");
  if (!version) return version.error();
  return static_cast<int>(version->int_at(0, 0));
}

core::Result<std::vector<CopyTable>> PostgresCopySource::tables() {
  if (auto begun = begin_snapshot(); !begun) return begun.error();
  auto listed = connection_->query(
      "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c "
      "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
      "ORDER BY c.table_name, c.ordinal_position",
      "list tables");
  if (!listed) return listed.error();
  std::map<std::string, CopyTable> by_name;
  for (int i = 0; i < listed->size(); ++i) {
    auto name = listed->text_at(i, 0);
    if (is_copy_bookkeeping(name)) continue;
    auto& table = by_name[name];
    table.name = name;
    table.columns.push_back(listed->text_at(i, 1));
  }
  auto keys = connection_->query(
      "SELECT c.relname::text, p.relname::text FROM pg_constraint k "
      "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
      "WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace",
      "list foreign keys");
  if (!keys) return keys.error();
  std::map<std::string, std::set<std::string>> parents;
  for (int i = 0; i < keys->size(); ++i) parents[keys->text_at(i, 0)].insert(keys->text_at(i, 1));
  return parents_first(by_name, parents);
}

core::Result<void> PostgresCopySource::read(const CopyTable& table, std::size_t batch, const CopyRowSink& sink) {
  if (auto begun = begin_snapshot(); !begun) return begun;
  std::string select = "SELECT ";
  for (std::size_t i = 0; i < table.columns.size(); ++i) select += (i ? ", " : "") + quoted_identifier(table.columns[i]);
  select += " FROM " + quoted_identifier(table.name);
  const std::string doing = "read " + table.name;
  if (auto r = connection_->exec("DECLARE copy_rows NO SCROLL CURSOR FOR " + select, doing); !r) return r;
  const std::string fetch = "FETCH FORWARD " + std::to_string(std::max<std::size_t>(1, batch)) + " FROM copy_rows";
  for (;;) {
    auto fetched = connection_->query_once(fetch, doing);
    if (!fetched) return fetched.error();
    if (fetched->empty()) break;
    std::vector<CopyRow> rows;
    rows.reserve(static_cast<std::size_t>(fetched->size()));
    for (int r = 0; r < fetched->size(); ++r) {
      CopyRow row;
      row.reserve(table.columns.size());
      for (int c = 0; c < static_cast<int>(table.columns.size()); ++c) row.push_back(value_at(*fetched, r, c));
      rows.push_back(std::move(row));
    }
    if (auto sent = sink(rows); !sent) return sent;
  }
  return connection_->exec("CLOSE copy_rows", doing);
}

}  // namespace keyrelay::store::postgres
