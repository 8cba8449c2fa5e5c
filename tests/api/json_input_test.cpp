#include "api/json_input.h"

#include <gtest/gtest.h>

#include "core/secret.h"
#include "support/freed_memory_probe.h"

// The JSON of a secret-carrying body (create, rotate, validate) leaves no copy of the secret in
// freed memory, whichever way parsing ends: every block the parser and the parsed value used is
// wiped before it is freed. (The raw body is the server's: it wipes it after the handler.)
namespace keyrelay::api {
namespace {

constexpr std::string_view kMarker = "sk-live-JSON-INPUT-MARKER-0123456789abcdef";

http::Request request_with(std::string body, std::string content_type = "application/json") {
  http::Request r;
  r.method = http::Method::post;
  r.target = "/api/v1/keys";
  r.headers.add("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

const std::string kSecretField = "\"secret\":\"" + std::string(kMarker) + "\"";

struct ParseCase {
  const char* name;
  std::string body;
  bool parses;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class JsonInputWipes : public ::testing::TestWithParam<ParseCase> {};

TEST_P(JsonInputWipes, NoCopyOfTheSecretIsLeftInFreedMemory) {
  const ParseCase& c = GetParam();
  http::Request request = request_with(c.body);
  std::size_t dirty = 0;
  std::size_t freed = 0;
  {
    test::FreedMemoryProbe probe(kMarker);
    {
      auto object = json_object_body(request, {"provider", "name", "secret", "metadata"});
      EXPECT_EQ(static_cast<bool>(object), c.parses) << (object ? "" : object.error().message);
    }
    dirty = probe.dirty_blocks();
    freed = probe.freed_blocks();
  }
  core::wipe_memory(request.body.data(), request.body.size());
  EXPECT_GT(freed, 0u);
  EXPECT_EQ(dirty, 0u);
}

// The secret comes first in each body, so that every error below is met after it was parsed.
INSTANTIATE_TEST_SUITE_P(
    EveryWayParsingEnds, JsonInputWipes,
    ::testing::Values(
        ParseCase{"Success", "{" + kSecretField + ",\"provider\":\"openai\",\"name\":\"a-long-key-name-here\"}", true},
        ParseCase{"SuccessWithManyFields",
                  "{" + kSecretField + ",\"metadata\":{\"a\":\"" + std::string(5000, 'm') + "\",\"b\":[1,2,3]}}", true},
        ParseCase{"EscapedSecret", "{\"secret\":\"" + std::string(kMarker) + "\\u0041\\n" + std::string(3000, 'e') + "\"}",
                  true},
        ParseCase{"UnknownField", "{" + kSecretField + ",\"surprise\":1}", false},
        ParseCase{"NotJson", "{" + kSecretField + ",\"provider\":", false},
        ParseCase{"TrailingGarbage", "{" + kSecretField + "} and more", false},
        ParseCase{"NotAnObject", "[" + kSecretField.substr(9) + ",1,2]", false},
        ParseCase{"TooDeep", "{" + kSecretField + ",\"metadata\":" + std::string(40, '[') + std::string(40, ']') + "}",
                  false}),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return std::string(info.param.name); });

TEST(JsonInput, UnparsedBodyOfTheWrongTypeLeavesNoCopy) {
  http::Request request = request_with("{" + kSecretField + "}", "text/plain");
  std::size_t dirty = 0;
  {
    test::FreedMemoryProbe probe(kMarker);
    auto object = json_object_body(request, {"secret"});
    EXPECT_FALSE(object);
    dirty = probe.dirty_blocks();
  }
  core::wipe_memory(request.body.data(), request.body.size());
  EXPECT_EQ(dirty, 0u);
}

}  // namespace
}  // namespace keyrelay::api
