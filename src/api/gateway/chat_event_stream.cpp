#include "api/gateway/chat_event_stream.h"

#include "gateway/use_tokens.h"

namespace keyrelay::api {

std::string openai_stream_error(std::string_view message, std::string_view request_id) {
  return gateway::stream_error_event(message, "api_error", "upstream_error", request_id);
}

boost::asio::awaitable<core::Result<std::string_view>> ChatEventStream::next_piece() {
  if (!start_sent_) {
    start_sent_ = true;
    if (!start_.empty()) co_return std::string_view(start_);
  }
  std::string().swap(start_);  // sent: not held for the rest of a long stream
  co_return co_await upstream_.read_some();
}

boost::asio::awaitable<bool> ChatEventStream::pump(http::BodySink& sink) {
  std::string out;
  for (;;) {
    auto piece = co_await next_piece();
    if (!piece) co_return co_await fail(sink, "the provider stream broke off: " + piece.error().message);
    if (piece->empty()) break;
    auto fed = translator_->feed(*piece, out);
    if (!out.empty()) {
      if (!co_await sink.write(out)) {
        book(true);  // the client left; what it was sent is still used
        co_return false;
      }
      out.clear();
    }
    if (!fed) co_return co_await fail(sink, fed.error().message);
  }
  if (auto finished = translator_->finish(out); !finished) co_return co_await fail(sink, finished.error().message);
  const bool sent = co_await sink.write(out);
  book(!sent);
  co_return sent;
}

boost::asio::awaitable<bool> ChatEventStream::fail(http::BodySink& sink, std::string_view message) {
  book(true);
  co_return co_await sink.write(error_event_(message, request_id_));
}

void ChatEventStream::book(bool error) {
  use_.error = error;
  gateway::record_tokens(use_, translator_->usage());
  usage_.record(std::move(use_));
  place_.release();  // the stream is over: the caller's place is free for its next request
}

}  // namespace keyrelay::api

