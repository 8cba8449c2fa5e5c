#pragma once
// The body of a proxied answer: the provider's bytes passed on unchanged as they arrive (so SSE
// reaches the client event by event). On the way it reads token usage when the provider speaks a
// chat wire — from an SSE stream through a stream translator whose output is discarded, or from a
// JSON body of at most 1 MiB — and books the use when the body ends. A provider that breaks off
// mid-body makes the client's body end without its last chunk.

#include <memory>
#include <string>

#include "gateway/upstream_client.h"
#include "gateway/key_use.h"
#include "gateway/wire/chat_wire.h"
#include "monitor/concurrency_limiter.h"
#include "http/body_stream.h"

namespace keyrelay::api {

class ProxyBodyStream final : public http::BodyStream {
 public:
  // `start`: the body's first bytes, already read by the fallback loop (all of it when the
  // upstream stream is done); `place`: the caller's place among its requests in flight.
  ProxyBodyStream(gateway::UpstreamStream upstream, std::string start, std::optional<catalog::Wire> wire,
                  gateway::UsageSink& usage, gateway::KeyUse use, monitor::Permit place);

  boost::asio::awaitable<bool> pump(http::BodySink& sink) override;

 private:
  void observe(std::string_view piece);
  void book(bool error);
  boost::asio::awaitable<core::Result<std::string_view>> next_piece();

  gateway::UpstreamStream upstream_;
  std::string start_;
  bool start_sent_ = false;
  std::string content_encoding_;  // the answer's; a compressed JSON body is decoded to read its usage
  std::optional<catalog::Wire> wire_;
  std::unique_ptr<gateway::StreamTranslator> sse_usage_;  // event streams of a chat wire
  bool json_usage_ = false;                                // a JSON body of a chat wire
  std::string json_copy_;
  std::string discard_;
  gateway::UsageSink& usage_;
  gateway::KeyUse use_;
  bool booked_ = false;
  monitor::Permit place_;
};

}  // namespace keyrelay::api
