#include "http/deadline.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

namespace keyrelay::http {

namespace net = boost::asio;

boost::asio::execution_context::id DeadlineSweeper::id;

namespace {
DeadlineSweeper& sweeper_of(const net::any_io_executor& executor) {
  return net::use_service<DeadlineSweeper>(net::query(executor, net::execution::context));
}
}  // namespace

Deadline::Deadline(const net::any_io_executor& executor, std::function<void()> on_expired)
    : sweeper_(sweeper_of(executor)), on_expired_(std::move(on_expired)) {
  sweeper_.add(*this, executor);
}

Deadline::~Deadline() { sweeper_.remove(*this); }

void Deadline::expires_at(Clock::time_point when) {
  when_ = when;
  expired_ = false;
  sweeper_.wake_by(when);
}

DeadlineSweeper::DeadlineSweeper(net::execution_context& context) : net::execution_context::service(context) {}

void DeadlineSweeper::add(Deadline& deadline, const net::any_io_executor& executor) {
  std::lock_guard lock(mutex_);
  if (!timer_) timer_.emplace(executor);
  deadlines_.push_back(deadline);
}

void DeadlineSweeper::remove(Deadline& deadline) noexcept {
  std::lock_guard lock(mutex_);
  if (deadline.is_linked()) deadlines_.erase(deadlines_.iterator_to(deadline));
}

void DeadlineSweeper::wake_by(Clock::time_point when) {
  if (when >= wakes_at_ || !timer_) return;
  wakes_at_ = when;
  timer_->expires_at(when);  // cancels the wait for the later wake-up
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sweep();
  });
}

// Cancels the I/O of every connection past its deadline and sleeps until the next one.
void DeadlineSweeper::sweep() {
  wakes_at_ = Clock::time_point::max();
  Clock::time_point next = Clock::time_point::max();
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (Deadline& deadline : deadlines_) {
      if (deadline.when_ <= now) {
        deadline.when_ = Clock::time_point::max();
        deadline.expired_ = true;
        deadline.on_expired_();
      } else if (deadline.when_ < next) {
        next = deadline.when_;
      }
    }
  }
  if (next != Clock::time_point::max()) wake_by(next);
}

void DeadlineSweeper::shutdown() {
  std::lock_guard lock(mutex_);
  timer_.reset();  // before the context's timer service goes; no wake-up after shutdown
  wakes_at_ = Clock::time_point::min();
}

}  // namespace keyrelay::http
