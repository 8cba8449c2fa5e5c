#pragma once
// WriteBatcher: group commit for every write of one SqliteStore. Concurrent writes run in ONE
// transaction on the store's own write connection and share ONE commit (one WAL sync).
//
// Why: SQLite has one writer. Writers that each BEGIN IMMEDIATE on their own pooled connection
// queue on the file lock by sleeping in busy_timeout's back-off (1 ms growing to 100 ms), and a
// newcomer can take the lock before a sleeper wakes, so some writes starve (key create's p99 was
// 17× its p50 at 8 clients), and every write pays its own sync. Here writers queue in process, in
// order, and whoever is first in the queue leads:
//   1. the leader begins the transaction (BEGIN IMMEDIATE: it alone waits for another process),
//   2. takes every write queued by then (itself first, at most max_group),
//   3. runs each inside its own SAVEPOINT: a write that fails (conflict, not found, …) is rolled
//      back alone and answered with its error; the others stay,
//   4. commits once, then answers every write of the group and hands the lead to the next writer.
// Nothing is answered before the commit: a write returns success only once COMMIT returned (and
// synchronous=FULL made it durable). When the transaction itself breaks (BEGIN or COMMIT fails, or
// a savepoint cannot be rolled back) the whole group is rolled back and every write of it that
// had not already failed on its own gets that error, so a failure never leaves part of a write.
// Audit events are chained inside the transaction in the group's order (each write reads the
// chain head its predecessors left), so the chain stays gapless and verifiable.
//
// Thread-safe: write() may be called from any thread; it blocks until its group ended. A write's
// body runs on the leader's thread and must not start another write of the same store (it would
// wait for itself): that is refused with `internal`. Owns the write connection.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/transaction.h"

namespace keyrelay::store::sqlite {

class WriteBatcher {
 public:
  static constexpr std::size_t kDefaultMaxGroup = 64;  // bounds one transaction's length and size

  explicit WriteBatcher(std::unique_ptr<Connection> conn, std::size_t max_group = kDefaultMaxGroup) noexcept
      : conn_(std::move(conn)), max_group_(max_group < 1 ? 1 : max_group) {}
  WriteBatcher(const WriteBatcher&) = delete;
  WriteBatcher& operator=(const WriteBatcher&) = delete;

  // Runs `body(Connection&)` (returning core::Result<T>) as one write of a group transaction,
  // bumping the store generation after it when asked, and returns its result once the group
  // committed — or the error that undid it.
  template <class Body>
  auto write(Bump bump, Body&& body) -> decltype(body(std::declval<Connection&>())) {
    std::optional<decltype(body(std::declval<Connection&>()))> answer;
    auto committed = submit([&](Connection& conn) -> core::Result<void> {
      answer.emplace(body(conn));
      if (!*answer) return answer->error();
      if (bump == Bump::generation) return bump_generation(conn);
      return core::ok();
    });
    if (!committed) return committed.error();
    return std::move(*answer);
  }

  // For tests and diagnostics: writes waiting or running now, and group transactions committed.
  std::size_t queued() const;
  std::uint64_t groups_committed() const noexcept { return groups_committed_.load(std::memory_order_relaxed); }

 private:
  using WriteFn = std::function<core::Result<void>(Connection&)>;
  struct Pending {
    WriteFn run;
    std::optional<core::Result<void>> result;  // empty until the write ran
    bool done = false;                         // GUARDED_BY(mutex_)
    std::condition_variable woken;
  };

  core::Result<void> submit(WriteFn run);
  // The leader's part: runs `group` inside `tx` and commits it; sets every write's result.
  void run_group(Transaction tx, const std::vector<Pending*>& group);

  std::unique_ptr<Connection> conn_;  // used by the leader only
  const std::size_t max_group_;
  mutable std::mutex mutex_;
  std::deque<Pending*> queue_;  // GUARDED_BY(mutex_); the front one leads
  std::atomic<std::uint64_t> groups_committed_{0};
};

}  // namespace keyrelay::store::sqlite
