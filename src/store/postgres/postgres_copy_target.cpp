#include "store/postgres/postgres_copy_target.h"

#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "store/copy_schema.h"
#include "store/postgres/connection.h"
#include "store/postgres/params.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store::postgres {
namespace {

// PostgreSQL's limit on the parameters of one statement.
constexpr std::size_t kMaxParams = 65535;

// A double as text that reads back as the same double.
std::string exact_text(double value) {
  std::array<char, 32> text{};
  const int n = std::snprintf(text.data(), text.size(), "%.17g", value);
  return std::string(text.data(), static_cast<std::size_t>(n));
}

void add(Params& params, const CopyValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) params.null();
        // Integers go as text: the column decides (bigint, or boolean from SQLite's 0/1).
        else if constexpr (std::is_same_v<T, std::int64_t>) params.text(std::to_string(v));
        else if constexpr (std::is_same_v<T, double>) params.text(exact_text(v));
        else if constexpr (std::is_same_v<T, std::string>) params.text(v);
        else params.bytes(v);
      },
      value);
}

// "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)" for `rows` rows.
std::string insert_sql(const CopyTable& table, std::size_t rows) {
  std::string sql = "INSERT INTO " + quoted_identifier(table.name) + " (";
  for (std::size_t c = 0; c < table.columns.size(); ++c) sql += (c ? ", " : "") + quoted_identifier(table.columns[c]);
  sql += ") VALUES ";
  std::size_t n = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < table.columns.size(); ++c) sql += (c ? ", $" : "$") + std::to_string(n++);
    sql += ")";
  }
  return sql;
}

}  // namespace

PostgresCopyTarget::PostgresCopyTarget(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

PostgresCopyTarget::~PostgresCopyTarget() { rollback(); }

core::Result<std::unique_ptr<PostgresCopyTarget>> PostgresCopyTarget::open(const std::string& url) {
  ConnectionSettings settings;
  settings.url = url;
  settings.application_name = "keyrelay store copy";
  auto connection = Connection::open(settings);
  if (!connection) return connection.error();
  return std::unique_ptr<PostgresCopyTarget>(new PostgresCopyTarget(std::move(*connection)));
}

core::Result<void> PostgresCopyTarget::begin(const std::vector<CopyTable>& tables) {
  Connection& conn = *connection_;
  if (auto r = conn.exec("BEGIN", "begin the copy"); !r) return r;
  open_ = true;
  // The admin path of the row-level-security policies: the copy writes (and checks) every user's rows.
  if (auto r = conn.query("SELECT set_config('keyrelay.scope', 'all', true)", "set the copy's scope"); !r) return r.error();

  auto listed = conn.query(
      "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c "
      "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
      "list the target's tables");
  if (!listed) return listed.error();
  SchemaColumns target;
  for (int i = 0; i < listed->size(); ++i) {
    auto table = listed->text_at(i, 0);
    if (!is_copy_bookkeeping(table)) target[table].insert(listed->text_at(i, 1));
  }
  if (auto same = check_same_tables(tables, target); !same) return same;

  // No server may write while the copy checks and fills the tables.
  std::string lock = "LOCK TABLE ";
  for (std::size_t i = 0; i < tables.size(); ++i) lock += (i ? ", " : "") + quoted_identifier(tables[i].name);
  if (auto r = conn.exec(lock + " IN EXCLUSIVE MODE", "lock the target's tables"); !r) return r;
  for (const auto& table : tables) {
    auto any = conn.query("SELECT 1 FROM " + quoted_identifier(table.name) + " LIMIT 1", "check that the target is empty");
    if (!any) return any.error();
    if (!any->empty())
      return core::Error::conflict("the target is not empty (table " + table.name +
                                   " has rows); store copy only fills an empty database");
  }
  return core::ok();
}

core::Result<void> PostgresCopyTarget::write(const CopyTable& table, const std::vector<CopyRow>& rows) {
  if (!open_) return core::Error::internal("store copy: write before begin");
  const std::size_t per_statement = std::max<std::size_t>(1, kMaxParams / std::max<std::size_t>(1, table.columns.size()));
  for (std::size_t first = 0; first < rows.size(); first += per_statement) {
    const std::size_t count = std::min(per_statement, rows.size() - first);
    Params params;
    for (std::size_t r = first; r < first + count; ++r) {
      if (rows[r].size() != table.columns.size())
        return core::Error::internal("store copy: a row of " + table.name + " has the wrong number of values");
      for (const auto& value : rows[r]) add(params, value);
    }
    auto inserted = connection_->query(insert_sql(table, count), params, "copy rows into " + table.name);
    if (!inserted) return inserted.error();
  }
  return core::ok();
}

core::Result<void> PostgresCopyTarget::commit() {
  if (!open_) return core::Error::internal("store copy: commit before begin");
  // Servers already running on the target drop their caches.
  if (auto bumped = bump_generation(*connection_); !bumped) return bumped;
  if (auto r = connection_->exec("COMMIT", "commit the copy"); !r) return r;
  open_ = false;
  return core::ok();
}

void PostgresCopyTarget::rollback() noexcept {
  if (!open_) return;
  open_ = false;
  (void)connection_->exec("ROLLBACK", "roll back the copy");
}

}  // namespace keyrelay::store::postgres
