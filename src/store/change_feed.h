#pragma once
// ChangeFeed: a push signal that another process (another node, the CLI) committed a change that
// cached state depends on — the same changes that move SchemaStore::generation. Engines that can
// push (PostgreSQL LISTEN/NOTIFY) offer one; the embedded engine does not need one (the
// generation poll of cli/maintenance.h covers it), so open_change_feed() returns null there.
// Receivers drop their caches; a feed also calls them after it lost its connection, since changes
// may have been missed meanwhile.

#include <functional>
#include <memory>

namespace keyrelay::store {

class Store;

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // `callback` runs on the feed's own thread, once per batch of notifications and once after each
  // reconnect. Subscribe before start(); callbacks must be thread-safe and quick.
  using Callback = std::function<void()>;
  virtual void subscribe(Callback callback) = 0;
  // Starts listening (its own thread, its own connection: never the store's pool).
  virtual void start() = 0;
  // Stops and joins the thread; no callback runs after it returns. Idempotent.
  virtual void stop() = 0;
};

// The feed of `store`'s engine, or null when the engine has none (SQLite).
std::unique_ptr<ChangeFeed> open_change_feed(Store& store);

}  // namespace keyrelay::store
