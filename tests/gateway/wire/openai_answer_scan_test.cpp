#include "gateway/wire/openai_answer_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gateway/wire/openai_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

// What the relay read from a parsed tree before the scan: the reference the scan must match.
std::optional<OpenAiAnswerFacts> read_from_tree(std::string_view body) {
  const auto doc = parse_json(body);
  if (!doc || !doc->is_object()) return std::nullopt;
  OpenAiAnswerFacts facts;
  facts.has_choices = array_field(doc->get_object(), "choices") != nullptr;
  facts.model = std::string(string_field(doc->get_object(), "model"));
  facts.usage = usage_of_openai(doc->get_object());
  return facts;
}

void expect_same_as_tree(std::string_view body) {
  SCOPED_TRACE(std::string(body));
  const auto scanned = scan_openai_answer(body);
  const auto tree = read_from_tree(body);
  ASSERT_EQ(scanned.has_value(), tree.has_value());
  if (!tree) return;
  EXPECT_EQ(scanned->has_choices, tree->has_choices);
  EXPECT_EQ(scanned->model, tree->model);
  ASSERT_EQ(scanned->usage.has_value(), tree->usage.has_value());
  if (!tree->usage) return;
  EXPECT_EQ(scanned->usage->input_tokens, tree->usage->input_tokens);
  EXPECT_EQ(scanned->usage->output_tokens, tree->usage->output_tokens);
  EXPECT_EQ(scanned->usage->cached_input_tokens, tree->usage->cached_input_tokens);
  EXPECT_EQ(scanned->usage->cache_write_tokens, tree->usage->cache_write_tokens);
  EXPECT_EQ(scanned->usage->reported, tree->usage->reported);
}

TEST(OpenAiAnswerScan, ReadsAChatCompletionsModelAndUsage) {
  const auto facts = scan_openai_answer(
      R"({"id":"c1","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}],)"
      R"("usage":{"prompt_tokens":61,"completion_tokens":21,"prompt_tokens_details":{"cached_tokens":40}}})"
      "\n");
  ASSERT_TRUE(facts);
  EXPECT_TRUE(facts->has_choices);
  EXPECT_EQ(facts->model, "gpt-4o-mini");
  ASSERT_TRUE(facts->usage);
  EXPECT_EQ(facts->usage->input_tokens, 61u);
  EXPECT_EQ(facts->usage->output_tokens, 21u);
  EXPECT_EQ(facts->usage->cached_input_tokens, 40u);
  EXPECT_TRUE(facts->usage->reported);
}

TEST(OpenAiAnswerScan, RefusesWhatIsNotAJsonObject) {
  for (const char* body : {"", "[]", "\"text\"", "42", "{", R"({"choices":[]} x)", R"({"choices":[]}{})",
                           "{\"a\":\"\xff\"}", R"({"choices":[],})", "// c\n{}"})
    EXPECT_FALSE(scan_openai_answer(body)) << body;
}

// Every case the tree reading treats specially: escapes in keys and values, a key given twice
// (the last counts), null and wrongly typed values, numbers of every kind, look-alike keys deeper down.
TEST(OpenAiAnswerScan, ReadsExactlyWhatTheTreeReads) {
  const std::vector<std::string> bodies = {
      R"({"choices":[],"model":"m"})",
      R"({"choices":null,"model":null,"usage":null})",
      R"({"choices":{},"model":7,"usage":[]})",
      R"({"choices":[],"choices":1})",
      R"({"choices":1,"choices":[]})",
      R"({"ch\u006fices":[],"mo\u0064el":"gpt\u002d4o \"quoted\"","\u0075sage":{"prompt_t\u006fkens":3}})",
      R"({"model":"a","model":"b","choices":[]})",
      R"({"model":"a","model":null,"choices":[]})",
      R"({"usage":{"prompt_tokens":5,"completion_tokens":6},"usage":{"completion_tokens":1}})",
      R"({"usage":{"prompt_tokens":5},"usage":null})",
      R"({"usage":{"prompt_tokens":-5,"completion_tokens":4096.0}})",
      R"({"usage":{"prompt_tokens":1.5,"completion_tokens":1e3}})",
      R"({"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":9223372036854775807}})",
      R"({"usage":{"prompt_tokens":1e400,"completion_tokens":9.3e18}})",
      R"({"usage":{"prompt_tokens":"12","completion_tokens":true}})",
      R"({"usage":{"prompt_tokens":3,"prompt_tokens":null}})",
      R"({"usage":{"prompt_tokens_details":{"cached_tokens":9}}})",
      R"({"usage":{"prompt_tokens_details":{"cached_tokens":9},"prompt_tokens_details":4}})",
      R"({"usage":{"prompt_tokens_details":{"cached_tokens":9,"cached_tokens":2}}})",
      R"({"usage":{"cached_tokens":9,"prompt_tokens_details":null}})",
      R"({"choices":[{"model":"inner","usage":{"prompt_tokens":9}}],"x":{"model":"deep","choices":[]}})",
      R"({"usage":{"x":{"prompt_tokens":9},"y":[{"completion_tokens":3}]},"model":"m"})",
      R"({"usage":{"prompt_tokens_details":{"x":{"cached_tokens":9}}}})",
      R"(  {"choices" : [ ] , "model" : "spaced" }  )",
      R"({})",
  };
  for (const auto& body : bodies) expect_same_as_tree(body);
}

// Random documents built from the keys the scan looks for, nested and repeated at random.
std::string random_value(std::mt19937& rng, int depth);

std::string random_object(std::mt19937& rng, int depth) {
  static const char* const kKeys[] = {"choices", "model", "usage", "prompt_tokens", "completion_tokens",
                                      "prompt_tokens_details", "cached_tokens", "other"};
  std::string out = "{";
  const int members = static_cast<int>(rng() % 5);
  for (int i = 0; i < members; ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += kKeys[rng() % 8];
    out += "\":";
    out += random_value(rng, depth + 1);
  }
  return out + "}";
}

std::string random_value(std::mt19937& rng, int depth) {
  static const char* const kScalars[] = {"null", "true", "12", "-3", "7.0", "2.5", "1e2", "18446744073709551615",
                                         "\"gpt-4o\"", "\"a\\u0062c\"", "\"\""};
  const unsigned pick = rng() % (depth > 4 ? 11 : 14);
  if (pick < 11) return kScalars[pick];
  if (pick == 13) return "[" + random_value(rng, depth + 1) + "," + random_object(rng, depth + 1) + "]";
  return random_object(rng, depth);
}

TEST(OpenAiAnswerScan, MatchesTheTreeOnRandomDocuments) {
  std::mt19937 rng(20261208);
  for (int i = 0; i < 3000; ++i) expect_same_as_tree(random_object(rng, 0));
}

}  // namespace
}  // namespace keyrelay::gateway::wire
