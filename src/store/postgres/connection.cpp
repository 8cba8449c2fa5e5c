#include "store/postgres/connection.h"

#include "store/postgres/libpq.h"

#include "store/postgres/pg_error.h"

namespace keyrelay::store::postgres {
namespace {

struct FreeConninfo {
  void operator()(PQconninfoOption* options) const noexcept { pq::PQconninfoFree(options); }
};

}  // namespace

std::string url_password(std::string_view url) {
  if (!pq::load()) return {};  // nothing to scrub: no libpq, no connection and no libpq message
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, FreeConninfo> options(pq::PQconninfoParse(std::string(url).c_str(), &error));
  if (error != nullptr) pq::PQfreemem(error);
  if (!options) return {};
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o)
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) return o->val;
  return {};
}

std::string scrub(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
  return text;
}

core::Result<std::unique_ptr<Connection>> Connection::open(const ConnectionSettings& settings) {
  if (auto loaded = pq::load(); !loaded) return loaded.error();
  std::string password = url_password(settings.url);
  {
    char* error = nullptr;
    PQconninfoOption* parsed = pq::PQconninfoParse(settings.url.c_str(), &error);
    if (parsed == nullptr) {
      std::string why = error != nullptr ? scrub(error, password) : "it does not parse";
      if (error != nullptr) pq::PQfreemem(error);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return core::Error::invalid_request("the PostgreSQL database URL is not valid: " + why);
    }
    pq::PQconninfoFree(parsed);
  }
  const std::string timeout = std::to_string(settings.connect_timeout.count());
  // Later keywords win: the URL (expanded from "dbname") may override our defaults.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), settings.application_name.c_str(), settings.url.c_str(), nullptr};
  PGconn* conn = pq::PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return core::Error::unavailable("cannot connect to PostgreSQL: out of memory");
  if (pq::PQstatus(conn) != CONNECTION_OK) {
    std::string why = scrub(pq::PQerrorMessage(conn), password);
    pq::PQfinish(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return core::Error::unavailable("cannot connect to PostgreSQL: " + why);
  }
  // libpq prints the server's NOTICEs ("relation … already exists, skipping") on stderr; the
  // store reports what matters through its results, so they are dropped.
  pq::PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn, std::move(password)));
}

Connection::~Connection() { pq::PQfinish(conn_); }

core::Error Connection::fail(const pg_result* result, std::string_view doing) {
  const char* state = result != nullptr ? pq::PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  const char* primary = result != nullptr ? pq::PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string detail = scrub(primary != nullptr ? primary : pq::PQerrorMessage(conn_), password_);
  return postgres_error(last_sqlstate_, detail, broken(), doing);
}

core::Result<void> Connection::exec(std::string_view sql, std::string_view doing) {
  ResultHandle result(pq::PQexec(conn_, std::string(sql).c_str()));
  const auto status = result ? pq::PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(result.get(), doing);
  return core::ok();
}

core::Result<std::string> Connection::prepared_name(std::string_view sql, std::string_view doing) {
  std::string key(sql);
  if (auto found = prepared_.find(key); found != prepared_.end()) return found->second;
  std::string name = "kr" + std::to_string(prepared_.size() + 1);
  // No parameter types: the server infers them from the statement (params.h).
  ResultHandle result(pq::PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr));
  if (!result || pq::PQresultStatus(result.get()) != PGRES_COMMAND_OK) return fail(result.get(), doing);
  prepared_.emplace(std::move(key), name);
  return name;
}

core::Result<Rows> Connection::query(std::string_view sql, const Params& params, std::string_view doing) {
  auto name = prepared_name(sql, doing);
  if (!name) return name.error();
  const auto a = params.arrays();
  ResultHandle result(pq::PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()), a.values.data(),
                                     a.lengths.data(), a.formats.data(), 1));
  const auto status = result ? pq::PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(result.get(), doing);
  return Rows(std::move(result));
}

core::Result<Rows> Connection::query_once(std::string_view sql, std::string_view doing) {
  ResultHandle result(pq::PQexecParams(conn_, std::string(sql).c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1));
  const auto status = result ? pq::PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(result.get(), doing);
  return Rows(std::move(result));
}

bool Connection::reusable() const noexcept {
  return pq::PQstatus(conn_) == CONNECTION_OK && pq::PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool Connection::broken() const noexcept { return pq::PQstatus(conn_) != CONNECTION_OK; }

bool Connection::in_transaction() const noexcept {
  const auto status = pq::PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

int Connection::backend_pid() const noexcept { return pq::PQbackendPID(conn_); }

core::Result<std::string> Connection::quote_literal(std::string_view value) {
  char* quoted = pq::PQescapeLiteral(conn_, value.data(), value.size());
  if (quoted == nullptr) return fail(nullptr, "quoting a value");
  std::string out(quoted);
  pq::PQfreemem(quoted);
  return out;
}

}  // namespace keyrelay::store::postgres
