#pragma once
// The body of a streamed chat answer: reads the provider's SSE as it arrives, translates each event
// into OpenAI chunks and sends them at once. Usage is booked when the stream ends, however it ends.
// A failure after the head went out cannot become an HTTP error any more: the client gets
// `data: {"error":…}` and no [DONE] (API.md "Gateway behaviour").

#include <memory>
#include <string>

#include "gateway/upstream_client.h"
#include "gateway/usage_recorder.h"
#include "gateway/wire/chat_wire.h"
#include "http/body_stream.h"

namespace keyrelay::api {

class ChatEventStream final : public http::BodyStream {
 public:
  ChatEventStream(gateway::UpstreamStream upstream, std::unique_ptr<gateway::StreamTranslator> translator,
                  gateway::UsageRecorder& usage, gateway::KeyUse use, std::string request_id)
      : upstream_(std::move(upstream)),
        translator_(std::move(translator)),
        usage_(usage),
        use_(std::move(use)),
        request_id_(std::move(request_id)) {}

  boost::asio::awaitable<bool> pump(http::BodySink& sink) override;

 private:
  boost::asio::awaitable<bool> fail(http::BodySink& sink, std::string_view message);
  void book(bool error);

  gateway::UpstreamStream upstream_;
  std::unique_ptr<gateway::StreamTranslator> translator_;
  gateway::UsageRecorder& usage_;
  gateway::KeyUse use_;
  std::string request_id_;
};

}  // namespace keyrelay::api
