#pragma once
// Runs blocking work (store calls, services) on the worker pool and resumes the calling coroutine on
// its own executor (the connection's strand) with the result. I/O threads never block on the disk.

#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace keyrelay::api {

// `work` is moved to the pool; anything it references must outlive the co_await (locals of the
// awaiting coroutine do). Exceptions thrown by `work` propagate to the awaiting coroutine.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool& pool, F work) {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    co_await boost::asio::co_spawn(
        pool, [w = std::move(work)]() mutable -> boost::asio::awaitable<void> { w(); co_return; },
        boost::asio::use_awaitable);
  } else {
    // co_spawn needs a default-constructible result; Result<T> is not, so carry it in an optional.
    auto out = co_await boost::asio::co_spawn(
        pool,
        [w = std::move(work)]() mutable -> boost::asio::awaitable<std::optional<R>> {
          co_return std::optional<R>(w());
        },
        boost::asio::use_awaitable);
    co_return std::move(*out);
  }
}

}  // namespace keyrelay::api
