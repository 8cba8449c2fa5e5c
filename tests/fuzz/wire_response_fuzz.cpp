// Each wire's readers of provider answers: a 2xx chat answer (translate_response), an error answer
// (translate_error and the OpenAI error body built from it), a model list, OpenAI usage, and the
// classifier that decides what an answer says about a key, with the redaction of provider text.
// Input: <wire byte> <status byte> <provider byte> <body>.
// Checks: what goes back to a client is JSON (UTF-8 valid), and redacted text never holds the key.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "fuzz_input.h"
#include "gateway/answer_classifier.h"
#include "gateway/wire/chat_wire.h"

namespace {

using namespace keyrelay;

// Upper case, digits and signs: nothing "[redacted]" is made of, so it can never spell the key, and
// the signs make the percent-encoded form differ from the raw one.
constexpr std::string_view kSecret = "KR-FUZZ+SECRET/0123456789=";
constexpr std::string_view kSecretEncoded = "KR-FUZZ%2BSECRET%2F0123456789%3D";

int status_of(unsigned char b) {
  static constexpr int kStatuses[] = {200, 201, 400, 401, 402, 403, 404, 408, 409, 422, 429, 500, 502, 503, 529, 302};
  return b < 16 ? kStatuses[b] : 100 + 2 * b;
}

const catalog::Catalog& builtin_catalog() {
  static const auto catalog = std::make_unique<catalog::Catalog>(*catalog::Catalog::builtin());
  return *catalog;
}

void check_redacted(std::string_view text) {
  const std::string out = gateway::redact(text, kSecret);
  FUZZ_CHECK(out.size() <= 256);
  FUZZ_CHECK(out.find(kSecret) == std::string::npos);
  FUZZ_CHECK(out.find(kSecretEncoded) == std::string::npos);
  if (fuzz::is_utf8(text)) FUZZ_CHECK(fuzz::is_utf8(out));
  std::string scrubbed(text);
  gateway::scrub_secret(scrubbed, kSecret);
  FUZZ_CHECK(scrubbed.find(kSecret) == std::string::npos);
  FUZZ_CHECK(scrubbed.find(kSecretEncoded) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const auto wire = static_cast<catalog::Wire>(input.byte() % 3);
  const int status = status_of(input.byte());
  const auto& providers = builtin_catalog().providers();
  const catalog::Provider& provider = providers[input.byte() % providers.size()];
  const std::string_view body = input.rest();

  if (auto answer = gateway::translate_response(wire, std::string(body), {"chatcmpl-fuzz", 1700000000, "fuzz-model"})) {
    FUZZ_CHECK(fuzz::is_json(answer->body));
  }

  const gateway::ProviderError error = gateway::translate_error(wire, status, body);
  FUZZ_CHECK(error.status >= 400 && error.status <= 599);
  FUZZ_CHECK(!error.message.empty() && !error.type.empty());
  const std::string message = gateway::redact(error.message, kSecret);
  FUZZ_CHECK(fuzz::is_json(gateway::openai_error_body(message, error.type, error.code, "req-fuzz")));
  check_redacted(error.message);

  if (auto models = gateway::models_of_list(wire, body)) {
    for (const auto& id : *models) FUZZ_CHECK(!id.empty());
  }
  (void)gateway::usage_of_openai_body(body);

  http::Headers headers;
  headers.add("Retry-After", std::string(body.substr(0, 8)));
  const gateway::Classification verdict = gateway::classify(provider, status, headers, body);
  FUZZ_CHECK(!verdict.message.empty());
  check_redacted(verdict.message);
  check_redacted(body);
  return 0;
}
