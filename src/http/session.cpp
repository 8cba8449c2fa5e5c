#include "http/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>

#include "core/error.h"
#include "core/secret.h"
#include "core/wiping_allocator.h"
#include "http/error_response.h"
#include "http/request_id.h"
#include "http/session_body_source.h"
#include "logging/log.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr auto as_result = net::as_tuple(net::use_awaitable);

using BeastResponse = bhttp::response<bhttp::string_body>;
// A chunked body grows as it arrives; each block it outgrows is wiped before it is freed.
using WipingStringBody = bhttp::basic_string_body<char, std::char_traits<char>, core::WipingAllocator<char>>;

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

// Sends each write as one chunk, at once.
class ChunkSink final : public BodySink {
 public:
  ChunkSink(beast::tcp_stream& stream, std::chrono::milliseconds timeout) : stream_(stream), timeout_(timeout) {}

  net::awaitable<bool> write(std::string_view data) override {
    if (failed_) co_return false;
    if (data.empty()) co_return true;  // an empty chunk would end the body
    stream_.expires_after(timeout_);
    auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk(net::buffer(data.data(), data.size())),
                                             as_result);
    if (ec) failed_ = true;
    bytes_ += n;
    co_return !failed_;
  }

  bool failed() const noexcept { return failed_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  beast::tcp_stream& stream_;
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

// The answer to a request no route serves: the refusal of a malformed target or method, 405 with
// Allow when only the method is wrong, else 404.
Response unrouted_response(const std::optional<core::Error>& refusal, const RouteMatch& match, std::string_view method,
                           std::string_view path, std::string_view request_id) {
  if (refusal) return error_response(*refusal, request_id);
  if (match.allowed.empty())
    return error_response(core::Error::not_found("no route for " + std::string(method) + " " + std::string(path)),
                          request_id);
  auto response = error_response(
      core::Error::method_not_allowed("method " + std::string(method) + " is not allowed here"), request_id);
  response.headers.set("Allow", allow_header(match.allowed));
  return response;
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

}  // namespace

Session::Session(beast::tcp_stream stream, const SessionShared& shared, std::uint64_t id)
    : stream_(std::move(stream)), shared_(shared), id_(id) {
  beast::error_code ec;
  const auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ip_ = remote.address().to_string();
}

void Session::begin_shutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (self->idle_) self->stream_.cancel();
  });
}

void Session::force_close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->stream_.close();
  });
}

net::awaitable<void> Session::run() {
  bool first = true;
  while (!closing_ && !shared_.draining.load()) {
    if (!co_await serve_one(first)) break;
    first = false;
  }
  // Half-close politely; the peer may already be gone, so errors are expected and ignored.
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (drain_before_close_) co_await drain_unread_body();
  stream_.close();
}

// Closing a socket with unread bytes makes the kernel send a reset, which can destroy the response
// the client has not read yet. So read and drop what the client still sends, briefly, first.
net::awaitable<void> Session::drain_unread_body() {
  constexpr std::size_t kMaxDrainBytes = 64 * 1024 * 1024;
  const auto deadline = std::chrono::steady_clock::now() + std::min(shared_.options.body_timeout,
                                                                    std::chrono::milliseconds(2000));
  buffer_.clear();
  std::size_t drained = 0;
  while (drained < kMaxDrainBytes && std::chrono::steady_clock::now() < deadline) {
    stream_.expires_at(deadline);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(16 * 1024), as_result);
    if (ec) break;  // the client finished (eof), went away, or the time is up
    drained += n;
  }
  buffer_.clear();
  wipe_consumed(buffer_);
}

net::awaitable<void> Session::answer_early(Response&& res, const RequestContext& ctx, std::string_view method,
                                           std::size_t bytes_in) {
  drain_before_close_ = true;
  const int status = res.status;
  const std::size_t out = co_await write(std::move(res), ctx.request_id, false);
  log_request(ctx.request_id, method, ctx.route, status, ctx.started_at, bytes_in, out, remote_ip_);
  observe(ctx.route, method, status, ctx.started_at);
}

net::awaitable<beast::error_code> Session::read_body(bhttp::request_parser<bhttp::string_body>& parser,
                                                     std::size_t body_limit, bool expect_continue, Request& request,
                                                     std::size_t& bytes_in) {
  const ServerOptions& opt = shared_.options;
  if (expect_continue) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(opt.write_timeout);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(kContinue), as_result);
    if (ec) co_return ec;
  }
  // One deadline for the whole body (a tcp_stream expiry holds across the reads of one async_read):
  // a client that drips a byte now and then is cut all the same.
  stream_.expires_after(opt.body_timeout);
  if (!parser.chunked()) {
    parser.body_limit(body_limit);
    auto [ec, n] = co_await bhttp::async_read(stream_, buffer_, parser, as_result);
    bytes_in += n;
    if (!ec) request.body = std::move(parser.get().body());
    co_return ec;
  }
  bhttp::request_parser<WipingStringBody> growing(std::move(parser));
  growing.body_limit(body_limit);
  auto [ec, n] = co_await bhttp::async_read(stream_, buffer_, growing, as_result);
  bytes_in += n;
  if (!ec) request.body.assign(growing.get().body().data(), growing.get().body().size());
  co_return ec;
}

void Session::observe(std::string_view route, std::string_view method, int status,
                      std::chrono::steady_clock::time_point started) const {
  if (shared_.options.on_request) shared_.options.on_request(route, method, status, std::chrono::steady_clock::now() - started);
}

net::awaitable<std::size_t> Session::write(Response&& res, std::string_view request_id, bool keep_alive) {
  if (res.stream) co_return co_await write_streamed(std::move(res), request_id, keep_alive);
  auto out = to_beast(std::move(res), request_id, keep_alive);
  stream_.expires_after(shared_.options.write_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream_, out, as_result);
  co_return ec ? 0 : n;
}

net::awaitable<std::size_t> Session::write_streamed(Response&& res, std::string_view request_id, bool keep_alive) {
  res.headers.remove("Content-Length");
  res.headers.remove("Transfer-Encoding");
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), 11};
  set_head(head, res, request_id, keep_alive);
  head.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  stream_.expires_after(shared_.options.write_timeout);
  auto [ec, head_bytes] = co_await bhttp::async_write_header(stream_, serializer, as_result);
  if (ec) {
    broken_ = true;
    co_return 0;
  }
  ChunkSink sink(stream_, shared_.options.write_timeout);
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
  stream_.expires_after(shared_.options.write_timeout);
  auto [lec, last_bytes] = co_await net::async_write(stream_, bhttp::make_chunk_last(), as_result);
  if (lec) broken_ = true;
  co_return total + last_bytes;
}

// Serves one request; false when the connection must close.
net::awaitable<bool> Session::serve_one(bool first) {
  const ServerOptions& opt = shared_.options;

  // Wait for the first byte of the next request. A fresh connection gets the header timeout (it
  // must start talking at once); a kept-alive one may idle. Shutdown cancels this wait.
  idle_ = true;
  if (buffer_.size() == 0) {
    stream_.expires_after(first ? opt.header_timeout : opt.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), as_result);
    if (ec) co_return false;  // peer left, timed out, or shutdown
    buffer_.commit(n);
  }
  idle_ = false;
  RequestContext ctx;
  ctx.started_at = std::chrono::steady_clock::now();
  ctx.remote_ip = remote_ip_;

  // Read the head under the header limit and timeout; the body limit depends on the route.
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
  parser.body_limit(boost::none);
  stream_.expires_after(opt.header_timeout);
  auto [hec, head_bytes] = co_await bhttp::async_read_header(stream_, buffer_, parser, as_result);
  std::size_t bytes_in = head_bytes;
  if (hec) {
    if (auto err = read_error(hec)) {
      ctx.request_id = choose_request_id({});
      co_await answer_early(error_response(*err, ctx.request_id), ctx, "-", bytes_in);
    }
    co_return false;
  }

  auto& head = parser.get();
  ctx.request_id = choose_request_id(head["X-Request-Id"]);
  ctx.client_ip = opt.trusted_proxies.client_ip(remote_ip_, head["X-Forwarded-For"]);
  const std::string_view method_text = head.method_string();
  const std::string_view target = head.target();
  const auto method = parse_method(method_text);

  // Route first: the matched route decides the body limit.
  RouteMatch match;
  std::optional<core::Error> refusal;
  if (target.empty() || target.front() != '/') {
    refusal = core::Error::invalid_request("request target must be an absolute path");
  } else if (!method) {
    refusal = core::Error::method_not_allowed("method " + std::string(method_text) + " is not supported");
  } else {
    match = shared_.router.match(*method, target.substr(0, target.find('?')));
  }
  const std::size_t body_limit =
      match.route && match.route->options.max_body_bytes ? *match.route->options.max_body_bytes : opt.max_body_bytes;

  const auto content_length = parser.content_length();
  if (content_length && *content_length > body_limit) {
    const auto err = core::Error::payload_too_large("request body is larger than " + std::to_string(body_limit) +
                                                    " bytes");
    co_await answer_early(error_response(err, ctx.request_id), ctx, method_text, bytes_in);
    co_return false;
  }

  // The parts of the head the rest needs, copied: a streamed body takes the parser over.
  const bool keep_alive_requested = head.keep_alive();
  const bool expect_continue = bhttp::token_list(head[bhttp::field::expect]).exists("100-continue");
  const std::string method_name(method_text);
  const std::string path(target.substr(0, target.find('?')));
  Request request;
  if (match.route) {
    request.method = *method;
    request.target = std::string(target);
    for (const auto& field : head) request.headers.add(std::string(field.name_string()), std::string(field.value()));
    request.params = std::move(match.params);
  }

  // A large or chunked body is read only for a request its route lets through: the route's head
  // check (authentication) runs first, and a request no route serves is answered without it.
  const bool large_body = !parser.is_done() && (!content_length || *content_length > opt.head_check_above);
  if (large_body && !match.route) {
    co_await answer_early(unrouted_response(refusal, match, method_name, path, ctx.request_id), ctx, method_name, bytes_in);
    co_return false;
  }
  if (large_body && match.route->handler.check_head()) {
    ctx.route = match.route->pattern;
    std::optional<Response> refused;
    try {
      refused = co_await match.route->handler.check_head()(request, ctx);
    } catch (const std::exception& e) {
      logging::error("head check failed", {{"request_id", ctx.request_id}, {"route", ctx.route}, {"error", e.what()}});
      refused = error_response(core::Error::internal("handler failed"), ctx.request_id);
    }
    if (refused) {
      add_context_headers(*refused, ctx);
      co_await answer_early(std::move(*refused), ctx, method_name, bytes_in);
      co_return false;
    }
  }

  // A streaming route gets a large or chunked body as it arrives; everything else is read whole
  // first (also small ones for 404/405 answers, so the connection stays usable for the next request).
  const std::optional<std::size_t> stream_above = match.route ? match.route->options.stream_body_above : std::nullopt;
  std::shared_ptr<SessionBodySource> source;
  if (stream_above && !parser.is_done() && (!content_length || *content_length > *stream_above)) {
    source = std::make_shared<SessionBodySource>(stream_, buffer_, std::move(parser), body_limit, expect_continue,
                                                 SessionBodySource::Timeouts{opt.body_timeout, opt.write_timeout},
                                                 shared_from_this());
    request.body_source = source;
  } else if (!parser.is_done()) {
    const auto bec = co_await read_body(parser, body_limit, expect_continue, request, bytes_in);
    if (bec) {
      if (auto err = read_error(bec)) co_await answer_early(error_response(*err, ctx.request_id), ctx, method_name, bytes_in);
      co_return false;
    }
  }

  Response response;
  if (!match.route) {
    response = unrouted_response(refusal, match, method_name, path, ctx.request_id);
  } else {
    ctx.route = match.route->pattern;
    try {
      response = co_await match.route->handler(request, ctx);
    } catch (const std::exception& e) {
      logging::error("handler failed", {{"request_id", ctx.request_id}, {"route", ctx.route}, {"error", e.what()}});
      response = error_response(core::Error::internal("handler failed"), ctx.request_id);
    }
  }
  add_context_headers(response, ctx);

  // The session owns the stream again. Body bytes the handler left unread cannot be skipped
  // reliably (it may be gigabytes, or a malformed chunk): answer, then close.
  bool body_left_unread = false;
  if (source) {
    bytes_in += source->bytes_read();
    body_left_unread = !source->complete();
    source->detach();
    request.body_source.reset();
    source.reset();
    if (body_left_unread) drain_before_close_ = true;
  }

  // The raw request (which may have carried a secret) must not linger: its body, whatever the
  // handler did with it, and its bytes in the read buffer (keeping a pipelined next request).
  core::wipe_memory(request.body.data(), request.body.size());
  wipe_consumed(buffer_);
  // Nor the request's copies while a long answer (a stream) is written.
  request = Request{};

  const int status = response.status;
  const bool keep_alive = keep_alive_requested && !body_left_unread && !closing_ && !shared_.draining.load();
  const std::size_t out = co_await write(std::move(response), ctx.request_id, keep_alive);
  log_request(ctx.request_id, method_name, ctx.route, status, ctx.started_at, bytes_in, out, remote_ip_);
  observe(ctx.route, method_name, status, ctx.started_at);
  co_return out > 0 && keep_alive && !broken_;
}

net::awaitable<void> refuse_connection(beast::tcp_stream stream, const ServerOptions& options) {
  const std::string request_id = choose_request_id({});
  auto res = to_beast(error_response(core::Error::unavailable("too many open connections; try again later"), request_id),
                      request_id, false);
  stream.expires_after(options.write_timeout);
  co_await bhttp::async_write(stream, res, as_result);
  beast::error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream.close();
}

}  // namespace keyrelay::http
