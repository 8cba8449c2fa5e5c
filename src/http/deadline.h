#pragma once
// Time limits for the I/O of many connections with one timer per I/O thread. Internal to http/ and
// gateway/ (includes Asio).
//
// Beast's tcp_stream arms a timer before every read and write and cancels it after: at one
// connection each arm and each cancel moves the thread's earliest timer (a timerfd_settime), and
// each cancel posts a handler (another turn of the event loop): about eight system calls per proxied
// request. A Deadline only records when its connection's current operation must be done; the
// thread's one DeadlineSweeper timer sleeps until the earliest recorded time and then cancels the
// I/O of every connection past its deadline. A deadline further away than the timer's wake-up moves
// nothing.
//
// A Deadline is used on its executor's thread; that executor's context must be run by one thread
// (keyrelay's I/O threads each run their own). It may be destroyed on any thread.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <boost/intrusive/list.hpp>

namespace keyrelay::http {

class DeadlineSweeper;

class Deadline : public boost::intrusive::list_base_hook<> {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_expired` runs on the executor's thread when the deadline passes while set; it cancels the
  // connection's pending I/O (which then completes with operation_aborted).
  Deadline(const boost::asio::any_io_executor& executor, std::function<void()> on_expired);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void expires_at(Clock::time_point when);
  void expires_after(Clock::duration limit) { expires_at(Clock::now() + limit); }
  void expires_never() noexcept { when_ = Clock::time_point::max(); }

  // The deadline passed since it was last set: an aborted operation timed out.
  bool expired() const noexcept { return expired_; }

 private:
  friend class DeadlineSweeper;
  DeadlineSweeper& sweeper_;
  std::function<void()> on_expired_;
  Clock::time_point when_ = Clock::time_point::max();
  bool expired_ = false;
};

// One per execution context (an Asio service): the deadlines of that context's connections and the
// one timer that enforces them.
class DeadlineSweeper final : public boost::asio::execution_context::service {
 public:
  using key_type = DeadlineSweeper;
  static boost::asio::execution_context::id id;  // NOLINT: Asio's service registry looks it up by this name

  explicit DeadlineSweeper(boost::asio::execution_context& context);

 private:
  friend class Deadline;
  using Clock = Deadline::Clock;

  void add(Deadline& deadline, const boost::asio::any_io_executor& executor);
  void remove(Deadline& deadline) noexcept;
  // A deadline was set to `when`: wakes earlier if that is before the current wake-up.
  void wake_by(Clock::time_point when);
  void sweep();
  void shutdown() override;

  std::mutex mutex_;  // guards deadlines_ (a connection may be destroyed on another thread)
  boost::intrusive::list<Deadline> deadlines_;
  std::optional<boost::asio::steady_timer> timer_;  // made with the first deadline's executor
  Clock::time_point wakes_at_ = Clock::time_point::max();  // the executor's thread only
};

}  // namespace keyrelay::http
