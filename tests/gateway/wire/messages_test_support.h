#pragma once
// Helpers of the /v1/messages translation tests: requests from JSON text, the calls built for a
// provider read back as JSON, and Anthropic event streams fed in pieces and read back.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "gateway/wire/messages_wire.h"

namespace keyrelay::gateway::test {

namespace json = boost::json;

// A request that parse_messages_request must accept.
inline MessagesRequest messages_request_of(std::string_view body) {
  auto r = parse_messages_request(body);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : MessagesRequest{};
}

// A catalog provider of `wire` with the id `id` (only what the translation reads).
inline catalog::Provider provider_of(catalog::Wire wire, std::string id) {
  catalog::Provider p;
  p.id = std::move(id);
  p.wire = wire;
  return p;
}

// The upstream call built for `body` to `provider`, its body parsed back (empty when it failed).
inline json::object messages_upstream(const catalog::Provider& provider, std::string_view body,
                                      std::string_view model = "m", std::string* path = nullptr) {
  auto call = build_messages_call(provider, messages_request_of(body), model, WireOptions{});
  EXPECT_TRUE(call.has_value()) << (call ? "" : call.error().message);
  if (!call) return {};
  if (path != nullptr) *path = call->path;
  return json::parse(call->body).as_object();
}

// One Anthropic event of a translator's output: its "event:" name and its data.
struct AnthropicEvent {
  std::string name;
  json::object data;
};

// The events of an output of "event: …\ndata: …\n\n" frames; each name must equal its data's type.
inline std::vector<AnthropicEvent> anthropic_events(std::string_view out) {
  std::vector<AnthropicEvent> events;
  while (!out.empty()) {
    const auto end = out.find("\n\n");
    if (end == std::string_view::npos) {
      ADD_FAILURE() << "unterminated event: " << out;
      break;
    }
    std::string_view frame = out.substr(0, end);
    out.remove_prefix(end + 2);
    const auto newline = frame.find('\n');
    if (!frame.starts_with("event: ") || newline == std::string_view::npos ||
        !frame.substr(newline + 1).starts_with("data: ")) {
      ADD_FAILURE() << "not an event: " << frame;
      continue;
    }
    AnthropicEvent event{std::string(frame.substr(7, newline - 7)),
                         json::parse(frame.substr(newline + 7)).as_object()};
    EXPECT_EQ(event.data.at("type").as_string(), event.name);
    events.push_back(std::move(event));
  }
  return events;
}

inline std::vector<std::string> names_of(const std::vector<AnthropicEvent>& events) {
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.name);
  return names;
}

struct MessagesStreamRun {
  std::string out;
  core::Result<void> fed;
  core::Result<void> finished;
  TokenUsage usage;
};

// Feeds `upstream` to the /v1/messages translator of `wire` in pieces of `piece` bytes (0: at once).
inline MessagesStreamRun run_messages_stream(catalog::Wire wire, std::string_view upstream, std::size_t piece) {
  static const MessagesRequest request =
      messages_request_of(R"({"model":"m","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  MessagesStreamRun run;
  auto translator = make_messages_stream(wire, request, ResponseMeta{"msg_test", 1700000000, "client-model"});
  if (piece == 0) piece = upstream.size() + 1;
  for (std::size_t at = 0; at < upstream.size(); at += piece) {
    run.fed = translator->feed(upstream.substr(at, piece), run.out);
    if (!run.fed) return run;
  }
  run.finished = translator->finish(run.out);
  run.usage = translator->usage();
  return run;
}

}  // namespace keyrelay::gateway::test
