#include "http/server.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/server_tls.h"
#include "http/session.h"
#include "logging/log.h"

namespace keyrelay::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {
constexpr auto as_result = net::as_tuple(net::use_awaitable);

// The peer's address (an IPv4-mapped IPv6 peer as IPv4); unspecified when unknown.
net::ip::address peer_address(const tcp::socket& socket) {
  beast::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return {};
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  return address;
}
}  // namespace

// The number of I/O threads: the configured count, or one per core.
unsigned io_thread_count(const ServerOptions& options) {
  return options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

// Handlers capture a raw Impl*: Impl owns the io_contexts, so it outlives every handler in them.
//
// One io_context per I/O thread, each run by that thread alone: a connection is handed to one of
// them when it is accepted and stays there with its requests and the upstream connections they
// open (UpstreamClient lends the caller's executor to a new connection), so the hot path needs no
// strand, takes no lock of Asio's scheduler across threads and wakes no other thread. The first
// context also runs the listener, the signals and the shutdown.
// The first I/O thread's context. Its pending accept holds a socket made for another thread's
// context, so its operations must be destroyed while the others still exist (members go in reverse
// order, and this one is declared first): ~Impl() does that first.
struct ListenerContext : net::io_context {
  using net::io_context::io_context;
  void destroy_pending_operations() { shutdown(); }
};

struct Server::Impl {
  ~Impl() { ioc.destroy_pending_operations(); }
  Impl(ServerOptions opts, const Router& r)
      : options(std::move(opts)), router(r), shared{options, router, draining, open_streams}, acceptor(ioc), signals(ioc),
        drain_deadline(ioc) {
    for (unsigned i = 1; i < io_thread_count(options); ++i) {
      auto& context = *others.emplace_back(std::make_unique<net::io_context>(1));
      keep_running.push_back(net::make_work_guard(context));
    }
  }

  ServerOptions options;
  const Router& router;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> open_streams{0};
  SessionShared shared;
  ListenerContext ioc{1};
  std::vector<std::unique_ptr<net::io_context>> others;  // the other I/O threads' contexts
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  std::size_t next_context = 0;  // round robin of new connections; used by the listener only
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer drain_deadline;

  std::unique_ptr<ServerTls> tls;  // set by listen() when options.tls is; then every connection is TLS

  struct Entry {
    std::weak_ptr<SessionBase> session;
    std::string client;  // the peer address counted in per_client; empty when not counted
  };
  mutable std::mutex mutex;  // guards sessions, per_client and next_id
  std::unordered_map<std::uint64_t, Entry> sessions;
  std::unordered_map<std::string, std::size_t> per_client;  // open connections by peer address
  std::uint64_t next_id = 1;

  net::awaitable<void> accept_loop();
  void start_session(tcp::socket socket);
  // Runs `session` on `executor` until it ends; `keep` stays alive as long (a TLS context).
  template <class S>
  void spawn(const net::any_io_executor& executor, std::shared_ptr<S> session, std::uint64_t id,
             std::shared_ptr<void> keep);
  void end_session(std::uint64_t id);
  void begin_shutdown();
  void stop_when_drained();
  void wait_for_signal();
  std::vector<std::shared_ptr<SessionBase>> live_sessions();

  // The context the next accepted connection lives on.
  net::io_context& next_io() {
    const std::size_t i = next_context++ % (others.size() + 1);
    return i == 0 ? ioc : *others[i - 1];
  }
  void stop_all() {
    ioc.stop();
    for (auto& context : others) context->stop();
  }
};

std::vector<std::shared_ptr<SessionBase>> Server::Impl::live_sessions() {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard lock(mutex);
  out.reserve(sessions.size());
  for (auto& [id, entry] : sessions)
    if (auto s = entry.session.lock()) out.push_back(std::move(s));
  return out;
}

net::awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(next_io(), as_result);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors or a transient error: back off briefly instead of spinning.
      logging::warn("accept failed", {{"error", ec.message()}});
      net::steady_timer pause(ioc, std::chrono::milliseconds(50));
      co_await pause.async_wait(as_result);
      continue;
    }
    if (draining.load()) continue;  // socket closes as it goes out of scope
    start_session(std::move(socket));
  }
}

void Server::Impl::start_session(tcp::socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto executor = socket.get_executor();
  // Connections per peer address are capped too, except for trusted proxies and (by default) the
  // host itself: a load balancer or a local reverse proxy carries every client's connections.
  const net::ip::address peer = peer_address(socket);
  std::string client = peer.is_unspecified() ? std::string() : peer.to_string();
  if (options.max_connections_per_client == 0 || client.empty() || options.trusted_proxies.contains(client) ||
      (peer.is_loopback() && !options.cap_loopback_clients))
    client.clear();
  // A reload swaps the context for the connections accepted after it; this one keeps its own.
  std::shared_ptr<net::ssl::context> tls_context = tls ? tls->current() : nullptr;
  std::shared_ptr<Session<PlainStream>> plain;
  std::shared_ptr<Session<TlsStream>> secure;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex);
    const auto counted = client.empty() ? per_client.end() : per_client.find(client);
    const bool client_full = counted != per_client.end() && counted->second >= options.max_connections_per_client;
    if (sessions.size() >= options.max_connections || client_full) {
      // Over TLS the socket just closes (it goes out of scope): a 503 would cost a handshake.
      if (!tls_context) net::co_spawn(executor, refuse_connection(std::move(socket), options), net::detached);
      return;
    }
    id = next_id++;
    std::shared_ptr<SessionBase> session;
    if (tls_context) session = secure = std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls_context), shared, id);
    else session = plain = std::make_shared<Session<PlainStream>>(std::move(socket), shared, id);
    if (!client.empty()) ++per_client[client];
    sessions.emplace(id, Entry{std::move(session), std::move(client)});
  }
  if (secure) spawn(executor, std::move(secure), id, std::move(tls_context));
  else spawn(executor, std::move(plain), id, nullptr);
}

template <class S>
void Server::Impl::spawn(const net::any_io_executor& executor, std::shared_ptr<S> session, std::uint64_t id,
                         std::shared_ptr<void> keep) {
  auto run = session->run();
  net::co_spawn(executor, std::move(run),
                [self = this, session = std::move(session), id, keep = std::move(keep)](std::exception_ptr e) {
                  if (e) {
                    try {
                      std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                      logging::error("connection failed", {{"connection", id}, {"error", ex.what()}});
                    }
                  }
                  self->end_session(id);
                });
}

void Server::Impl::end_session(std::uint64_t id) {
  bool empty = false;
  {
    std::lock_guard lock(mutex);
    if (auto it = sessions.find(id); it != sessions.end()) {
      if (!it->second.client.empty()) {
        auto counted = per_client.find(it->second.client);
        if (counted != per_client.end() && --counted->second == 0) per_client.erase(counted);
      }
      sessions.erase(it);
    }
    empty = sessions.empty();
  }
  if (empty && draining.load()) stop_when_drained();
}

void Server::Impl::begin_shutdown() {
  if (draining.exchange(true)) return;
  net::post(ioc, [self = this] {
    logging::info("shutting down", {{"open_connections", self->live_sessions().size()},
                                    {"deadline_ms", self->options.shutdown_timeout.count()}});
    beast::error_code ec;
    self->acceptor.close(ec);
    self->signals.cancel(ec);
    for (auto& s : self->live_sessions()) s->begin_shutdown();
    self->drain_deadline.expires_after(self->options.shutdown_timeout);
    self->drain_deadline.async_wait([self](const beast::error_code& wait_ec) {
      if (wait_ec) return;  // cancelled: drained in time
      auto rest = self->live_sessions();
      if (!rest.empty()) logging::warn("shutdown deadline passed; closing connections", {{"open_connections", rest.size()}});
      for (auto& s : rest) s->force_close();
      // Sessions end promptly once their sockets close; give them a moment, then stop regardless.
      self->drain_deadline.expires_after(std::chrono::seconds(1));
      self->drain_deadline.async_wait([self](const beast::error_code&) { self->stop_all(); });
    });
    std::lock_guard lock(self->mutex);
    if (self->sessions.empty()) net::post(self->ioc, [self] { self->stop_when_drained(); });
  });
}

// SIGHUP runs the reload hook and waits again; SIGINT/SIGTERM start the drain.
void Server::Impl::wait_for_signal() {
  signals.async_wait([this](const beast::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      logging::info("signal received", {{"signal", "SIGHUP"}});
      options.on_sighup();
      wait_for_signal();
      return;
    }
    logging::info("signal received", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
    begin_shutdown();
  });
}

void Server::Impl::stop_when_drained() {
  net::post(ioc, [self = this] {
    self->drain_deadline.cancel();
    self->stop_all();
  });
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
  impl_->stop_all();
}

core::Result<std::uint16_t> Server::listen() {
  if (impl_->options.tls && !impl_->tls) {
    auto tls = ServerTls::load(*impl_->options.tls);
    if (!tls) return tls.error();
    impl_->tls = std::move(*tls);
  }
  const std::string& listen = impl_->options.listen;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return core::Error::invalid_request("listen address must be host:port");
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);

  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  const auto results = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return core::Error::invalid_request("cannot resolve listen address " + listen);
  const tcp::endpoint endpoint = results.begin()->endpoint();

  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(4096, ec);
  if (ec) return core::Error::unavailable("cannot listen on " + listen + ": " + ec.message());
  return acceptor.local_endpoint().port();
}

void Server::run() {
  Impl* impl = impl_.get();
  net::co_spawn(impl->ioc, impl->accept_loop(), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        logging::error("listener failed", {{"error", ex.what()}});
      }
    }
  });
  if (impl->options.handle_signals) {
    impl->signals.add(SIGINT);
    impl->signals.add(SIGTERM);
    if (impl->options.on_sighup) impl->signals.add(SIGHUP);
    impl->wait_for_signal();
  }

  auto run_loop = [](net::io_context& context) {
    for (;;) {
      try {
        context.run();
        return;
      } catch (const std::exception& e) {
        // A handler bug must not take the whole server down; log it and keep serving.
        logging::error("I/O thread caught an exception", {{"error", e.what()}});
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(impl->others.size());
  for (auto& context : impl->others) threads.emplace_back([&run_loop, &context] { run_loop(*context); });
  run_loop(impl->ioc);
  impl->stop_all();
  for (auto& t : threads) t.join();
}

void Server::shutdown() { impl_->begin_shutdown(); }

core::Result<void> Server::reload_tls() {
  if (!impl_->tls) return core::Error::invalid_request("the server does not serve TLS");
  auto reloaded = impl_->tls->reload();
  if (!reloaded)
    logging::error("TLS certificate not reloaded; new connections keep the current one",
                   {{"error", reloaded.error().message}});
  return reloaded;
}

bool Server::serves_tls() const noexcept { return impl_->options.tls.has_value(); }

bool Server::listens_on_loopback() const {
  beast::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return !ec && endpoint.address().is_loopback();
}

bool Server::is_draining() const noexcept { return impl_->draining.load(); }

std::int64_t Server::open_streams() const noexcept { return impl_->open_streams.load(std::memory_order_relaxed); }

boost::asio::any_io_executor Server::executor() const { return impl_->ioc.get_executor(); }

std::size_t Server::connection_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

}  // namespace keyrelay::http
