#include "store/postgres/change_listener.h"

#include "store/postgres/libpq.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "store/postgres/transaction.h"

namespace keyrelay::store::postgres {
namespace {

constexpr auto kFirstRetry = std::chrono::milliseconds(100);
constexpr auto kLongestRetry = std::chrono::milliseconds(5000);

}  // namespace

ChangeListener::ChangeListener(ConnectionSettings settings) : settings_(std::move(settings)) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

ChangeListener::~ChangeListener() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ChangeListener::subscribe(Callback callback) { callbacks_.push_back(std::move(callback)); }

void ChangeListener::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void ChangeListener::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  std::uint64_t drained = 0;
  (void)!::read(wake_fd_, &drained, sizeof drained);
}

void ChangeListener::notify_subscribers() {
  for (const auto& callback : callbacks_) callback();
}

bool ChangeListener::pause(std::chrono::milliseconds delay) {
  pollfd wake{wake_fd_, POLLIN, 0};
  (void)::poll(&wake, 1, static_cast<int>(delay.count()));
  return !stopping_;
}

std::unique_ptr<Connection> ChangeListener::listen() {
  auto conn = Connection::open(settings_);
  if (!conn) return nullptr;
  if (!(*conn)->exec("LISTEN " + std::string(kChangeChannel), "listening for changes")) return nullptr;
  return std::move(*conn);
}

void ChangeListener::run() {
  auto delay = kFirstRetry;
  bool first = true;
  while (!stopping_) {
    auto conn = listen();
    if (!conn) {
      if (!pause(delay)) return;
      delay = std::min(delay * 2, kLongestRetry);
      continue;
    }
    delay = kFirstRetry;
    ++connections_;
    backend_pid_ = conn->backend_pid();
    // Whatever changed while nobody listened (before the first connection the caches are empty
    // or were filled from a store that the generation poll also watches) is dropped now.
    if (!first) notify_subscribers();
    first = false;
    receive(*conn);
    backend_pid_ = 0;
    if (stopping_) return;
    notify_subscribers();  // lost: a change may be missed until we listen again
  }
}

void ChangeListener::receive(Connection& conn) {
  PGconn* pg = conn.handle();
  while (!stopping_) {
    pollfd fds[2] = {{pq::PQsocket(pg), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    // A bounded wait: a server that vanished without closing the socket is found by the keepalive
    // query below within a few seconds.
    const int ready = ::poll(fds, 2, 5000);
    if (stopping_) return;
    if (ready == 0) {
      // Idle: prove the connection still answers (catches half-open TCP connections).
      if (!conn.exec("SELECT 1", "checking the change listener's connection")) return;
    } else if (ready < 0) {
      continue;  // EINTR
    }
    if (pq::PQconsumeInput(pg) == 0 || pq::PQstatus(pg) != CONNECTION_OK) return;
    bool changed = false;
    while (PGnotify* note = pq::PQnotifies(pg)) {
      changed = true;
      pq::PQfreemem(note);
    }
    if (changed) notify_subscribers();
  }
}

}  // namespace keyrelay::store::postgres
