#pragma once
// Transactions with the SQLite engine's semantics: a call's work commits whole or not at all.
//
// run_transaction() borrows a connection, begins, sets who the work runs for (Access, below),
// runs `body(Connection&)`, bumps the store generation when asked and commits. When the body or
// the commit fails the transaction is rolled back and the error returned. Serialization failures
// and deadlocks (SQLSTATE 40001, 40P01) run the whole transaction again, up to kAttempts times
// with a short random backoff, so `body` must be safe to run more than once (it only talks to the
// database). A connection found dead at BEGIN (the server restarted since it was pooled) is
// replaced and the transaction begun again; a connection lost later is `unavailable` (the caller
// answers 503 + Retry-After) — never retried, since a lost COMMIT may have committed.
//
// Row-level security: every runtime transaction runs `SET LOCAL ROLE keyrelay_runtime` (a NOLOGIN
// role that owns nothing, so the policies bind it even when the URL's role is a superuser) and
// sets `keyrelay.user_id` or `keyrelay.scope` for the policies (migration_scripts.cpp):
//   Access::user(id)   the rows of user `id` only: every KeyStore call, and the calls that name
//                      their owner (list/revoke tokens of a user, usage of an owner, …)
//   Access::admin()    every row: the calls documented "any owner" (directory lookups by name,
//                      token hash or external id, inventory, rotation, nodes, audit, alerts of
//                      everyone). `keyrelay.scope = 'all'` is set only here.
//   Access::owner()    the URL's own role, no RLS role: migrations and schema reads only.
// Isolation is READ COMMITTED; the areas take the row or table locks their checks need.

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/result.h"
#include "store/postgres/connection.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/pg_error.h"

namespace keyrelay::store::postgres {

// The role runtime transactions run as; created and granted by the migrations.
inline constexpr std::string_view kRuntimeRole = "keyrelay_runtime";
// The channel every mutating transaction notifies (LISTEN/NOTIFY, change_feed.h).
inline constexpr std::string_view kChangeChannel = "keyrelay_changes";

class Access {
 public:
  static Access user(std::string_view id) { return Access(Kind::user, std::string(id)); }
  static Access admin() { return Access(Kind::admin, {}); }
  static Access owner() { return Access(Kind::owner, {}); }

  enum class Kind { user, admin, owner };
  Kind kind() const noexcept { return kind_; }
  const std::string& user_id() const noexcept { return user_id_; }

 private:
  Access(Kind kind, std::string user_id) : kind_(kind), user_id_(std::move(user_id)) {}
  Kind kind_;
  std::string user_id_;
};

enum class Mode { read, write };
// Whether a write transaction bumps the store generation (and notifies kChangeChannel).
enum class Bump { generation, none };

inline constexpr int kAttempts = 4;

// BEGIN (READ ONLY for reads) plus the role and settings of `access`, in one round trip.
core::Result<void> begin(Connection& conn, const Access& access, Mode mode);
core::Result<void> commit(Connection& conn);
void rollback(Connection& conn) noexcept;

// Adds one to store_generation and notifies kChangeChannel with the new value; inside a write
// transaction of every change that cached state depends on.
core::Result<void> bump_generation(Connection& conn);

// Audit events committed / transactions carrying audit events that failed, for the metrics.
struct AuditWriteCounts {
  std::uint64_t written = 0;
  std::uint64_t failures = 0;
};
AuditWriteCounts audit_write_counts() noexcept;
// Settles conn.pending_audit_events when a transaction ends.
void settle_audit_events(Connection& conn, bool committed) noexcept;

// Sleeps a random few milliseconds, growing with `attempt` (spreads out retried transactions).
void backoff(int attempt);

template <class Body>
auto run_transaction(ConnectionPool& pool, const Access& access, Mode mode, Bump bump, Body&& body)
    -> std::invoke_result_t<Body&, Connection&> {
  using R = std::invoke_result_t<Body&, Connection&>;
  bool replaced_dead_connection = false;
  for (int attempt = 1;; ++attempt) {
    auto lease = pool.acquire();
    if (!lease) return lease.error();
    Connection& conn = **lease;
    if (auto begun = begin(conn, access, mode); !begun) {
      if (conn.broken() && !replaced_dead_connection) {
        // Pooled before the server restarted: the others are dead too.
        replaced_dead_connection = true;
        pool.drop_idle();
        continue;
      }
      return begun.error();
    }
    R result = body(conn);
    core::Result<void> finished = core::ok();
    if (!result) {
      finished = result.error();
    } else if (mode == Mode::write && bump == Bump::generation) {
      finished = bump_generation(conn);
    }
    if (finished) finished = commit(conn);
    else rollback(conn);
    settle_audit_events(conn, finished.has_value());
    if (finished) return result;
    const bool retry = is_retryable_sqlstate(conn.last_sqlstate()) && attempt < kAttempts;
    if (!retry) {
      if (!result) return result;
      return finished.error();
    }
    backoff(attempt);
  }
}

// A write transaction that bumps the generation.
template <class Body>
auto write_transaction(ConnectionPool& pool, const Access& access, Body&& body) {
  return run_transaction(pool, access, Mode::write, Bump::generation, std::forward<Body>(body));
}
// A read-only transaction (one snapshot per statement; READ COMMITTED).
template <class Body>
auto read_transaction(ConnectionPool& pool, const Access& access, Body&& body) {
  return run_transaction(pool, access, Mode::read, Bump::none, std::forward<Body>(body));
}

}  // namespace keyrelay::store::postgres
