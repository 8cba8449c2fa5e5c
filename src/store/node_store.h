#pragma once
// NodeStore: the servers sharing this store (heartbeat rows), read by master-key changes.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class NodeStore {
 public:
  virtual ~NodeStore() = default;

  // Inserts or replaces the row of `node.id`, and forgets rows whose live_until is before
  // `forget_before` (servers that stopped without removing theirs). No generation bump: a
  // heartbeat changes nothing any cache depends on.
  virtual core::Result<void> record_node(const NodeRecord& node, TimePoint forget_before) = 0;
  // Removes the row of `id` (a server stopping cleanly); no such row is no error.
  virtual core::Result<void> remove_node(std::string_view id) = 0;
  // Nodes whose live_until is at or after `now`, ordered by id.
  virtual core::Result<std::vector<NodeRecord>> live_nodes(TimePoint now) = 0;
};

}  // namespace keyrelay::store
