#include "api/gateway/proxy_body_stream.h"

#include "gateway/content_decoding.h"
#include "gateway/use_tokens.h"

namespace keyrelay::api {
namespace {

constexpr std::size_t kMaxJsonUsageBytes = 1024 * 1024;

}  // namespace

ProxyBodyStream::ProxyBodyStream(gateway::UpstreamStream upstream, std::string start,
                                 std::optional<catalog::Wire> wire, gateway::UsageSink& usage,
                                 gateway::KeyUse use, monitor::Permit place)
    : upstream_(std::move(upstream)),
      start_(std::move(start)),
      wire_(wire),
      usage_(usage),
      use_(std::move(use)),
      place_(std::move(place)) {
  const http::Headers& headers = upstream_.headers();
  content_encoding_ = std::string(headers.get("Content-Encoding").value_or(""));
  const bool event_stream = headers.get("Content-Type").value_or("").starts_with("text/event-stream");
  // A compressed event stream cannot be read piece by piece here: its usage stays unknown.
  if (wire_ && event_stream && content_encoding_.empty()) {
    gateway::ChatRequest observed;  // the translator only needs to know it is streaming
    observed.stream = true;
    observed.include_usage = true;
    sse_usage_ = gateway::make_stream_translator(*wire_, observed, gateway::ResponseMeta{});
  } else if (wire_ && !event_stream) {
    json_usage_ = true;
  }
}

void ProxyBodyStream::observe(std::string_view piece) {
  if (sse_usage_) {
    if (!sse_usage_->feed(piece, discard_)) sse_usage_.reset();  // not a stream we understand: no usage
    discard_.clear();
  } else if (json_usage_) {
    if (json_copy_.size() + piece.size() > kMaxJsonUsageBytes) {
      json_usage_ = false;
      json_copy_.clear();
    } else {
      json_copy_.append(piece);
    }
  }
}

boost::asio::awaitable<core::Result<std::string_view>> ProxyBodyStream::next_piece() {
  if (!start_sent_) {
    start_sent_ = true;
    if (!start_.empty()) co_return std::string_view(start_);
  }
  co_return co_await upstream_.read_some();
}

boost::asio::awaitable<bool> ProxyBodyStream::pump(http::BodySink& sink) {
  for (;;) {
    auto piece = co_await next_piece();
    if (!piece) {
      book(true);
      co_return false;  // cut: the client must see an incomplete body
    }
    if (piece->empty()) break;
    observe(*piece);
    if (!co_await sink.write(*piece)) {
      book(true);
      co_return false;
    }
  }
  book(use_.http_status && *use_.http_status >= 400);
  co_return true;
}

void ProxyBodyStream::book(bool error) {
  if (booked_) return;
  booked_ = true;
  // The answer's own model prices the call (a proxied body is not read, so its "model" is unknown).
  if (sse_usage_) {
    gateway::record_tokens(use_, sse_usage_->usage());
    use_.model = sse_usage_->model();
  } else if (json_usage_ && !json_copy_.empty() && !error) {
    auto body = gateway::decode_body(content_encoding_, json_copy_, kMaxJsonUsageBytes);
    if (body) {
      if (auto translated = gateway::translate_response(*wire_, std::move(*body), gateway::ResponseMeta{})) {
        gateway::record_tokens(use_, translated->usage);
        use_.model = std::move(translated->model);
      }
    }
  }
  use_.error = error;
  usage_.record(std::move(use_));
  place_.release();  // the body is over: the caller's place is free for its next request
}

}  // namespace keyrelay::api
