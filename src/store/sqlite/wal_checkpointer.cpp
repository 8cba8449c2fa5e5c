#include "store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

namespace keyrelay::store::sqlite {

WalCheckpointer::WalCheckpointer(std::filesystem::path file, std::chrono::milliseconds busy_timeout, Options options)
    : file_(std::move(file)), busy_timeout_(busy_timeout), options_(options), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::attach(Connection& writer) { sqlite3_wal_hook(writer.handle(), &WalCheckpointer::on_commit, this); }

// Runs on the writing thread, after each commit, with the WAL's size in pages.
int WalCheckpointer::on_commit(void* self_ptr, sqlite3* db, const char* schema, int wal_pages) {
  auto& self = *static_cast<WalCheckpointer*>(self_ptr);
  if (wal_pages >= self.options_.inline_at_pages) {
    // The background checkpoints do not keep up: this commit catches up, as SQLite would have.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    self.inline_.fetch_add(1, std::memory_order_relaxed);
  } else if (wal_pages >= self.options_.wake_at_pages) {
    {
      std::lock_guard lock(self.mutex_);
      if (self.requested_) return SQLITE_OK;
      self.requested_ = true;
    }
    self.wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) break;
    lock.unlock();
    checkpoint_once();
    lock.lock();
    requested_ = false;  // a commit from now on may ask again
  }
  lock.unlock();
  conn_.reset();
}

void WalCheckpointer::checkpoint_once() {
  if (!conn_) {
    auto opened = Connection::open(file_, busy_timeout_);
    if (!opened) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      return;  // the next request tries again; past inline_at_pages the writer checkpoints itself
    }
    conn_ = std::move(*opened);
  }
  const int rc = sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // BUSY: another checkpoint runs (the bulk writer's, a TRUNCATE after a secret's overwrite).
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) failed_.fetch_add(1, std::memory_order_relaxed);
  else background_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace keyrelay::store::sqlite
