#pragma once
// The gateway end to end: the mock provider, the real keyrelay on it, and helpers to store keys
// whose last dash-word tells the mock how to answer (valid, invalid, limited3, error, reset, cut,
// drip, slow1500, …: tests/mock_provider/behaviour.h), to call /v1/chat/completions and to read an
// SSE body. Not thread-safe.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/mock_provider_process.h"
#include "vault_harness.h"

namespace keyrelay::test {

class Gateway {
 public:
  // `env` is added to the mock's provider base URLs (e.g. short upstream timeouts).
  explicit Gateway(Environment env = {});
  // The same, with the vault's own options (TLS); `options.env` gets the mock's base URLs added.
  explicit Gateway(VaultServer::Options options);

  MockProviderProcess mock;
  VaultServer vault;
  Identity alice;

  // A secret for `provider` that makes the mock answer with `behaviour`.
  static std::string secret_for(std::string_view provider, std::string_view behaviour);
  // Stores a key of `who` and returns its id; `extra` adds fields (priority, always_use, …).
  std::string add_key(const Identity& who, std::string_view provider, std::string_view behaviour,
                      const boost::json::object& extra = {}, std::string_view name = {});
  // The secret of the last add_key() for the key id.
  const std::string& secret_of(const std::string& key_id) const;

  // POST /v1/chat/completions as `who`.
  HttpResponse chat(const Identity& who, const boost::json::object& body, const HeaderList& headers = {});
  // A one-message chat body.
  static boost::json::object chat_body(std::string_view model, std::string_view text = "hi there",
                                       bool stream = false);

  // Provider requests the mock received whose path starts with `prefix`.
  std::vector<boost::json::object> upstream_requests(std::string_view prefix);

  // Waits (up to 10 s) until the usage of `who` reaches `requests` requests (usage is batched).
  boost::json::object wait_for_usage_totals(const Identity& who, std::int64_t requests);

 private:
  std::vector<std::pair<std::string, std::string>> secrets_;
};

// A JSON string's text; "<not a string: …>" otherwise (for readable EXPECT_EQs).
std::string text_of(const boost::json::value& v);

// The "data:" payloads of an SSE body, in order ("[DONE]" included as is).
std::vector<std::string> sse_data(std::string_view body);
// The concatenated choices[0].delta.content of OpenAI chunks (skipping [DONE] and non-JSON).
std::string streamed_text(const std::vector<std::string>& data);

}  // namespace keyrelay::test
