#pragma once
// co_spawn(executor, coroutine, use_awaitable) — the way a coroutine runs one step on another
// strand and comes back — needs a default-constructible result, and Result<T> has none. A coroutine
// run that way returns Spawned<T>; the caller reads `.value`.

#include <utility>

#include "core/result.h"

namespace keyrelay::core {

template <class T>
struct Spawned {
  Spawned() = default;
  Spawned(Result<T> v) : value(std::move(v)) {}  // NOLINT: implicit, for co_return
  Result<T> value = Error::internal("a spawned operation did not run");
};

}  // namespace keyrelay::core
