#include "caps/cap_book.h"

namespace keyrelay::caps {

CapBook::CapBook(const std::vector<store::CapRecord>& caps) {
  for (const auto& c : caps)
    if (!c.limits.is_empty()) caps_[{c.subject, c.subject_id}] = c;
}

const store::CapRecord* CapBook::find(store::CapSubject subject, const std::string& subject_id) const {
  const auto it = caps_.find(std::pair<store::CapSubject, std::string>(subject, subject_id));
  return it == caps_.end() ? nullptr : &it->second;
}

std::shared_ptr<const CapBook> CapDirectory::current() const {
  std::lock_guard lock(mutex_);
  return book_;
}

core::Result<void> CapDirectory::reload() {
  auto all = store_.all_caps();
  std::lock_guard lock(mutex_);
  if (!all) {
    stale_ = true;
    return all.error();
  }
  book_ = std::make_shared<const CapBook>(*all);
  stale_ = false;
  return core::ok();
}

bool CapDirectory::is_stale() const {
  std::lock_guard lock(mutex_);
  return stale_;
}

}  // namespace keyrelay::caps
