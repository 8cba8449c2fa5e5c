// The mock provider speaks the three chat wires the way keyrelay's gateway tests rely on: the
// deterministic answer and its word-count usage, each wire's stream sequence (PROVIDERS.md §3.3)
// with one chunk per event, tool calls and tool results, strict request checks that answer 400 in
// the provider's shape, and every failure keyword. Talks to the mock with the raw client, so what
// is checked is exactly what keyrelay will receive.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "support/http_client.h"
#include "support/mock_provider_process.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

struct SseEvent {
  std::string event;
  std::string data;
};

// The events of an SSE body ("event:"/"data:" lines, blank line between events).
std::vector<SseEvent> parse_sse(std::string_view body) {
  std::vector<SseEvent> events;
  while (!body.empty()) {
    const auto end = body.find("\n\n");
    std::string_view block = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 2);
    SseEvent e;
    while (!block.empty()) {
      const auto nl = block.find('\n');
      const std::string_view line = block.substr(0, nl);
      block = nl == std::string_view::npos ? std::string_view{} : block.substr(nl + 1);
      if (line.starts_with("event: ")) e.event = line.substr(7);
      if (line.starts_with("data: ")) e.data = line.substr(6);
    }
    if (!e.event.empty() || !e.data.empty()) events.push_back(std::move(e));
  }
  return events;
}

json::object object_from(std::string_view text) {
  auto v = json::parse(text);
  if (!v.is_object()) throw std::runtime_error("not a JSON object: " + std::string(text));
  return std::move(v.as_object());
}

std::string str_at(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* at = &v;
  for (auto key : path) at = &at->as_object().at(key);
  return std::string(at->as_string());
}

// Response bytes split into the payloads of their chunks (everything after the head).
std::vector<std::string> chunk_payloads(std::string_view raw) {
  std::vector<std::string> chunks;
  std::size_t pos = raw.find("\r\n\r\n");
  if (pos == std::string_view::npos) return chunks;
  pos += 4;
  for (;;) {
    const auto line_end = raw.find("\r\n", pos);
    if (line_end == std::string_view::npos) break;
    const std::size_t size = std::stoul(std::string(raw.substr(pos, line_end - pos)), nullptr, 16);
    if (size == 0) break;
    chunks.emplace_back(raw.substr(line_end + 2, size));
    pos = line_end + 2 + size + 2;
  }
  return chunks;
}

HeaderList openai_headers(const std::string& key) {
  return {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
}
HeaderList anthropic_headers(const std::string& key) {
  return {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}, {"Content-Type", "application/json"}};
}
HeaderList gemini_headers(const std::string& key) {
  return {{"x-goog-api-key", key}, {"Content-Type", "application/json"}};
}

// One request and system prompt every wire sees: 3 + 3 words in, "Hello from <id> (<model>): Say
// hello please" (7 words) out.
constexpr std::string_view kOpenAiBody =
    R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},)"
    R"({"role":"user","content":"Say hello please"}]})";
constexpr std::string_view kAnthropicBody =
    R"({"model":"claude-3-5-haiku-latest","max_tokens":256,"system":"You are terse.",)"
    R"("messages":[{"role":"user","content":"Say hello please"}]})";
constexpr std::string_view kGeminiBody =
    R"({"systemInstruction":{"parts":[{"text":"You are terse."}]},)"
    R"("contents":[{"role":"user","parts":[{"text":"Say hello please"}]}]})";
constexpr std::string_view kGeminiChat = "/gemini/v1beta/models/gemini-2.0-flash:generateContent";
constexpr std::string_view kGeminiStream = "/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse";

std::string with_stream(std::string_view body, std::string_view extra) {
  std::string out(body);
  out.insert(out.size() - 1, std::string(",") + std::string(extra));
  return out;
}

class MockChat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mock_ = std::make_unique<MockProviderProcess>(); }
  static void TearDownTestSuite() { mock_.reset(); }

  static HttpResponse send(std::string_view method, std::string_view target, const HeaderList& headers,
                           std::string_view body = {}) {
    return HttpConnection::connect(mock_->port()).request(method, target, headers, body);
  }
  static HttpResponse post(std::string_view target, const HeaderList& headers, std::string_view body) {
    return send("POST", target, headers, body);
  }
  // The message of a 400 in any of the three shapes.
  static std::string error_message(const HttpResponse& r) {
    return str_at(json::parse(r.body), {"error", "message"});
  }
  // POSTs and expects no response at all (the connection reset or closed before the first byte).
  static bool closes_without_answer(std::string_view target, const HeaderList& headers, std::string_view body) {
    auto conn = HttpConnection::connect(mock_->port());
    EXPECT_TRUE(conn.send(format_request("POST", target, headers, body)));
    return !conn.read_response().has_value();
  }
  // POSTs a stream request the mock cuts: returns the bytes received before the reset.
  static std::string bytes_before_cut(std::string_view target, const HeaderList& headers, std::string_view body) {
    auto conn = HttpConnection::connect(mock_->port());
    EXPECT_TRUE(conn.send(format_request("POST", target, headers, body)));
    EXPECT_THROW(conn.read_response(), HttpClientError) << "the stream was complete";
    return conn.pending();
  }
  // POSTs with Connection: close and returns the raw response bytes.
  static std::string raw_response(std::string_view target, HeaderList headers, std::string_view body) {
    headers.emplace_back("Connection", "close");
    auto conn = HttpConnection::connect(mock_->port());
    EXPECT_TRUE(conn.send(format_request("POST", target, headers, body)));
    EXPECT_TRUE(conn.wait_for_close(deadline_in(milliseconds{15000})));
    return conn.pending();
  }
  static milliseconds time_of(const std::function<void()>& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  }

  inline static std::unique_ptr<MockProviderProcess> mock_;
};

using MockChatOpenAi = MockChat;
using MockChatAnthropic = MockChat;
using MockChatGemini = MockChat;

// ---- OpenAI wire ----------------------------------------------------------------------------

TEST_F(MockChatOpenAi, PlainAnswerIsTheDeterministicTextWithWordCountUsage) {
  auto r = post("/openai/chat/completions", openai_headers("sk-proj-abc-valid"), kOpenAiBody);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = object_from(r.body);
  EXPECT_EQ(body.at("object"), "chat.completion");
  const auto& choice = body.at("choices").as_array().at(0).as_object();
  EXPECT_EQ(str_at(choice, {"message", "content"}), "Hello from openai (gpt-4o-mini): Say hello please");
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  const auto& usage = body.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").as_int64(), 6);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), 3) << "the system prompt's words";
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), 7);
  EXPECT_EQ(usage.at("total_tokens").as_int64(), 13);
}

TEST_F(MockChatOpenAi, EveryOpenAiWireProviderChatsAndListsModels) {
  for (std::string_view id : {"openai", "perplexity", "kimi", "kimi-cn", "groq", "mistral", "deepseek", "xai",
                              "openrouter", "together"}) {
    SCOPED_TRACE(id);
    auto r = post("/" + std::string(id) + "/chat/completions", openai_headers("key-valid"), kOpenAiBody);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(str_at(json::parse(r.body).at("choices").at(0), {"message", "content"}),
              "Hello from " + std::string(id) + " (gpt-4o-mini): Say hello please");
    auto models = send("GET", "/" + std::string(id) + "/models", openai_headers("key-valid"));
    ASSERT_EQ(models.status, 200) << models.body;
    auto list = object_from(models.body);
    EXPECT_EQ(list.at("object"), "list");
    EXPECT_FALSE(list.at("data").as_array().empty());
    EXPECT_TRUE(list.at("data").at(0).at("id").is_string());
  }
}

TEST_F(MockChatOpenAi, StreamIsRoleChunkOneChunkPerWordFinishUsageAndDone) {
  auto r = post("/openai/chat/completions", openai_headers("sk-valid"),
                with_stream(kOpenAiBody, R"("stream":true,"stream_options":{"include_usage":true})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Transfer-Encoding").value_or(""), "chunked");
  EXPECT_TRUE(r.header("Content-Type").value_or("").starts_with("text/event-stream"));
  auto events = parse_sse(r.body);
  ASSERT_EQ(events.size(), 1u + 7u + 1u + 1u + 1u) << r.body;  // role, 7 words, finish, usage, [DONE]
  EXPECT_EQ(events.back().data, "[DONE]");
  auto role = object_from(events[0].data);
  EXPECT_EQ(role.at("choices").at(0).at("delta").at("role"), "assistant");
  std::string text;
  for (std::size_t i = 1; i <= 7; ++i) {
    auto chunk = object_from(events[i].data);
    EXPECT_TRUE(chunk.at("usage").is_null());
    EXPECT_TRUE(chunk.at("choices").at(0).at("finish_reason").is_null());
    text += chunk.at("choices").at(0).at("delta").at("content").as_string();
  }
  EXPECT_EQ(text, "Hello from openai (gpt-4o-mini): Say hello please");
  auto finish = object_from(events[8].data);
  EXPECT_EQ(finish.at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_TRUE(finish.at("choices").at(0).at("delta").as_object().empty());
  auto usage = object_from(events[9].data);
  EXPECT_TRUE(usage.at("choices").as_array().empty());
  EXPECT_EQ(usage.at("usage").at("prompt_tokens").as_int64(), 6);
  EXPECT_EQ(usage.at("usage").at("completion_tokens").as_int64(), 7);

  // Without include_usage: no usage chunk and no "usage" field at all.
  auto plain =
      post("/openai/chat/completions", openai_headers("sk-valid"), with_stream(kOpenAiBody, R"("stream":true)"));
  auto without = parse_sse(plain.body);
  ASSERT_EQ(without.size(), 10u) << plain.body;
  for (std::size_t i = 0; i + 1 < without.size(); ++i) EXPECT_FALSE(object_from(without[i].data).contains("usage"));
}

TEST_F(MockChatOpenAi, ToolsGiveACallOfTheFirstToolAndAToolResultGivesToolSaid) {
  constexpr std::string_view kTools =
      R"("tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}},)"
      R"({"type":"function","function":{"name":"other"}}])";
  const std::string ask = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"find cats"}],)" +
                          std::string(kTools) + "}";
  auto r = post("/openai/chat/completions", openai_headers("sk-valid"), ask);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto choice = json::parse(r.body).at("choices").at(0);
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  const auto& call = choice.at("message").at("tool_calls").at(0);
  EXPECT_EQ(call.at("type"), "function");
  EXPECT_EQ(str_at(call, {"function", "name"}), "lookup");
  EXPECT_EQ(json::parse(str_at(call, {"function", "arguments"})), json::parse(R"({"query":"find cats"})"));
  EXPECT_EQ(json::parse(r.body).at("usage").at("completion_tokens").as_int64(), 5);

  // Streamed: the call's id and name first, then the arguments in two or more fragments.
  auto s = post("/openai/chat/completions", openai_headers("sk-valid"), with_stream(ask, R"("stream":true)"));
  auto events = parse_sse(s.body);
  std::string arguments;
  int fragments = 0;
  std::string finish;
  for (const auto& e : events) {
    if (e.data == "[DONE]") continue;
    const auto c = json::parse(e.data).at("choices").at(0);
    if (!c.at("finish_reason").is_null()) finish = c.at("finish_reason").as_string();
    const auto* calls = c.at("delta").as_object().if_contains("tool_calls");
    if (calls == nullptr) continue;
    const auto& f = calls->at(0).at("function").as_object();
    if (f.contains("name")) {
      EXPECT_EQ(f.at("name"), "lookup");
    }
    if (const auto* a = f.if_contains("arguments"); a != nullptr && !a->as_string().empty()) {
      arguments += a->as_string();
      ++fragments;
    }
  }
  EXPECT_GE(fragments, 2);
  EXPECT_EQ(json::parse(arguments), json::parse(R"({"query":"find cats"})"));
  EXPECT_EQ(finish, "tool_calls");

  // The tool answered: text, whatever tools are declared.
  const std::string answered =
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"find cats"},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
      R"("function":{"name":"lookup","arguments":"{\"query\":\"find cats\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"42 cats"}],)" + std::string(kTools) + "}";
  auto t = post("/openai/chat/completions", openai_headers("sk-valid"), answered);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(str_at(json::parse(t.body).at("choices").at(0), {"message", "content"}), "Tool said: 42 cats");
  EXPECT_EQ(json::parse(t.body).at("usage").at("prompt_tokens").as_int64(), 4);  // "find cats" + "42 cats"
}

TEST_F(MockChatOpenAi, StrictChecksAnswer400InOpenAiShapeNamingTheProblem) {
  struct Case {
    std::string body;
    std::string expected;
  };
  const Case cases[] = {
      {"not json", "could not parse the JSON body"},
      {R"({"messages":[{"role":"user","content":"hi"}]})", "you must provide a model parameter"},
      {R"({"model":"m"})", "Missing required parameter: 'messages'"},
      {R"({"model":"m","messages":[]})", "Invalid 'messages': empty array"},
      {R"({"model":"m","messages":[{"role":"robot","content":"hi"}]})", "Invalid value: 'robot'"},
      {R"({"model":"m","messages":[{"role":"user"}]})", "'messages[0].content'"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"x","content":"r"}]})",
       "must be a response to a preceeding message with 'tool_calls'"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":)"
       R"({"name":"f","arguments":{"q":1}}}]},{"role":"tool","tool_call_id":"c","content":"r"}]})",
       "'messages[0].tool_calls[0].function.arguments': expected a string"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":)"
       R"({"name":"f","arguments":"{}"}}]},{"role":"user","content":"hi"}]})",
       "did not have response messages: c"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}})",
       "'stream_options' parameter is only allowed when 'stream' is enabled"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"})", "'stream': expected a boolean"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = post("/openai/chat/completions", openai_headers("sk-valid"), c.body);
    ASSERT_EQ(r.status, 400) << r.body;
    auto body = object_from(r.body);
    EXPECT_EQ(str_at(body, {"error", "type"}), "invalid_request_error");
    EXPECT_NE(error_message(r).find(c.expected), std::string::npos) << r.body;
  }
}

TEST_F(MockChatOpenAi, FailureKeywords) {
  const std::string target = "/openai/chat/completions";
  auto invalid = post(target, openai_headers("sk-proj-abcdefgh-invalid"), kOpenAiBody);
  EXPECT_EQ(invalid.status, 401);
  EXPECT_EQ(str_at(json::parse(invalid.body), {"error", "code"}), "invalid_api_key");
  EXPECT_EQ(post(target, {{"Content-Type", "application/json"}}, kOpenAiBody).status, 401);

  auto limited = post(target, openai_headers("sk-limited"), kOpenAiBody);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After").value_or(""), "7");
  auto limited12 = post(target, openai_headers("sk-limited12"), with_stream(kOpenAiBody, R"("stream":true)"));
  EXPECT_EQ(limited12.status, 429);
  EXPECT_EQ(limited12.header("Retry-After").value_or(""), "12");

  auto quota = post(target, openai_headers("sk-quota"), kOpenAiBody);
  EXPECT_EQ(quota.status, 429);
  EXPECT_EQ(str_at(json::parse(quota.body), {"error", "code"}), "insufficient_quota");
  auto kimi_quota = post("/kimi/chat/completions", openai_headers("sk-quota"), kOpenAiBody);
  EXPECT_EQ(kimi_quota.status, 403);

  auto error = post(target, openai_headers("sk-error"), with_stream(kOpenAiBody, R"("stream":true)"));
  EXPECT_EQ(error.status, 500);
  EXPECT_EQ(str_at(json::parse(error.body), {"error", "type"}), "server_error");
  EXPECT_EQ(post(target, openai_headers("sk-overloaded"), kOpenAiBody).status, 503);

  EXPECT_TRUE(closes_without_answer(target, openai_headers("sk-reset"), kOpenAiBody));
  EXPECT_TRUE(closes_without_answer(target, openai_headers("sk-cut"), kOpenAiBody));
  const std::string cut =
      bytes_before_cut(target, openai_headers("sk-cut"), with_stream(kOpenAiBody, R"("stream":true)"));
  EXPECT_TRUE(cut.starts_with("HTTP/1.1 200")) << cut;
  EXPECT_EQ(parse_sse(cut.substr(cut.find("\r\n\r\n"))).size(), 2u) << cut;

  auto echo = post(target, openai_headers("sk-echo"), kOpenAiBody);
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(str_at(json::parse(echo.body), {"body"}), kOpenAiBody);
}

// ---- Anthropic wire -------------------------------------------------------------------------

TEST_F(MockChatAnthropic, PlainAnswerIsTheDeterministicTextWithWordCountUsage) {
  auto r = post("/anthropic/v1/messages", anthropic_headers("sk-ant-api03-x-valid"), kAnthropicBody);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = object_from(r.body);
  EXPECT_EQ(body.at("type"), "message");
  EXPECT_EQ(body.at("role"), "assistant");
  EXPECT_EQ(str_at(body.at("content").at(0), {"text"}),
            "Hello from anthropic (claude-3-5-haiku-latest): Say hello please");
  EXPECT_EQ(body.at("stop_reason"), "end_turn");
  // 6 prompt words; the system prompt's 3 are the cached prefix, written on this first turn and,
  // as Anthropic counts, left out of input_tokens.
  EXPECT_EQ(body.at("usage").at("input_tokens").as_int64(), 3);
  EXPECT_EQ(body.at("usage").at("cache_creation_input_tokens").as_int64(), 3);
  EXPECT_EQ(body.at("usage").at("cache_read_input_tokens").as_int64(), 0);
  EXPECT_EQ(body.at("usage").at("output_tokens").as_int64(), 7);
  EXPECT_TRUE(r.has_header("request-id"));

  auto models = send("GET", "/anthropic/v1/models", anthropic_headers("sk-ant-valid"));
  ASSERT_EQ(models.status, 200) << models.body;
  EXPECT_EQ(str_at(json::parse(models.body).at("data").at(0), {"type"}), "model");
}

TEST_F(MockChatAnthropic, StreamFollowsTheMessagesEventSequence) {
  auto r = post("/anthropic/v1/messages", anthropic_headers("sk-ant-valid"),
                with_stream(kAnthropicBody, R"("stream":true)"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto events = parse_sse(r.body);
  std::vector<std::string> names;
  std::string text;
  for (const auto& e : events) {
    names.push_back(e.event);
    auto data = object_from(e.data);
    EXPECT_EQ(str_at(data, {"type"}), e.event);  // the data's type is the event name
    if (e.event == "content_block_delta") text += str_at(data, {"delta", "text"});
  }
  std::vector<std::string> expected = {"message_start", "content_block_start", "ping"};
  expected.insert(expected.end(), 7, "content_block_delta");
  expected.insert(expected.end(), {"content_block_stop", "message_delta", "message_stop"});
  EXPECT_EQ(names, expected);
  EXPECT_EQ(text, "Hello from anthropic (claude-3-5-haiku-latest): Say hello please");
  EXPECT_EQ(json::parse(events[0].data).at("message").at("usage").at("input_tokens").as_int64(), 3);
  EXPECT_EQ(json::parse(events[0].data).at("message").at("usage").at("cache_creation_input_tokens").as_int64(), 3);
  const auto delta = json::parse(events[events.size() - 2].data);
  EXPECT_EQ(delta.at("delta").at("stop_reason"), "end_turn");
  EXPECT_EQ(delta.at("usage").at("output_tokens").as_int64(), 7);
}

TEST_F(MockChatAnthropic, ToolsGiveAToolUseAndAToolResultGivesToolSaid) {
  constexpr std::string_view kTools =
      R"("tools":[{"name":"lookup","description":"d","input_schema":{"type":"object"}},)"
      R"({"name":"other","input_schema":{"type":"object"}}])";
  const std::string ask = R"({"model":"claude-x","max_tokens":50,"messages":[{"role":"user","content":"find cats"}],)" +
                          std::string(kTools) + "}";
  auto r = post("/anthropic/v1/messages", anthropic_headers("sk-ant-valid"), ask);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json::parse(r.body);
  EXPECT_EQ(body.at("stop_reason"), "tool_use");
  const auto& block = body.at("content").at(0);
  EXPECT_EQ(block.at("type"), "tool_use");
  EXPECT_EQ(block.at("name"), "lookup");
  EXPECT_EQ(block.at("input"), json::parse(R"({"query":"find cats"})"));
  EXPECT_EQ(body.at("usage").at("output_tokens").as_int64(), 5);

  auto s = post("/anthropic/v1/messages", anthropic_headers("sk-ant-valid"), with_stream(ask, R"("stream":true)"));
  std::string partial;
  int fragments = 0;
  for (const auto& e : parse_sse(s.body)) {
    if (e.event == "content_block_start") {
      EXPECT_EQ(str_at(json::parse(e.data), {"content_block", "type"}), "tool_use");
    }
    if (e.event != "content_block_delta") continue;
    const auto d = json::parse(e.data).at("delta");
    EXPECT_EQ(d.at("type"), "input_json_delta");
    partial += d.at("partial_json").as_string();
    ++fragments;
  }
  EXPECT_GE(fragments, 2);
  EXPECT_EQ(json::parse(partial), json::parse(R"({"query":"find cats"})"));

  const std::string answered =
      R"({"model":"claude-x","max_tokens":50,"messages":[{"role":"user","content":"find cats"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"query":"find cats"}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"42 cats"}]}],)" +
      std::string(kTools) + "}";
  auto t = post("/anthropic/v1/messages", anthropic_headers("sk-ant-valid"), answered);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(str_at(json::parse(t.body).at("content").at(0), {"text"}), "Tool said: 42 cats");
  EXPECT_EQ(json::parse(t.body).at("usage").at("input_tokens").as_int64(), 4);
}

TEST_F(MockChatAnthropic, StrictChecksAnswer400InAnthropicShapeNamingTheProblem) {
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::string user = R"({"role":"user","content":"hi"})";
  const Case cases[] = {
      {R"({"model":"c","messages":[)" + user + "]}", "max_tokens: Field required"},
      {R"({"max_tokens":5,"messages":[)" + user + "]}", "model: Field required"},
      {R"({"model":"c","max_tokens":5,"messages":[{"role":"system","content":"be nice"},)" + user + "]}",
       "Unexpected role \"system\""},
      {R"({"model":"c","max_tokens":5,"messages":[{"role":"tool","content":"x"}]})",
       "Input should be 'user' or 'assistant'"},
      {R"({"model":"c","max_tokens":5,"messages":[)" + user + R"(],"stream_options":{"include_usage":true}})",
       "stream_options: Extra inputs are not permitted"},
      {R"({"model":"c","max_tokens":5,"messages":[)" + user +
           R"(,{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]}]})",
       "tool_result blocks are only allowed in user messages"},
      {R"({"model":"c","max_tokens":5,"messages":[)" + user +
           R"(,{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":"{}"}]},)"
           R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]}]})",
       "input: Input should be a valid dictionary"},
      {R"({"model":"c","max_tokens":5,"messages":[)" + user +
           R"(,{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},)" + user + "]}",
       "`tool_use` ids were found without `tool_result` blocks immediately after: t"},
      {R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"zz","content":"x"}]}]})",
       "unexpected `tool_use_id` found in `tool_result` blocks: zz"},
      {R"({"model":"c","max_tokens":5,"messages":[)" + user +
           R"(],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}]})",
       "Input tag 'function'"},
      {R"({"model":"c","max_tokens":5,"messages":[)" + user + R"(],"temperature":1.5})", "temperature"},
      {R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":""}]})", "non-empty content"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = post("/anthropic/v1/messages", anthropic_headers("sk-ant-valid"), c.body);
    ASSERT_EQ(r.status, 400) << r.body;
    auto body = object_from(r.body);
    EXPECT_EQ(body.at("type"), "error");
    EXPECT_EQ(str_at(body, {"error", "type"}), "invalid_request_error");
    EXPECT_NE(error_message(r).find(c.expected), std::string::npos) << r.body;
  }
  // The version header is required like the key.
  auto no_version = post("/anthropic/v1/messages", {{"x-api-key", "sk-ant-valid"}}, kAnthropicBody);
  EXPECT_EQ(no_version.status, 400);
  EXPECT_NE(error_message(no_version).find("anthropic-version"), std::string::npos);
  // A Bearer header is not Anthropic's auth.
  EXPECT_EQ(post("/anthropic/v1/messages",
                 {{"Authorization", "Bearer sk-ant-valid"}, {"anthropic-version", "2023-06-01"}}, kAnthropicBody)
                .status,
            401);
}

TEST_F(MockChatAnthropic, FailureKeywords) {
  const std::string target = "/anthropic/v1/messages";
  const std::string stream = with_stream(kAnthropicBody, R"("stream":true)");
  auto invalid = post(target, anthropic_headers("sk-ant-invalid"), stream);
  EXPECT_EQ(invalid.status, 401);
  EXPECT_EQ(str_at(json::parse(invalid.body), {"error", "type"}), "authentication_error");
  auto limited = post(target, anthropic_headers("sk-ant-limited3"), kAnthropicBody);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After").value_or(""), "3");
  EXPECT_EQ(
      str_at(json::parse(post(target, anthropic_headers("sk-ant-quota"), kAnthropicBody).body), {"error", "type"}),
      "billing_error");
  EXPECT_EQ(post(target, anthropic_headers("sk-ant-error"), stream).status, 500);

  // overloaded: plain 529; a stream starts with 200, then message_start and an error event.
  auto overloaded = post(target, anthropic_headers("sk-ant-overloaded"), kAnthropicBody);
  EXPECT_EQ(overloaded.status, 529);
  EXPECT_EQ(str_at(json::parse(overloaded.body), {"error", "type"}), "overloaded_error");
  auto overloaded_stream = post(target, anthropic_headers("sk-ant-overloaded"), stream);
  EXPECT_EQ(overloaded_stream.status, 200);
  auto events = parse_sse(overloaded_stream.body);
  ASSERT_EQ(events.size(), 2u) << overloaded_stream.body;
  EXPECT_EQ(events[0].event, "message_start");
  EXPECT_EQ(events[1].event, "error");
  EXPECT_EQ(str_at(json::parse(events[1].data), {"error", "type"}), "overloaded_error");

  EXPECT_TRUE(closes_without_answer(target, anthropic_headers("sk-ant-reset"), stream));
  const std::string cut = bytes_before_cut(target, anthropic_headers("sk-ant-cut"), stream);
  auto cut_events = parse_sse(cut.substr(cut.find("\r\n\r\n")));
  ASSERT_EQ(cut_events.size(), 2u) << cut;
  EXPECT_EQ(cut_events[1].event, "content_block_start");
}

// ---- Gemini wire ----------------------------------------------------------------------------

TEST_F(MockChatGemini, PlainAnswerIsTheDeterministicTextWithWordCountUsage) {
  auto r = post(kGeminiChat, gemini_headers("AIza-valid"), kGeminiBody);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = object_from(r.body);
  const auto& candidate = body.at("candidates").at(0);
  EXPECT_EQ(str_at(candidate.at("content").at("parts").at(0), {"text"}),
            "Hello from gemini (gemini-2.0-flash): Say hello please");
  EXPECT_EQ(candidate.at("content").at("role"), "model");
  EXPECT_EQ(candidate.at("finishReason"), "STOP");
  EXPECT_EQ(body.at("usageMetadata").at("promptTokenCount").as_int64(), 6);
  EXPECT_EQ(body.at("usageMetadata").at("cachedContentTokenCount").as_int64(), 3) << "part of promptTokenCount";
  EXPECT_EQ(body.at("usageMetadata").at("candidatesTokenCount").as_int64(), 7);
  EXPECT_EQ(body.at("usageMetadata").at("totalTokenCount").as_int64(), 13);

  // The key also works as ?key=, and the model list pages.
  EXPECT_EQ(
      post(std::string(kGeminiChat) + "?key=AIza-valid", {{"Content-Type", "application/json"}}, kGeminiBody).status,
      200);
  auto models = send("GET", "/gemini/v1beta/models?pageSize=1000", gemini_headers("AIza-valid"));
  ASSERT_EQ(models.status, 200);
  auto list = object_from(models.body);
  EXPECT_GE(list.at("models").as_array().size(), 2u);
  EXPECT_TRUE(str_at(list.at("models").at(0), {"name"}).starts_with("models/gemini-"));
  EXPECT_FALSE(list.contains("nextPageToken"));
}

TEST_F(MockChatGemini, StreamSendsIncrementalTextAndFinishesWithUsage) {
  auto r = post(kGeminiStream, gemini_headers("AIza-valid"), kGeminiBody);
  ASSERT_EQ(r.status, 200) << r.body;
  auto events = parse_sse(r.body);
  ASSERT_EQ(events.size(), 7u) << r.body;
  std::string text;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_TRUE(events[i].event.empty());
    auto chunk = object_from(events[i].data);
    const auto& candidate = chunk.at("candidates").at(0).as_object();
    text += str_at(candidate.at("content").at("parts").at(0), {"text"});
    EXPECT_EQ(candidate.contains("finishReason"), i + 1 == events.size());
  }
  EXPECT_EQ(text, "Hello from gemini (gemini-2.0-flash): Say hello please");
  auto last = json::parse(events.back().data);
  EXPECT_EQ(last.at("usageMetadata").at("candidatesTokenCount").as_int64(), 7);
  EXPECT_EQ(last.at("usageMetadata").at("promptTokenCount").as_int64(), 6);
}

TEST_F(MockChatGemini, ToolsGiveAFunctionCallAndAFunctionResponseGivesToolSaid) {
  constexpr std::string_view kTools =
      R"("tools":[{"functionDeclarations":[{"name":"lookup","parameters":{"type":"object","properties":)"
      R"({"query":{"type":"string"}}}},{"name":"other"}]}])";
  const std::string ask =
      R"({"contents":[{"role":"user","parts":[{"text":"find cats"}]}],)" + std::string(kTools) + "}";
  for (std::string_view target : {kGeminiChat, kGeminiStream}) {
    SCOPED_TRACE(target);
    auto r = post(target, gemini_headers("AIza-valid"), ask);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string data = target == kGeminiStream ? parse_sse(r.body).at(0).data : r.body;
    auto body = json::parse(data);
    const auto& part = body.at("candidates").at(0).at("content").at("parts").at(0);
    EXPECT_EQ(str_at(part, {"functionCall", "name"}), "lookup");
    EXPECT_EQ(part.at("functionCall").at("args"), json::parse(R"({"query":"find cats"})"));
    EXPECT_EQ(body.at("candidates").at(0).at("finishReason"), "STOP");
    EXPECT_EQ(body.at("usageMetadata").at("candidatesTokenCount").as_int64(), 5);
  }
  const std::string answered =
      R"({"contents":[{"role":"user","parts":[{"text":"find cats"}]},)"
      R"({"role":"model","parts":[{"functionCall":{"name":"lookup","args":{"query":"find cats"}}}]},)"
      R"({"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"content":"42 cats"}}}]}],)" +
      std::string(kTools) + "}";
  auto t = post(kGeminiChat, gemini_headers("AIza-valid"), answered);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(str_at(json::parse(t.body).at("candidates").at(0).at("content").at("parts").at(0), {"text"}),
            "Tool said: 42 cats");
  EXPECT_EQ(json::parse(t.body).at("usageMetadata").at("promptTokenCount").as_int64(), 4);
}

TEST_F(MockChatGemini, StrictChecksAnswer400InGoogleShapeNamingTheProblem) {
  struct Case {
    std::string target;
    std::string body;
    std::string expected;
  };
  const std::string chat(kGeminiChat);
  const std::string user = R"({"role":"user","parts":[{"text":"hi"}]})";
  const Case cases[] = {
      {chat, R"({"model":"gemini-2.0-flash","contents":[)" + user + "]}", "Unknown name \"model\""},
      {chat, R"({"messages":[{"role":"user","content":"hi"}]})", "Unknown name \"messages\""},
      {chat, R"({"contents":[]})", "contents is not specified"},
      {chat, R"({"contents":[{"role":"assistant","parts":[{"text":"hi"}]}]})", "Please use a valid role: user, model."},
      {chat, R"({"contents":[{"role":"user","parts":[]}]})", "contents.parts must not be empty"},
      {chat, R"({"contents":[)" + user + R"(],"generationConfig":{"max_tokens":5}})",
       "Unknown name \"max_tokens\" at 'generation_config'"},
      {chat,
       R"({"contents":[)" + user +
           R"(],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"object","additionalProperties":false}}]}]})",
       "Unknown name \"additionalProperties\""},
      {chat, R"({"contents":[{"role":"user","parts":[{"functionResponse":{"name":"f","response":"42"}}]}]})",
       "function_response.response"},
      {chat, R"({"systemInstruction":"be nice","contents":[)" + user + "]}", "system_instruction"},
      {"/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent", R"({"contents":[)" + user + "]}", "alt=sse"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = post(c.target, gemini_headers("AIza-valid"), c.body);
    ASSERT_EQ(r.status, 400) << r.body;
    auto body = object_from(r.body);
    EXPECT_EQ(body.at("error").at("code").as_int64(), 400);
    EXPECT_EQ(str_at(body, {"error", "status"}), "INVALID_ARGUMENT");
    EXPECT_NE(error_message(r).find(c.expected), std::string::npos) << r.body;
  }
}

TEST_F(MockChatGemini, FailureKeywords) {
  auto invalid = post(kGeminiStream, gemini_headers("AIza-invalid"), kGeminiBody);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(str_at(json::parse(invalid.body).at("error").at("details").at(0), {"reason"}), "API_KEY_INVALID");
  auto limited = post(kGeminiChat, gemini_headers("AIza-limited"), kGeminiBody);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After").value_or(""), "7");
  EXPECT_EQ(str_at(json::parse(limited.body), {"error", "status"}), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(post(kGeminiChat, gemini_headers("AIza-quota"), kGeminiBody).status, 429);
  EXPECT_EQ(post(kGeminiStream, gemini_headers("AIza-error"), kGeminiBody).status, 500);
  auto overloaded = post(kGeminiStream, gemini_headers("AIza-overloaded"), kGeminiBody);
  EXPECT_EQ(overloaded.status, 503);
  EXPECT_EQ(str_at(json::parse(overloaded.body), {"error", "status"}), "UNAVAILABLE");
  EXPECT_TRUE(closes_without_answer(kGeminiChat, gemini_headers("AIza-reset"), kGeminiBody));
  const std::string cut = bytes_before_cut(kGeminiStream, gemini_headers("AIza-cut"), kGeminiBody);
  EXPECT_EQ(parse_sse(cut.substr(cut.find("\r\n\r\n"))).size(), 2u) << cut;
}

// ---- every wire -----------------------------------------------------------------------------

TEST_F(MockChat, EachStreamEventIsItsOwnChunk) {
  struct Stream {
    std::string target;
    HeaderList headers;
    std::string body;
  };
  const Stream streams[] = {
      {"/openai/chat/completions", openai_headers("sk-valid"), with_stream(kOpenAiBody, R"("stream":true)")},
      {"/anthropic/v1/messages", anthropic_headers("sk-ant-valid"), with_stream(kAnthropicBody, R"("stream":true)")},
      {std::string(kGeminiStream), gemini_headers("AIza-valid"), std::string(kGeminiBody)},
  };
  for (const auto& s : streams) {
    SCOPED_TRACE(s.target);
    const auto chunks = chunk_payloads(raw_response(s.target, s.headers, s.body));
    ASSERT_GE(chunks.size(), 5u);
    for (const auto& chunk : chunks) {
      EXPECT_TRUE(chunk.ends_with("\n\n")) << chunk;
      EXPECT_EQ(parse_sse(chunk).size(), 1u) << chunk;
    }
  }
}

TEST_F(MockChat, SlowDelaysTheFirstByteAndDripSpacesTheEvents) {
  // Lower bounds only: a slow machine makes these slower, never faster.
  EXPECT_GE(time_of([] { post("/openai/chat/completions", openai_headers("sk-slow"), kOpenAiBody); }),
            milliseconds{2900});
  EXPECT_GE(time_of([] { post(kGeminiChat, gemini_headers("AIza-slow400"), kGeminiBody); }), milliseconds{400});
  // 7 Gemini events: 6 gaps of 250 ms.
  HttpResponse dripped;
  EXPECT_GE(time_of([&] { dripped = post(kGeminiStream, gemini_headers("AIza-drip"), kGeminiBody); }),
            milliseconds{1500});
  EXPECT_EQ(parse_sse(dripped.body).size(), 7u);
  // drip<ms>: the same 7 events spread over that long (more than plain drip's 1.5 s).
  HttpResponse held;
  EXPECT_GE(time_of([&] { held = post(kGeminiStream, gemini_headers("AIza-drip2400"), kGeminiBody); }),
            milliseconds{2400});
  EXPECT_EQ(parse_sse(held.body).size(), 7u);
}

TEST_F(MockChat, ValidationCallsKeepTheirAnswers) {
  // Perplexity validates through chat: its catalog body gets a chat answer.
  auto perplexity = post("/perplexity/chat/completions", openai_headers("pplx-valid"),
                         R"({"model":"sonar","max_tokens":1,"messages":[{"role":"user","content":"ping"}]})");
  EXPECT_EQ(perplexity.status, 200) << perplexity.body;
  EXPECT_EQ(send("GET", "/openrouter/key", openai_headers("sk-or-v1-valid")).status, 200);
  EXPECT_EQ(send("GET", "/gemini/v1beta/models?pageSize=1&key=AIza-valid", {}).status, 200);
  EXPECT_EQ(send("GET", "/duffel/air/airlines?limit=1", openai_headers("duffel_test_x-limited5"))
                .header("Retry-After")
                .value_or(""),
            "5");
  EXPECT_EQ(send("POST", "/openai/models", openai_headers("sk-valid")).status, 405);
  EXPECT_EQ(send("GET", "/openai/nothing", openai_headers("sk-valid")).status, 404);
}

TEST(MockProviderThreads, ServesConcurrentClientsAndLogsEveryRequest) {
  TempDir dir;
  const auto port_file = dir / "port";
  Process mock({KEYRELAY_MOCK_PROVIDER, "--port-file", port_file.string(), "--threads", "4"}, {}, dir.path(),
               dir.path());
  std::uint16_t port = 0;
  ASSERT_TRUE(poll_until(deadline_in(milliseconds{20000}), [&] {
    const std::string text = read_file_or_empty(port_file);
    if (!text.empty() && text.back() == '\n') port = static_cast<std::uint16_t>(std::stoi(text));
    return port != 0 || !mock.is_running();
  }));
  ASSERT_NE(port, 0) << mock.output_text();

  constexpr int kClients = 8;
  constexpr int kRequestsEach = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      auto conn = HttpConnection::connect(port);
      for (int i = 0; i < kRequestsEach; ++i) {
        auto r = conn.request("POST", "/anthropic/v1/messages", anthropic_headers("sk-ant-valid"),
                              with_stream(kAnthropicBody, R"("stream":true)"));
        if (r.status == 200 && r.body.ends_with("{\"type\":\"message_stop\"}\n\n")) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequestsEach);
  auto log = HttpConnection::connect(port).request("GET", "/_mock/requests");
  EXPECT_EQ(json::parse(log.body).as_array().size(), static_cast<std::size_t>(kClients * kRequestsEach));

  // A thread count out of range is a usage error.
  TempDir bad_dir;
  Process bad({KEYRELAY_MOCK_PROVIDER, "--port-file", (bad_dir / "port").string(), "--threads", "0"}, {},
              bad_dir.path(), bad_dir.path());
  EXPECT_EQ(bad.wait_for_exit(deadline_in(milliseconds{10000})), std::optional<ExitStatus>(2)) << bad.output_text();
}

}  // namespace
}  // namespace keyrelay::test
