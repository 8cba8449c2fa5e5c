#include "http/session.h"

#include <array>

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>

#include "core/error.h"
#include "core/secret.h"
#include "core/wiping_allocator.h"
#include "http/eager_io.h"
#include "http/error_response.h"
#include "http/request_id.h"
#include "http/response_head.h"
#include "http/session_body_source.h"
#include "logging/log.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr auto as_result = net::as_tuple(net::use_awaitable);

using BeastResponse = bhttp::response<bhttp::string_body>;

template <class Message>
void set_head(Message& out, const Response& res, std::string_view request_id, bool keep_alive) {
  for (const auto [name, value] : res.headers.fields()) out.insert(name, value);
  out.set("X-Request-Id", request_id);
  if (!res.headers.contains("Cache-Control")) out.set(bhttp::field::cache_control, "no-store");
  if (!res.headers.contains("X-Content-Type-Options")) out.set("X-Content-Type-Options", "nosniff");
  out.keep_alive(keep_alive);
}

BeastResponse to_beast(Response&& res, std::string_view request_id, bool keep_alive) {
  BeastResponse out{static_cast<bhttp::status>(res.status), 11};
  set_head(out, res, request_id, keep_alive);
  out.body() = std::move(res.body);
  out.prepare_payload();
  return out;
}

// Cancels the socket's pending reads and writes (they complete with operation_aborted).
void cancel_io(net::ip::tcp::socket& socket) noexcept {
  beast::error_code ignored;
  socket.cancel(ignored);
}

// Sends each write as one chunk, at once.
template <class Stream>
class ChunkSink final : public BodySink {
 public:
  ChunkSink(Stream& stream, Deadline& deadline, std::chrono::milliseconds timeout)
      : stream_(stream), deadline_(deadline), timeout_(timeout) {}

  net::awaitable<bool> write(std::string_view data) override {
    if (failed_) co_return false;
    if (data.empty()) co_return true;  // an empty chunk would end the body
    deadline_.expires_after(timeout_);
    auto [ec, n] = co_await write_all(stream_, bhttp::make_chunk(net::buffer(data.data(), data.size())));
    if (ec) failed_ = true;
    bytes_ += n;
    co_return !failed_;
  }

  bool failed() const noexcept { return failed_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  Stream& stream_;
  Deadline& deadline_;
  std::chrono::milliseconds timeout_;
  bool failed_ = false;
  std::size_t bytes_ = 0;
};

// The error for a failure while reading a request head or body; nullopt: just close.
std::optional<core::Error> read_error(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit)
    return core::Error::headers_too_large("request headers are larger than the server accepts");
  if (ec == bhttp::error::body_limit)
    return core::Error::payload_too_large("request body is larger than this route accepts");
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == net::error::eof || ec == bhttp::error::partial_message ||
      ec == net::error::broken_pipe || ec == net::error::bad_descriptor)
    return std::nullopt;
  return core::Error::invalid_request("malformed HTTP request");
}

// The headers the request's context adds (RateLimit-*), unless the handler set them itself.
void add_context_headers(Response& response, const RequestContext& ctx) {
  for (const auto& [name, value] : ctx.response_headers.fields())
    if (!response.headers.contains(name)) response.headers.set(name, value);
}

void log_request(std::string_view request_id, std::string_view method, std::string_view route, int status,
                 std::chrono::steady_clock::time_point started, std::size_t bytes_in, std::size_t bytes_out,
                 std::string_view remote_ip) {
  if (!logging::enabled(logging::Level::info)) return;
  // Whole microseconds: exact, and readable (Boost.JSON prints doubles as 9.29E-1).
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  boost::json::object fields{{"request_id", request_id},
                             {"method", method},
                             {"status", status},
                             {"duration_us", elapsed.count()},
                             {"bytes_in", bytes_in},
                             {"bytes_out", bytes_out},
                             {"remote_ip", remote_ip}};
  if (route.empty()) fields["route"] = nullptr;
  else fields["route"] = route;
  logging::write(status >= 500 ? logging::Level::warn : logging::Level::info, "request", std::move(fields));
}

// The handshake failed because the client sent a plain HTTP request (OpenSSL recognizes its first
// bytes and sends no alert).
bool is_plain_http(const beast::error_code& ec) {
  return ec.category() == net::error::get_ssl_category() && ERR_GET_REASON(ec.value()) == SSL_R_HTTP_REQUEST;
}

// Tells a client that spoke plain HTTP to the TLS port what went wrong, in plain HTTP.
net::awaitable<void> answer_plain_http(net::ip::tcp::socket& socket, Deadline& deadline, std::chrono::milliseconds timeout) {
  const std::string request_id = choose_request_id({});
  auto res = to_beast(error_response(core::Error::invalid_request(
                                         "this port serves HTTPS: the request was sent as plain HTTP; use https://"),
                                     request_id),
                      request_id, false);
  deadline.expires_after(timeout);
  co_await bhttp::async_write(socket, res, as_result);
}

}  // namespace

template <class Stream>
net::awaitable<bool> Session<Stream>::start_stream() {
  if constexpr (kIsTls<Stream>) {
    // A client that never finishes its handshake is cut like one that never sends its head.
    deadline_.expires_after(shared_.options.header_timeout);
    auto [ec] = co_await stream_.async_handshake(net::ssl::stream_base::server, as_result);
    if (!ec) {
      stream_started_ = true;
      co_return true;
    }
    if (is_plain_http(ec)) {
      co_await answer_plain_http(socket(), deadline_, shared_.options.write_timeout);
      drain_before_close_ = true;
    }
    // Scanners and clients with no common protocol are common: not worth more than a debug line.
    logging::debug("TLS handshake failed", {{"connection", id_},
                                            {"remote_ip", remote_ip_},
                                            {"error", deadline_.expired() ? "timed out" : ec.message()}});
    co_return false;
  }
  co_return true;
}

template <class Stream>
net::awaitable<void> Session<Stream>::end_stream() {
  if constexpr (kIsTls<Stream>) {
    if (!stream_started_) co_return;
    // Send our close_notify and do not wait for the peer's: the HTTP framing already told the client
    // where the answer ends, and a client idle in its pool would not answer anyway.
    SSL* ssl = stream_.native_handle();
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
    deadline_.expires_after(std::min(shared_.options.write_timeout, std::chrono::milliseconds(2000)));
    co_await stream_.async_shutdown(as_result);
  }
  co_return;  // (a coroutine also for the plain stream)
}

template <class Stream>
Session<Stream>::Session(Stream stream, const SessionShared& shared, std::uint64_t id)
    : stream_(std::move(stream)),
      deadline_(stream_.get_executor(), [this] { cancel_io(socket()); }),
      shared_(shared),
      id_(id) {
  beast::error_code ec;
  const auto remote = socket().remote_endpoint(ec);
  socket().non_blocking(true, ec);  // for the eager reads and writes (http/eager_io.h)
  if (!ec) remote_ip_ = remote.address().to_string();
}

template <class Stream>
void Session<Stream>::begin_shutdown() {
  net::post(stream_.get_executor(), [self = this->shared_from_this()] {
    self->closing_ = true;
    if (self->idle_) cancel_io(self->socket());
  });
}

template <class Stream>
void Session<Stream>::force_close() {
  net::post(stream_.get_executor(), [self = this->shared_from_this()] {
    beast::error_code ec;
    self->socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->socket().close(ec);
  });
}

template <class Stream>
net::awaitable<void> Session<Stream>::run() {
  if (co_await start_stream()) {
    bool first = true;
    while (!closing_ && !shared_.draining.load()) {
      if (!co_await serve_one(first)) break;
      first = false;
    }
    co_await end_stream();
  }
  // Half-close politely; the peer may already be gone, so errors are expected and ignored.
  beast::error_code ec;
  socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (drain_before_close_) co_await drain_unread_body();
  deadline_.expires_never();
  socket().close(ec);
}

// Closing a socket with unread bytes makes the kernel send a reset, which can destroy the response
// the client has not read yet. So read and drop what the client still sends, briefly, first.
template <class Stream>
net::awaitable<void> Session<Stream>::drain_unread_body() {
  constexpr std::size_t kMaxDrainBytes = 64 * 1024 * 1024;
  const auto deadline = std::chrono::steady_clock::now() + std::min(shared_.options.body_timeout,
                                                                    std::chrono::milliseconds(2000));
  buffer_.clear();
  std::size_t drained = 0;
  while (drained < kMaxDrainBytes && std::chrono::steady_clock::now() < deadline) {
    deadline_.expires_at(deadline);
    // The raw socket, also under TLS: what is left is dropped unread, and a TLS read could wait
    // for a record that never completes.
    auto [ec, n] = co_await socket().async_read_some(buffer_.prepare(16 * 1024), as_result);
    if (ec) break;  // the client finished (eof), went away, or the time is up
    drained += n;
  }
  buffer_.clear();
  wipe_consumed(buffer_);
}

template <class Stream>
net::awaitable<beast::error_code> Session<Stream>::read_body(RequestParser& parser, std::size_t body_limit,
                                                             bool expect_continue, Request& request,
                                                             std::size_t& bytes_in) {
  const ServerOptions& opt = shared_.options;
  if (expect_continue) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    deadline_.expires_after(opt.write_timeout);
    auto [ec, n] = co_await write_all(stream_, net::buffer(kContinue));
    if (ec) co_return ec;
  }
  // One deadline for the whole body, across the reads of one async_read: a client that drips a byte
  // now and then is cut all the same.
  deadline_.expires_after(opt.body_timeout);
  parser.body_limit(body_limit);
  auto [ec, n] = co_await read_request_rest(stream_, buffer_, parser);
  bytes_in += n;
  if (!ec) request.body = parser.take_body();
  co_return ec;
}

template <class Stream>
void Session<Stream>::observe(std::string_view route, std::string_view method, int status,
                      std::chrono::steady_clock::time_point started) const {
  if (shared_.options.on_request) shared_.options.on_request(route, method, status, std::chrono::steady_clock::now() - started);
}

template <class Stream>
net::awaitable<std::size_t> Session<Stream>::write(Response&& res, std::string_view request_id, bool keep_alive) {
  if (res.stream) co_return co_await write_streamed(std::move(res), request_id, keep_alive);
  std::string head;
  write_response_head(res.status, res.headers, request_id, keep_alive, res.body.size(), head);
  const std::size_t body_size = response_has_body(res.status) ? res.body.size() : 0;
  const std::array<net::const_buffer, 2> wire{net::buffer(head), net::buffer(res.body.data(), body_size)};
  deadline_.expires_after(shared_.options.write_timeout);
  auto [ec, n] = co_await write_all(stream_, wire);
  core::wipe_memory(res.body.data(), res.body.size());  // an answer may carry a secret (a revealed key)
  co_return ec ? 0 : n;
}

template <class Stream>
net::awaitable<std::size_t> Session<Stream>::write_streamed(Response&& res, std::string_view request_id, bool keep_alive) {
  res.headers.remove("Content-Length");
  res.headers.remove("Transfer-Encoding");
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), 11};
  set_head(head, res, request_id, keep_alive);
  head.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  deadline_.expires_after(shared_.options.write_timeout);
  auto [ec, head_bytes] = co_await bhttp::async_write_header(stream_, serializer, as_result);
  if (ec) {
    broken_ = true;
    co_return 0;
  }
  ChunkSink<Stream> sink(stream_, deadline_, shared_.options.write_timeout);
  // A stream may last minutes: the read buffer is freed meanwhile unless a pipelined request waits
  // in it (the next request allocates it again).
  if (buffer_.size() == 0) buffer_.shrink_to_fit();
  shared_.open_streams.fetch_add(1, std::memory_order_relaxed);
  const bool complete = co_await res.stream->pump(sink);
  shared_.open_streams.fetch_sub(1, std::memory_order_relaxed);
  res.stream.reset();  // release what the body held (an upstream connection) before the next request
  std::size_t total = head_bytes + sink.bytes();
  if (!complete || sink.failed()) {
    broken_ = true;  // no last chunk: the client sees the body was cut
    co_return total;
  }
  deadline_.expires_after(shared_.options.write_timeout);
  auto [lec, last_bytes] = co_await write_all(stream_, bhttp::make_chunk_last());
  if (lec) broken_ = true;
  co_return total + last_bytes;
}

// One request while it is served: what the head said, the route it matched, and the bytes read.
template <class Stream>
struct Session<Stream>::Exchange {
  RequestContext ctx;
  RequestParser parser;
  std::size_t bytes_in = 0;
  std::string method_name = "-";  // as the client sent it, for the log
  std::string path;               // the target without its query: it chooses the error shape
  RouteMatch match;
  std::optional<core::Error> refusal;  // a target or method no route could serve
  std::size_t body_limit = 0;
  boost::optional<std::uint64_t> content_length;
  bool large_body = false;  // chunked, or over head_check_above: read only once the head passed
  bool keep_alive_requested = false;
  bool expect_continue = false;
  Request request;
  std::shared_ptr<SessionBodySource<Stream>> source;  // set when the handler reads the body as it arrives
};

// Serves one request; false when the connection must close.
template <class Stream>
net::awaitable<bool> Session<Stream>::serve_one(bool first) {
  if (!co_await wait_for_request(first)) co_return false;
  Exchange ex;
  ex.ctx.started_at = std::chrono::steady_clock::now();
  ex.ctx.remote_ip = remote_ip_;
  if (const auto ec = co_await read_head(ex)) co_return co_await close_after_read_error(ex, ec);
  route(ex);
  if (auto refused = refusal_before_body(ex)) {
    co_await reply_error(ex, *refused);
    co_return false;
  }
  if (auto refused = co_await check_head(ex)) {
    co_await reply_error(ex, *refused);
    co_return false;
  }
  if (const auto ec = co_await take_body(ex)) co_return co_await close_after_read_error(ex, ec);
  Response response = co_await dispatch(ex);
  co_return co_await finish(ex, std::move(response));
}

// Waits for the first byte of the next request. A fresh connection gets the header timeout (it must
// start talking at once); a kept-alive one may idle. Shutdown cancels this wait.
template <class Stream>
net::awaitable<bool> Session<Stream>::wait_for_request(bool first) {
  idle_ = true;
  if (buffer_.size() == 0) {
    deadline_.expires_after(first ? shared_.options.header_timeout : shared_.options.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), as_result);
    if (ec) co_return false;  // peer left, timed out, or shutdown
    buffer_.commit(n);
  }
  idle_ = false;
  co_return true;
}

// Reads the head under the header limit and timeout; the body limit depends on the route.
template <class Stream>
net::awaitable<beast::error_code> Session<Stream>::read_head(Exchange& ex) {
  const ServerOptions& opt = shared_.options;
  ex.parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
  ex.parser.body_limit(boost::none);
  deadline_.expires_after(opt.header_timeout);
  auto [ec, head_bytes] = co_await read_request_head(stream_, buffer_, ex.parser);
  ex.bytes_in = head_bytes;
  if (ec) {
    ex.ctx.request_id = choose_request_id({});
    co_return ec;
  }
  const Headers& head = ex.parser.headers();
  ex.ctx.request_id = choose_request_id(head.get("X-Request-Id").value_or(std::string_view{}));
  ex.ctx.client_ip = opt.trusted_proxies.client_ip(remote_ip_, head.get("X-Forwarded-For").value_or(std::string_view{}));
  co_return ec;
}

// Matches the route (it decides the body limit) and copies the parts of the head the rest needs:
// a streamed body takes the parser over.
template <class Stream>
void Session<Stream>::route(Exchange& ex) const {
  const ServerOptions& opt = shared_.options;
  const std::string_view method_text = ex.parser.method_text();
  const std::string_view target = ex.parser.target();
  const auto method = parse_method(method_text);
  ex.method_name = std::string(method_text);
  ex.path = std::string(target.substr(0, target.find('?')));
  if (target.empty() || target.front() != '/') {
    ex.refusal = core::Error::invalid_request("request target must be an absolute path");
  } else if (!method) {
    ex.refusal = core::Error::method_not_allowed("method " + std::string(method_text) + " is not supported");
  } else {
    ex.match = shared_.router.match(*method, ex.path);
  }
  const Route* route = ex.match.route;
  ex.body_limit = route && route->options.max_body_bytes ? *route->options.max_body_bytes : opt.max_body_bytes;
  ex.content_length = ex.parser.content_length();
  ex.large_body = !ex.parser.is_done() && (!ex.content_length || *ex.content_length > opt.head_check_above);
  ex.keep_alive_requested = ex.parser.keep_alive();
  ex.expect_continue =
      bhttp::token_list(ex.parser.headers().get("Expect").value_or(std::string_view{})).exists("100-continue");
  if (!route) return;
  ex.request.method = *method;
  ex.request.target = std::string(target);
  ex.request.headers = std::move(ex.parser.headers());  // the fields as they came, in their own buffer
  ex.request.params = std::move(ex.match.params);
}

// The answer to a request no route serves: the refusal of a malformed target or method, 405 with
// Allow when only the method is wrong, else 404.
template <class Stream>
core::Error Session<Stream>::unrouted_error(Exchange& ex) const {
  if (ex.refusal) return *ex.refusal;
  if (ex.match.allowed.empty()) return core::Error::not_found("no route for " + ex.method_name + " " + ex.path);
  ex.ctx.response_headers.set("Allow", allow_header(ex.match.allowed));
  return core::Error::method_not_allowed("method " + ex.method_name + " is not allowed here");
}

// What is refused before any body is read: a body announced larger than the route accepts, and a
// large or chunked body no route would read.
template <class Stream>
std::optional<core::Error> Session<Stream>::refusal_before_body(Exchange& ex) const {
  if (ex.content_length && *ex.content_length > ex.body_limit)
    return core::Error::payload_too_large("request body is larger than " + std::to_string(ex.body_limit) + " bytes");
  if (ex.large_body && !ex.match.route) return unrouted_error(ex);
  return std::nullopt;
}

// A large or chunked body is read only for a request its route lets through: the route's head
// check (authentication) runs first.
template <class Stream>
net::awaitable<std::optional<core::Error>> Session<Stream>::check_head(Exchange& ex) {
  if (!ex.large_body || !ex.match.route->handler.check_head()) co_return std::nullopt;
  ex.ctx.route = ex.match.route->pattern;
  try {
    auto checked = co_await ex.match.route->handler.check_head()(ex.request, ex.ctx);
    if (!checked) co_return std::move(checked).error();
  } catch (const std::exception& e) {
    logging::error("head check failed", {{"request_id", ex.ctx.request_id}, {"route", ex.ctx.route}, {"error", e.what()}});
    co_return core::Error::internal("handler failed");
  }
  co_return std::nullopt;
}

// A streaming route gets a large or chunked body as it arrives; everything else is read whole
// first (also small ones for 404/405 answers, so the connection stays usable for the next request).
template <class Stream>
net::awaitable<beast::error_code> Session<Stream>::take_body(Exchange& ex) {
  const ServerOptions& opt = shared_.options;
  const std::optional<std::size_t> stream_above = ex.match.route ? ex.match.route->options.stream_body_above : std::nullopt;
  if (stream_above && !ex.parser.is_done() && (!ex.content_length || *ex.content_length > *stream_above)) {
    ex.source = std::make_shared<SessionBodySource<Stream>>(stream_, deadline_, buffer_, std::move(ex.parser), ex.body_limit,
                                                    ex.expect_continue,
                                                    typename SessionBodySource<Stream>::Timeouts{opt.body_timeout, opt.write_timeout},
                                                    this->shared_from_this());
    ex.request.body_source = ex.source;
    co_return beast::error_code{};
  }
  if (ex.parser.is_done()) co_return beast::error_code{};
  co_return co_await read_body(ex.parser, ex.body_limit, ex.expect_continue, ex.request, ex.bytes_in);
}

// The route's handler, or the answer for a request no route serves. Errors are answered here, once,
// in the request's error shape.
template <class Stream>
net::awaitable<Response> Session<Stream>::dispatch(Exchange& ex) {
  if (!ex.match.route) co_return error_answer(ex, unrouted_error(ex));
  ex.ctx.route = ex.match.route->pattern;
  try {
    auto answered = co_await ex.match.route->handler(ex.request, ex.ctx);
    if (answered) co_return std::move(*answered);
    co_return error_answer(ex, answered.error());
  } catch (const std::exception& e) {
    logging::error("handler failed", {{"request_id", ex.ctx.request_id}, {"route", ex.ctx.route}, {"error", e.what()}});
  }
  co_return error_answer(ex, core::Error::internal("handler failed"));
}

template <class Stream>
Response Session<Stream>::error_answer(const Exchange& ex, const core::Error& error) const {
  return shared_.router.error_shape(ex.path)(error, ex.ctx.request_id);
}

template <class Stream>
net::awaitable<bool> Session<Stream>::close_after_read_error(Exchange& ex, beast::error_code ec) {
  if (auto err = read_error(ec)) co_await reply_error(ex, *err);
  co_return false;
}

template <class Stream>
net::awaitable<void> Session<Stream>::reply_error(Exchange& ex, const core::Error& error) {
  Response res = error_answer(ex, error);
  add_context_headers(res, ex.ctx);
  drain_before_close_ = true;
  const int status = res.status;
  const std::size_t out = co_await write(std::move(res), ex.ctx.request_id, false);
  log_request(ex.ctx.request_id, ex.method_name, ex.ctx.route, status, ex.ctx.started_at, ex.bytes_in, out, remote_ip_);
  observe(ex.ctx.route, ex.method_name, status, ex.ctx.started_at);
}

// Takes the stream back from a streamed body, wipes the request, writes the answer and logs it.
template <class Stream>
net::awaitable<bool> Session<Stream>::finish(Exchange& ex, Response response) {
  add_context_headers(response, ex.ctx);
  // The session owns the stream again. Body bytes the handler left unread cannot be skipped
  // reliably (it may be gigabytes, or a malformed chunk): answer, then close.
  bool body_left_unread = false;
  if (ex.source) {
    ex.bytes_in += ex.source->bytes_read();
    body_left_unread = !ex.source->complete();
    ex.source->detach();
    ex.request.body_source.reset();
    ex.source.reset();
    if (body_left_unread) drain_before_close_ = true;
  }

  // The raw request (which may have carried a secret) must not linger: its body, whatever the
  // handler did with it, and its bytes in the read buffer (keeping a pipelined next request).
  core::wipe_memory(ex.request.body.data(), ex.request.body.size());
  wipe_consumed(buffer_);
  // Nor the request's copies while a long answer (a stream) is written.
  ex.request = Request{};

  const int status = response.status;
  const bool keep_alive = ex.keep_alive_requested && !body_left_unread && !closing_ && !shared_.draining.load();
  const std::size_t out = co_await write(std::move(response), ex.ctx.request_id, keep_alive);
  log_request(ex.ctx.request_id, ex.method_name, ex.ctx.route, status, ex.ctx.started_at, ex.bytes_in, out, remote_ip_);
  observe(ex.ctx.route, ex.method_name, status, ex.ctx.started_at);
  co_return out > 0 && keep_alive && !broken_;
}

net::awaitable<void> refuse_connection(PlainStream socket, const ServerOptions& options) {
  const std::string request_id = choose_request_id({});
  auto res = to_beast(error_response(core::Error::unavailable("too many open connections; try again later"), request_id),
                      request_id, false);
  Deadline deadline(socket.get_executor(), [&socket] { cancel_io(socket); });
  deadline.expires_after(options.write_timeout);
  co_await bhttp::async_write(socket, res, as_result);
  beast::error_code ec;
  socket.shutdown(net::ip::tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

template class Session<PlainStream>;
template class Session<TlsStream>;

}  // namespace keyrelay::http
