#include "gateway/upstream_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/secret.h"
#include "core/spawned.h"
#include "gateway/answer_parser.h"
#include "gateway/piece_buffer.h"
#include "gateway/upstream_pool.h"
#include "gateway/upstream_url.h"
#include "gateway/upstream_wire.h"
#include "http/eager_io.h"

namespace keyrelay::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto as_result = net::as_tuple(net::use_awaitable);

// A plain connection (its socket non-blocking) writes and reads what it can at once, without a
// turn of the event loop (http/eager_io.h); TLS goes through its stream's own operations.
template <class Stream>
net::awaitable<http::IoResult> write_request(Stream& stream, net::const_buffer data) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) co_return co_await http::write_eagerly(stream.socket(), data);
  else co_return co_await net::async_write(stream, data, as_result);
}

// What a plain connection's socket (non-blocking) has for `parser` now; nullopt when a read would
// have to wait (and for TLS, which reads through its stream).
template <class Stream, class Parser>
std::optional<http::IoResult> read_answer_now(Stream& stream, beast::flat_buffer& buffer, Parser& parser) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    beast::error_code ec;
    const std::size_t now = bhttp::read_some(stream.socket(), buffer, parser, ec);
    if (ec != net::error::would_block) return http::IoResult{ec, now};
  }
  return std::nullopt;
}
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

void wipe(std::string& s) noexcept {
  core::wipe_memory(s.data(), s.size());
  s.clear();
}

// Wipes a buffer when the coroutine frame that owns it ends, however it ends.
struct WipeOnExit {
  std::string& buffer;
  ~WipeOnExit() { wipe(buffer); }
};

// The URL, header values and body may each carry a key.
void wipe_request(UpstreamRequest& request) noexcept {
  wipe(request.url);
  wipe(request.body);
  request.headers.wipe();
}

// An error for a failed transport step. Names the host only: never the target, never a header.
core::Error transport_error(const UpstreamOrigin& origin, std::string_view step, const beast::error_code& ec) {
  if (ec == beast::error::timeout)
    return core::Error::upstream_timeout("upstream " + origin.host + ": " + std::string(step) + " timed out");
  return core::Error::upstream_error("upstream " + origin.host + ": " + std::string(step) + ": " + ec.message());
}

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// How starting an exchange on one connection went.
struct Started {
  core::Result<void> result = core::Error::internal("upstream exchange did not run");
  bool retryable = false;  // failed on a reused connection before any response byte
};

template <class T>
using Spawned = core::Spawned<T>;

}  // namespace

struct UpstreamStream::Impl {
  std::shared_ptr<void> keep_client;  // the pool the lease points into outlives the stream
  UpstreamOrigin origin;
  UpstreamLease lease;
  std::chrono::milliseconds idle_timeout{0};
  std::optional<AnswerParser> parser;
  int status = 0;
  http::Headers headers;
  std::chrono::milliseconds first_byte_latency{0};
  bool done = false;
  PieceBuffer piece;  // what read_some() returns a view of

  // Runs on the connection's strand: the next bytes of the body into `piece` (0 at its end).
  template <class Stream>
  net::awaitable<core::Result<std::size_t>> read_piece(Stream& stream);
  net::awaitable<core::Result<std::size_t>> read_piece_any();
  net::awaitable<Spawned<std::size_t>> read_piece_on_strand() { co_return Spawned<std::size_t>(co_await read_piece_any()); }
  net::awaitable<Spawned<std::string>> read_all_on_strand(std::size_t max_bytes);
  template <class Stream>
  net::awaitable<Spawned<std::string>> read_all(Stream& stream, std::size_t max_bytes);
  // The body ended: a connection that may serve another request goes back to the pool.
  void finish_body() noexcept;
};

struct UpstreamClient::State {
  State(net::any_io_executor ex, UpstreamOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        tls(net::ssl::context::tls_client),
        pool(options.max_connections_per_origin, options.idle_timeout),
        reaper(net::make_strand(executor)) {}

  net::any_io_executor executor;
  const UpstreamOptions options;
  net::ssl::context tls;  // shared by every connection; read-only after construction
  UpstreamPool pool;
  net::steady_timer reaper;  // touched only on its own strand
  std::atomic<bool> stopped{false};

  static net::awaitable<void> reap_idle(std::shared_ptr<State> state, std::chrono::milliseconds period);
  net::awaitable<core::Result<UpstreamLease>> acquire(const UpstreamOrigin& origin, const std::string& key,
                                                      bool fresh_only, const net::any_io_executor& caller,
                                                      UpstreamPool::Affinity affinity);
  net::awaitable<Started> start(UpstreamStream::Impl& impl, std::string_view wire, bool head_request,
                                http::BodySource* source);
  net::awaitable<core::Result<void>> connect(UpstreamConnection& conn, const UpstreamOrigin& origin);
  template <class Stream>
  net::awaitable<Started> send_and_read_head(Stream& stream, UpstreamStream::Impl& impl, std::string_view wire,
                                             bool head_request, http::BodySource* source);
  template <class Stream>
  net::awaitable<core::Result<void>> send_body(Stream& stream, UpstreamStream::Impl& impl, http::BodySource& source);
};

std::size_t default_connections_per_origin(std::size_t open_file_limit, std::size_t max_client_connections) {
  constexpr std::size_t kReserved = 256;  // database, log, keyring, listener, webhooks, CLI pipes …
  constexpr std::size_t kFloor = 16;
  // A proxied stream holds one client and one provider descriptor: half of what is left each. More
  // provider connections than client connections never serve anyone.
  const std::size_t half = open_file_limit > kReserved ? (open_file_limit - kReserved) / 2 : 0;
  return std::max(kFloor, std::min(half, max_client_connections));
}

// Closes idle pooled connections once they have been unused for idle_timeout.
net::awaitable<void> UpstreamClient::State::reap_idle(std::shared_ptr<State> state, std::chrono::milliseconds period) {
  while (!state->stopped.load()) {
    state->reaper.expires_after(period);
    co_await state->reaper.async_wait(as_result);
    if (state->stopped.load()) break;
    state->pool.sweep(Clock::now());
  }
}

UpstreamClient::UpstreamClient(net::any_io_executor executor, UpstreamOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {
  auto& ctx = state_->tls;
  beast::error_code ec;
  ctx.set_default_verify_paths(ec);  // a host without a system store still works with extra_ca_file
  if (const auto& ca = state_->options.extra_ca_file) {
    ctx.load_verify_file(ca->string(), ec);
    if (ec) throw std::runtime_error("cannot load CA file " + ca->string() + ": " + ec.message());
  }
  ctx.set_verify_mode(net::ssl::verify_peer);
  ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_compression);
  // OpenSSL frees a connection's record buffers while it has nothing in flight: a stream that
  // waits for its provider's next event holds none.
  SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error("cannot require TLS 1.2 for upstream connections");

  const auto period = std::clamp<std::chrono::milliseconds>(state_->options.idle_timeout / 2,
                                                            std::chrono::milliseconds(10), std::chrono::seconds(5));
  net::co_spawn(state_->reaper.get_executor(), State::reap_idle(state_, period), net::detached);
}

UpstreamClient::~UpstreamClient() {
  state_->stopped.store(true);
  net::post(state_->reaper.get_executor(), [state = state_] { state->reaper.cancel(); });
  state_->pool.close_all();
}

net::awaitable<core::Result<UpstreamResponse>> UpstreamClient::fetch(UpstreamRequest request) {
  const auto started = Clock::now();
  auto stream = co_await open(std::move(request));
  if (!stream) co_return stream.error();
  auto body = co_await stream->read_rest(state_->options.max_response_bytes);
  if (!body) co_return body.error();
  UpstreamResponse response;
  response.status = stream->status();
  response.headers = stream->headers();
  response.body = std::move(*body);
  response.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  co_return response;
}

net::awaitable<core::Result<UpstreamStream>> UpstreamClient::open(UpstreamRequest request) {
  const auto started = Clock::now();
  const std::shared_ptr<State> state = state_;  // the pool outlives this call even if the client goes

  // Serialize once into our own buffer, then wipe every other copy of the request.
  std::string wire;
  WipeOnExit wipe_wire{wire};
  auto target = parse_upstream_url(request.url);
  const std::shared_ptr<http::BodySource> source = std::move(request.body_source);
  core::Result<void> ready = core::ok();
  if (!target) ready = target.error();
  else if (source)
    ready = serialize_request_head(request.method, target->target, target->origin.host_header, request.headers,
                                   source->content_length(), wire);
  else
    ready = serialize_request(request.method, target->target, target->origin.host_header, request.headers,
                              request.borrowed_body.value_or(request.body), wire);
  const bool head_request = request.method == "HEAD";
  wipe_request(request);
  if (target) wipe(target->target);
  if (!ready) co_return ready.error();

  const std::string key = target->origin.key();
  // A caller that runs serialised — a server session on its I/O thread's own io_context, or on a
  // strand — lends its executor to new connections, so that its later requests run their upstream
  // exchange inline instead of hopping to another thread and back. (A caller on a thread pool's
  // executor does not: a connection must never run on two threads at once.)
  const net::any_io_executor caller = co_await net::this_coro::executor;
  const bool caller_is_io_thread = caller.target<net::io_context::executor_type>() != nullptr;
  const bool caller_is_strand = caller_is_io_thread || caller.target<net::strand<net::io_context::executor_type>>() != nullptr;
  // An I/O thread keeps to its own connections (a strand may be short-lived: it only prefers its own).
  const auto affinity = caller_is_io_thread ? UpstreamPool::Affinity::own : UpstreamPool::Affinity::prefer;
  for (int attempt = 0;; ++attempt) {
    // A streamed body cannot be replayed: it gets a fresh connection (a pooled one the server has
    // already closed would fail after the first pieces were consumed) and is never retried.
    const bool fresh_only = attempt > 0 || source != nullptr;
    // A free connection or slot is taken at once; only at the origin's cap does the call wait in line.
    std::optional<UpstreamLease> lease = state->pool.try_acquire(key, fresh_only, &caller, affinity);
    if (!lease) {
      auto waited = co_await state->acquire(target->origin, key, fresh_only, caller, affinity);
      if (!waited) co_return waited.error();
      lease = std::move(*waited);
    }
    if (!lease->connection())
      lease->attach(std::make_unique<UpstreamConnection>(caller_is_strand ? caller : net::make_strand(state->executor),
                                                         target->origin.tls ? &state->tls : nullptr));
    auto impl = std::make_unique<UpstreamStream::Impl>();
    impl->keep_client = state;
    impl->origin = target->origin;
    impl->idle_timeout = state->options.idle_timeout;
    impl->lease = std::move(*lease);
    const auto& executor = impl->lease.connection()->executor();
    // Every operation on the connection runs on its strand, so its stream and timer never race.
    // (if/else, not ?: — GCC 12 destroys a co_await temporary of a conditional expression twice.)
    Started out;
    if (executor == caller) out = co_await state->start(*impl, wire, head_request, source.get());
    else out = co_await net::co_spawn(executor, state->start(*impl, wire, head_request, source.get()), net::use_awaitable);
    if (out.result) {
      impl->first_byte_latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      co_return UpstreamStream(std::move(impl));
    }
    // A pooled connection the server had already given up on: try once more on a new one.
    if (out.retryable && attempt == 0 && !source) continue;
    co_return std::move(out.result).error();
  }
}

// Waits in line while the origin is at its cap, at most the connect timeout.
net::awaitable<core::Result<UpstreamLease>> UpstreamClient::State::acquire(const UpstreamOrigin& origin,
                                                                           const std::string& key, bool fresh_only,
                                                                           const net::any_io_executor& caller,
                                                                           UpstreamPool::Affinity affinity) {
  auto lease = co_await pool.acquire(key, fresh_only, caller, Clock::now() + options.connect_timeout, affinity);
  if (!lease)
    co_return core::Error::upstream_error("upstream " + origin.host + ": all " +
                                          std::to_string(options.max_connections_per_origin) +
                                          " connections are busy");
  co_return std::move(*lease);
}

net::awaitable<Started> UpstreamClient::State::start(UpstreamStream::Impl& impl, std::string_view wire,
                                                     bool head_request, http::BodySource* source) {
  UpstreamConnection& conn = *impl.lease.connection();
  if (!conn.is_connected()) {
    if (auto connected = co_await connect(conn, impl.origin); !connected) {
      Started out;
      out.result = std::move(connected).error();
      co_return out;
    }
  }
  if (auto* tls = conn.tls()) co_return co_await send_and_read_head(*tls, impl, wire, head_request, source);
  co_return co_await send_and_read_head(*conn.plain(), impl, wire, head_request, source);
}

net::awaitable<core::Result<void>> UpstreamClient::State::connect(UpstreamConnection& conn,
                                                                  const UpstreamOrigin& origin) {
  const auto deadline = Clock::now() + options.connect_timeout;

  // Resolve. The resolver has no deadline of its own, so a timer on the same strand cancels it.
  auto resolver = std::make_shared<tcp::resolver>(conn.executor());
  net::steady_timer guard(conn.executor());
  guard.expires_at(deadline);
  guard.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](const beast::error_code& ec) {
    if (auto r = weak.lock(); r && !ec) r->cancel();
  });
  auto [rec, endpoints] = co_await resolver->async_resolve(origin.host, std::to_string(origin.port), as_result);
  guard.cancel();
  if (rec) {
    if (Clock::now() >= deadline) co_return transport_error(origin, "resolve", beast::error::timeout);
    co_return transport_error(origin, "resolve", rec);
  }

  // Connect.
  auto& stream = conn.tcp();
  stream.expires_at(deadline);
  auto [cec, endpoint] = co_await stream.async_connect(endpoints, as_result);
  if (cec) co_return transport_error(origin, "connect", cec);
  beast::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
  if (!conn.tls()) stream.socket().non_blocking(true, ignored);  // for the eager reads and writes

  // TLS handshake: SNI (names only, never addresses), then the chain and the host name are checked.
  if (auto* tls = conn.tls()) {
    if (!is_ip_address(origin.host) && SSL_set_tlsext_host_name(tls->native_handle(), origin.host.c_str()) != 1)
      co_return core::Error::upstream_error("upstream " + origin.host + ": cannot set TLS server name");
    tls->set_verify_mode(net::ssl::verify_peer);
    tls->set_verify_callback(net::ssl::host_name_verification(origin.host));
    auto [hec] = co_await tls->async_handshake(net::ssl::stream_base::client, as_result);
    if (hec) co_return transport_error(origin, "TLS handshake", hec);
  }
  stream.expires_never();
  conn.mark_connected();
  co_return core::ok();
}

template <class Stream>
net::awaitable<Started> UpstreamClient::State::send_and_read_head(Stream& stream, UpstreamStream::Impl& impl,
                                                                  std::string_view wire, bool head_request,
                                                                  http::BodySource* source) {
  UpstreamConnection& conn = *impl.lease.connection();
  auto& buffer = conn.buffer();
  const bool reused = impl.lease.is_reused();
  Started out;

  // Write the request.
  conn.limit_after(options.idle_timeout);
  auto [write_ec, written] = co_await write_request(stream, net::buffer(wire.data(), wire.size()));
  const beast::error_code wec = conn.timeout_or(write_ec);
  if (wec) {
    out.retryable = reused && wec != beast::error::timeout;
    out.result = transport_error(impl.origin, "write", wec);
    co_return out;
  }
  if (source != nullptr) {
    if (auto sent = co_await send_body(stream, impl, *source); !sent) {
      out.result = std::move(sent).error();  // never retryable: pieces of the body are gone
      co_return out;
    }
  }

  // Read the head; interim 1xx answers are skipped. Room for a typical answer's head and a small
  // body in one read (an empty buffer reads 512 bytes at a time: two or three reads per answer);
  // given back when the connection goes idle.
  buffer.reserve(4096);
  auto& parser = impl.parser;
  bool got_response = false;
  for (;;) {
    parser.emplace();
    parser->header_limit(kMaxResponseHeaderBytes);
    parser->body_limit(boost::none);  // read_rest() enforces its own limit; a stream may be long
    if (head_request) parser->skip(true);
    conn.limit_after(options.first_byte_timeout);
    auto [read_ec, n] = co_await bhttp::async_read_header(stream, buffer, *parser, as_result);
    const beast::error_code hec = conn.timeout_or(read_ec);
    if (hec) {
      got_response = got_response || parser->got_some() || buffer.size() != 0;
      out.retryable = reused && !got_response && hec != beast::error::timeout;
      out.result = transport_error(impl.origin, "reading response", hec);
      co_return out;
    }
    got_response = true;
    const int status = parser->status();
    if (status < 100 || status >= 200 || status == 101) break;
  }
  conn.limit_never();

  impl.status = parser->status();
  impl.headers = std::move(parser->headers());
  strip_hop_by_hop(impl.headers);
  if (parser->is_done()) impl.finish_body();  // no body (204, HEAD, Content-Length: 0)
  out.result = core::ok();
  co_return out;
}

// Writes the body as `source` yields it: as is under Content-Length, else one chunk per piece and
// the last chunk. A source error is returned as is; a source whose length differs from the one it
// announced is an invalid_request. The caller closes the connection after any failure.
template <class Stream>
net::awaitable<core::Result<void>> UpstreamClient::State::send_body(Stream& stream, UpstreamStream::Impl& impl,
                                                                    http::BodySource& source) {
  const std::optional<std::size_t> length = source.content_length();
  std::size_t sent = 0;
  std::string frame;
  WipeOnExit wipe_frame{frame};
  for (;;) {
    auto piece = co_await source.read_some();
    if (!piece) co_return piece.error();
    const bool last = piece->empty();
    if (length && (last ? sent != *length : piece->size() > *length - sent))
      co_return core::Error::invalid_request("request body does not match its Content-Length");
    if (length && last) co_return core::ok();
    std::string_view out = *piece;
    if (!length) {
      frame.clear();
      append_chunk(*piece, frame);
      out = frame;
    }
    sent += piece->size();
    impl.lease.connection()->limit_after(options.idle_timeout);
    auto [write_ec, n] = co_await write_request(stream, net::buffer(out.data(), out.size()));
    if (write_ec) co_return transport_error(impl.origin, "write", impl.lease.connection()->timeout_or(write_ec));
    if (last) co_return core::ok();
  }
}

// ---- UpstreamStream -------------------------------------------------------------------------------

void UpstreamStream::Impl::finish_body() noexcept {
  done = true;
  if (!parser || !lease.connection()) return;
  auto& conn = *lease.connection();
  conn.limit_never();
  piece.release();
  if (parser->keep_alive() && !parser->need_eof() && status != 101 && conn.buffer().size() == 0) {
    conn.buffer().shrink_to_fit();  // an idle pooled connection holds no read buffer
    lease.keep_alive();
  } else {
    lease = {};
  }
}

template <class Stream>
net::awaitable<core::Result<std::size_t>> UpstreamStream::Impl::read_piece(Stream& stream) {
  auto& conn = *lease.connection();
  while (!parser->is_done()) {
    parser->lend(piece.room());
    conn.limit_after(idle_timeout);
    // Through the stream when it must wait: the connection's time limit bounds the wait.
    http::IoResult read;
    if (auto now = read_answer_now(stream, conn.buffer(), *parser)) read = *now;
    else read = co_await bhttp::async_read_some(stream, conn.buffer(), *parser, as_result);
    auto [read_ec, n] = read;
    beast::error_code ec = conn.timeout_or(read_ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec == net::ssl::error::stream_truncated && parser->need_eof()) {
      // A TLS peer that closes without close_notify to end an EOF-delimited body.
      beast::error_code eof_ec;
      parser->put_eof(eof_ec);
      ec = eof_ec;
    }
    if (ec) co_return transport_error(origin, "reading response", ec);
    const std::size_t produced = parser->written();
    if (produced > 0) {
      piece.filled(produced);
      co_return produced;
    }
  }
  finish_body();
  co_return std::size_t{0};
}

net::awaitable<core::Result<std::size_t>> UpstreamStream::Impl::read_piece_any() {
  auto& conn = *lease.connection();
  if (auto* tls = conn.tls()) co_return co_await read_piece(*tls);
  co_return co_await read_piece(*conn.plain());
}

net::awaitable<Spawned<std::string>> UpstreamStream::Impl::read_all_on_strand(std::size_t max_bytes) {
  auto& conn = *lease.connection();
  if (auto* tls = conn.tls()) co_return co_await read_all(*tls, max_bytes);
  co_return co_await read_all(*conn.plain(), max_bytes);
}

template <class Stream>
net::awaitable<Spawned<std::string>> UpstreamStream::Impl::read_all(Stream& stream, std::size_t max_bytes) {
  std::string all;
  for (;;) {
    auto n = co_await read_piece(stream);
    if (!n) co_return Spawned<std::string>(n.error());
    if (*n == 0) co_return Spawned<std::string>(std::move(all));
    if (all.size() + *n > max_bytes)
      co_return Spawned<std::string>(core::Error::upstream_error("upstream " + origin.host + ": response is larger than " +
                                            std::to_string(max_bytes) + " bytes"));
    all.append(piece.data(), *n);
  }
}

UpstreamStream::UpstreamStream() = default;
UpstreamStream::UpstreamStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamStream::UpstreamStream(UpstreamStream&&) noexcept = default;
UpstreamStream& UpstreamStream::operator=(UpstreamStream&&) noexcept = default;
UpstreamStream::~UpstreamStream() = default;  // the piece buffer wipes itself

int UpstreamStream::status() const noexcept { return impl_ ? impl_->status : 0; }
const http::Headers& UpstreamStream::headers() const noexcept {
  static const http::Headers none;
  return impl_ ? impl_->headers : none;
}
std::chrono::milliseconds UpstreamStream::first_byte_latency() const noexcept {
  return impl_ ? impl_->first_byte_latency : std::chrono::milliseconds{0};
}
bool UpstreamStream::done() const noexcept { return !impl_ || impl_->done; }

net::awaitable<core::Result<std::string_view>> UpstreamStream::read_some() {
  if (done()) co_return std::string_view{};
  const auto& executor = impl_->lease.connection()->executor();
  const net::any_io_executor here = co_await net::this_coro::executor;
  Spawned<std::size_t> n;
  if (executor == here) n = co_await impl_->read_piece_on_strand();
  else n = co_await net::co_spawn(executor, impl_->read_piece_on_strand(), net::use_awaitable);
  if (!n.value) {
    impl_->done = true;
    impl_->lease = {};  // a connection in an unknown state is closed, never pooled
    co_return n.value.error();
  }
  co_return std::string_view(impl_->piece.data(), *n.value);
}

net::awaitable<core::Result<std::string>> UpstreamStream::read_rest(std::size_t max_bytes) {
  if (done()) co_return std::string{};
  const auto& executor = impl_->lease.connection()->executor();
  const net::any_io_executor here = co_await net::this_coro::executor;
  Spawned<std::string> all;
  if (executor == here) all = co_await impl_->read_all_on_strand(max_bytes);
  else all = co_await net::co_spawn(executor, impl_->read_all_on_strand(max_bytes), net::use_awaitable);
  if (!all.value) {
    impl_->done = true;
    impl_->lease = {};
  }
  co_return std::move(all.value);
}

}  // namespace keyrelay::gateway
