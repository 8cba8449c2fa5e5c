#pragma once
// Connection: one libpq connection (PGconn), with the statements it has prepared.
//
// Every parameterized statement is prepared once per connection under a generated name and run with
// PQexecPrepared; its SQL text is the cache key, so callers just pass the SQL. Results are binary
// (rows.h), parameters text or binary (params.h).
// libpq's messages may repeat the connection string; every message that leaves this class has the
// URL's password cut out. Not thread-safe: one thread at a time (the pool lends it out).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "store/postgres/params.h"
#include "store/postgres/rows.h"

struct pg_conn;

namespace keyrelay::store::postgres {

struct ConnectionSettings {
  std::string url;                            // postgres://user:pass@host:port/db?sslmode=…
  std::chrono::seconds connect_timeout{5};    // used unless the URL sets connect_timeout
  std::string application_name = "keyrelay";  // shows in pg_stat_activity
};

// A password taken out of the URL, for scrubbing messages ("" when the URL has none).
std::string url_password(std::string_view url);
// `text` with every occurrence of `secret` replaced by "***".
std::string scrub(std::string text, std::string_view secret);

class Connection {
 public:
  // Connects. unavailable when the server cannot be reached or refuses the login (the message
  // says why, without the password); invalid_request when the URL does not parse.
  static core::Result<std::unique_ptr<Connection>> open(const ConnectionSettings& settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (BEGIN, DDL, a migration script).
  core::Result<void> exec(std::string_view sql, std::string_view doing);
  // Runs `sql` with `params` as a prepared statement; returns its rows (or, for INSERT/UPDATE/
  // DELETE without RETURNING, an empty result whose affected() counts the rows changed).
  core::Result<Rows> query(std::string_view sql, const Params& params, std::string_view doing);
  core::Result<Rows> query(std::string_view sql, std::string_view doing) { return query(sql, Params{}, doing); }
  // Runs `sql` once without preparing it (statements that cannot be prepared, e.g. FETCH from a
  // cursor); binary results like query().
  core::Result<Rows> query_once(std::string_view sql, std::string_view doing);

  // The SQLSTATE of the last statement that failed since clear_sqlstate() ("" when none did, or
  // the connection was lost before the server answered). Successes leave it alone, so it survives
  // the ROLLBACK after a failure (the retry decision reads it there).
  const std::string& last_sqlstate() const noexcept { return last_sqlstate_; }
  void clear_sqlstate() noexcept { last_sqlstate_.clear(); }
  // The connection is up and outside any transaction: fit to lend out again.
  bool reusable() const noexcept;
  // The connection is gone (the server went away, or a network failure).
  bool broken() const noexcept;
  // Inside a transaction (open or failed).
  bool in_transaction() const noexcept;
  // The server process serving this connection (pg_terminate_backend in tests).
  int backend_pid() const noexcept;
  // `value` quoted as an SQL string literal for this connection's encoding.
  core::Result<std::string> quote_literal(std::string_view value);
  // The libpq handle, for LISTEN/NOTIFY (change_feed.cpp).
  pg_conn* handle() const noexcept { return conn_; }

  // Audit events appended in the current transaction (counted when it commits, see transaction.h).
  std::uint64_t pending_audit_events = 0;

 private:
  Connection(pg_conn* conn, std::string password) noexcept : conn_(conn), password_(std::move(password)) {}
  // Maps a failed (or missing) result to an error and remembers its SQLSTATE.
  core::Error fail(const pg_result* result, std::string_view doing);
  core::Result<std::string> prepared_name(std::string_view sql, std::string_view doing);

  pg_conn* conn_;
  std::string password_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string last_sqlstate_;
};

}  // namespace keyrelay::store::postgres
