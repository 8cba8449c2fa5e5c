#include "store/sqlite/write_batcher.h"

#include <algorithm>
#include <exception>
#include <string>

namespace keyrelay::store::sqlite {
namespace {

// The batcher whose group this thread is running: a write started from inside a write's body
// would queue behind its own group and wait for ever.
thread_local const WriteBatcher* leading = nullptr;

core::Result<void> run_guarded(const std::function<core::Result<void>(Connection&)>& run, Connection& conn) {
  try {
    return run(conn);
  } catch (const std::exception& e) {
    // The leader must finish the group (and wake the others) whatever one write does.
    return core::Error::internal(std::string("a write failed: ") + e.what());
  }
}

}  // namespace

std::size_t WriteBatcher::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

core::Result<void> WriteBatcher::submit(WriteFn run) {
  if (leading == this) return core::Error::internal("a store write may not start another write of the same store");
  Pending me;
  me.run = std::move(run);
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  me.woken.wait(lock, [&] { return me.done || queue_.front() == &me; });
  if (me.done) return std::move(*me.result);

  // The leader. The write lock first: every write that queues while it is awaited joins the group.
  lock.unlock();
  auto tx = Transaction::begin_write(*conn_);
  lock.lock();
  const auto size = static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_group_));
  const std::vector<Pending*> group(queue_.begin(), queue_.begin() + size);
  lock.unlock();

  if (tx) {
    leading = this;
    run_group(std::move(*tx), group);
    leading = nullptr;
  } else {
    for (Pending* write : group) write->result = tx.error();
  }

  lock.lock();
  queue_.erase(queue_.begin(), queue_.begin() + size);
  for (Pending* write : group) {
    write->done = true;
    if (write != &me) write->woken.notify_one();
  }
  if (!queue_.empty()) queue_.front()->woken.notify_one();
  return std::move(*me.result);
}

void WriteBatcher::run_group(Transaction tx, const std::vector<Pending*>& group) {
  Connection& conn = *conn_;
  std::optional<core::Error> broken;  // the group's transaction cannot commit
  for (Pending* write : group) {
    auto savepoint = Savepoint::begin(conn);
    if (!savepoint) {
      broken = savepoint.error();
      break;
    }
    write->result = run_guarded(write->run, conn);
    auto ended = *write->result ? savepoint->release() : savepoint->roll_back();
    if (!ended) {
      broken = ended.error();
      break;
    }
  }
  if (!broken) {
    if (auto committed = tx.commit(); !committed) broken = committed.error();
  }
  if (broken) {
    conn.truncate_wal_after_commit = false;
    // `tx` rolls back (when not already) as it goes out of scope: nothing of the group is kept.
    for (Pending* write : group) {
      if (!write->result || *write->result) write->result = *broken;
    }
    return;
  }
  groups_committed_.fetch_add(1, std::memory_order_relaxed);
  if (conn.truncate_wal_after_commit) {
    // A write overwrote a sealed secret (secure_delete zeroed it in the pages this commit wrote):
    // copying the WAL into the database file and truncating it removes the older frames that still
    // hold it. Best effort: a reader pinning an old snapshot leaves the rest to the next checkpoint.
    (void)conn.exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing the WAL");
    conn.truncate_wal_after_commit = false;
  }
}

}  // namespace keyrelay::store::sqlite
