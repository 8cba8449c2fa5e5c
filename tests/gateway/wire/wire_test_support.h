#pragma once
// Helpers of the wire translation tests: requests from JSON text, upstream bodies built and read
// back as JSON, and streams fed to a StreamTranslator in pieces of any size.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::test {

namespace json = boost::json;

// The pieces one after another (appended: GCC 12 warns falsely, -Warray-bounds, on some
// std::string + literal temporaries).
inline std::string joined(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (auto p : pieces) out.append(p);
  return out;
}

inline ResponseMeta test_meta() { return ResponseMeta{"chatcmpl-test", 1700000000, "client-model"}; }

// A request that parse_chat_request must accept.
inline ChatRequest request_of(std::string_view body) {
  auto r = parse_chat_request(body);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : ChatRequest{};
}

// The upstream body built for `body` on `wire`, parsed back (an empty object when building failed).
inline json::object upstream_body(catalog::Wire wire, std::string_view body, std::string_view model = "m",
                                  WireOptions options = {}) {
  auto call = build_upstream_call(wire, request_of(body), model, options);
  EXPECT_TRUE(call.has_value()) << (call ? "" : call.error().message);
  return call ? json::parse(call->body).as_object() : json::object{};
}

// The error of building `body` on `wire` (fails the test when building succeeds).
inline core::Error build_error(catalog::Wire wire, std::string_view body, std::string_view model = "m") {
  auto call = build_upstream_call(wire, request_of(body), model, WireOptions{});
  EXPECT_FALSE(call.has_value()) << "built: " << (call ? call->body : "");
  return call ? core::Error{} : call.error();
}

struct StreamRun {
  std::string out;              // everything the translator appended, feed and finish
  core::Result<void> fed;       // the first failing feed(), else ok
  core::Result<void> finished;  // finish() (not called after a failed feed)
  TokenUsage usage;
  std::string model;            // the model the upstream events named
};

// Feeds `upstream` in pieces of `piece` bytes (0: all at once), then finishes.
inline StreamRun run_stream(catalog::Wire wire, const ChatRequest& request, std::string_view upstream,
                            std::size_t piece) {
  StreamRun run;
  auto translator = make_stream_translator(wire, request, test_meta());
  if (piece == 0) piece = upstream.size() + 1;
  for (std::size_t at = 0; at < upstream.size(); at += piece) {
    run.fed = translator->feed(upstream.substr(at, piece), run.out);
    if (!run.fed) return run;
  }
  run.finished = translator->finish(run.out);
  run.usage = translator->usage();
  run.model = translator->model();
  return run;
}

// The data of each "data: …\n\n" event in a translator's output.
inline std::vector<std::string> data_of_events(std::string_view out) {
  std::vector<std::string> events;
  while (!out.empty()) {
    const auto end = out.find("\n\n");
    if (end == std::string_view::npos) {
      ADD_FAILURE() << "unterminated event: " << out;
      break;
    }
    std::string_view event = out.substr(0, end);
    EXPECT_TRUE(event.starts_with("data: ")) << event;
    if (event.starts_with("data: ")) event.remove_prefix(6);
    events.emplace_back(event);
    out.remove_prefix(end + 2);
  }
  return events;
}

// The JSON chunks of an output (every event but [DONE]).
inline std::vector<json::object> chunks_of(std::string_view out) {
  std::vector<json::object> chunks;
  for (const auto& data : data_of_events(out))
    if (data != "[DONE]") chunks.push_back(json::parse(data).as_object());
  return chunks;
}

// Checks the frame every translated stream keeps: the first chunk carries the role, [DONE] is the
// last event and comes exactly once, and a usage chunk ("choices":[]) appears exactly when asked.
inline void expect_stream_frame(std::string_view out, bool include_usage) {
  const auto events = data_of_events(out);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_EQ(std::count(events.begin(), events.end(), "[DONE]"), 1);
  const json::object first = json::parse(events.front()).as_object();
  EXPECT_EQ(first.at("choices").at(0).at("delta").at("role"), "assistant");
  int usage_chunks = 0;
  for (const auto& c : chunks_of(out))
    if (c.at("choices").as_array().empty()) ++usage_chunks;
  EXPECT_EQ(usage_chunks, include_usage ? 1 : 0);
  if (include_usage) {
    EXPECT_TRUE(json::parse(events[events.size() - 2]).at("choices").as_array().empty()) << "usage just before [DONE]";
  }
}

}  // namespace keyrelay::gateway::test
