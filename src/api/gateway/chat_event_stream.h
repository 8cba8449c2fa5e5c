#pragma once
// The body of a streamed chat answer: reads the provider's SSE as it arrives, translates each event
// into OpenAI chunks and sends them at once. Usage is booked when the stream ends, however it ends.
// A failure after the head went out cannot become an HTTP error any more: the client gets the
// route's error event — `data: {"error":…}` and no [DONE] on /v1/chat/completions (API.md "Gateway
// behaviour"), Anthropic's `event: error` on /v1/messages — and the stream ends.

#include <memory>
#include <string>

#include "gateway/upstream_client.h"
#include "gateway/key_use.h"
#include "gateway/wire/chat_wire.h"
#include "monitor/concurrency_limiter.h"
#include "http/body_stream.h"

namespace keyrelay::api {

// The event a stream that breaks off ends with, for `message`.
using StreamErrorEvent = std::string (*)(std::string_view message, std::string_view request_id);

// OpenAI's: `data: {"error":{…,"code":"upstream_error"}}`.
std::string openai_stream_error(std::string_view message, std::string_view request_id);

class ChatEventStream final : public http::BodyStream {
 public:
  // `start`: the body's first bytes, already read by the fallback loop; `place`: the caller's
  // place among its requests in flight, given back when the stream ends.
  ChatEventStream(gateway::UpstreamStream upstream, std::string start,
                  std::unique_ptr<gateway::StreamTranslator> translator, gateway::UsageSink& usage,
                  gateway::KeyUse use, std::string request_id, monitor::Permit place,
                  StreamErrorEvent error_event = &openai_stream_error)
      : upstream_(std::move(upstream)),
        start_(std::move(start)),
        translator_(std::move(translator)),
        usage_(usage),
        use_(std::move(use)),
        request_id_(std::move(request_id)),
        place_(std::move(place)),
        error_event_(error_event) {}

  boost::asio::awaitable<bool> pump(http::BodySink& sink) override;

 private:
  boost::asio::awaitable<bool> fail(http::BodySink& sink, std::string_view message);
  void book(bool error);

  // The next piece of the provider's body: the start first, then what arrives.
  boost::asio::awaitable<core::Result<std::string_view>> next_piece();

  gateway::UpstreamStream upstream_;
  std::string start_;
  bool start_sent_ = false;
  std::unique_ptr<gateway::StreamTranslator> translator_;
  gateway::UsageSink& usage_;
  gateway::KeyUse use_;
  std::string request_id_;
  monitor::Permit place_;
  StreamErrorEvent error_event_;
};

}  // namespace keyrelay::api
