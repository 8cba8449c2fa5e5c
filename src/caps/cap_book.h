#pragma once
// CapBook: every spend cap that is set, as an immutable snapshot the gateway reads per call without
// touching the store; CapDirectory holds the current snapshot and swaps in a new one when the caps
// change (a change here, or the store generation moving: another node changed them).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/cap_store.h"

namespace keyrelay::caps {

class CapBook {
 public:
  CapBook() = default;
  explicit CapBook(const std::vector<store::CapRecord>& caps);

  // The caps of one subject; nullptr when none is set.
  const store::CapRecord* find(store::CapSubject subject, const std::string& subject_id) const;
  bool empty() const noexcept { return caps_.empty(); }

 private:
  std::map<std::pair<store::CapSubject, std::string>, store::CapRecord, std::less<>> caps_;
};

// Thread-safe: current() and reload() may be called from any thread; reload() blocks on the store.
class CapDirectory {
 public:
  explicit CapDirectory(store::CapStore& store) : store_(store), book_(std::make_shared<const CapBook>()) {}

  std::shared_ptr<const CapBook> current() const;
  // Reads every cap from the store and swaps the snapshot. On an error the old snapshot stays and
  // the error is returned (the caller decides whether to fail closed).
  core::Result<void> reload();
  // Whether the last reload() failed (the snapshot may be stale).
  bool is_stale() const;

 private:
  store::CapStore& store_;
  mutable std::mutex mutex_;  // guards book_ and stale_
  std::shared_ptr<const CapBook> book_;
  bool stale_ = false;
};

}  // namespace keyrelay::caps
