#include "store/sqlite/bulk_writer.h"

#include <string>

namespace keyrelay::store::sqlite {

core::Result<BulkWriter::Lease> BulkWriter::acquire() {
  std::unique_lock lock(mutex_);
  if (!conn_) {
    auto opened = Connection::open(file_, busy_timeout_);
    if (!opened) return opened.error();
    const std::string settings = "PRAGMA cache_size = -" + std::to_string(options_.cache_kib) +
                                 "; PRAGMA wal_autocheckpoint = " + std::to_string(options_.checkpoint_pages) + ";";
    if (auto set = (*opened)->exec(settings, "setting up the bulk writer"); !set) return set.error();
    conn_ = std::move(*opened);
  }
  return Lease{std::move(lock), conn_.get()};
}

void BulkWriter::release() noexcept {
  std::lock_guard lock(mutex_);
  if (!conn_) return;
  (void)conn_->exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing the WAL");
  conn_.reset();
}

}  // namespace keyrelay::store::sqlite
