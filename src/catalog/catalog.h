#pragma once
// The provider catalog: which providers exist, where their API lives, how a key is presented to
// them, how to validate it cheaply, and which wire format their chat API speaks. MCP servers are
// entries of kind `mcp` (issue 16 item 3): their base_url is the server's one streamable-HTTP
// endpoint, which /mcp/{server} forwards to with the user's key placed as `auth` says.
//
// Immutable once built; share it as std::shared_ptr<const Catalog>. Only the operator shapes it
// (the built-in JSON, later an operator file and KEYRELAY_PROVIDER_<ID>_BASE_URL): users can never
// choose a URL.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model_price.h"
#include "core/result.h"

namespace keyrelay::catalog {

enum class Kind { llm, service, mcp };
enum class Wire { openai, anthropic, gemini };
enum class AuthPlacement { header, query };

std::string_view kind_name(Kind k) noexcept;
std::string_view wire_name(Wire w) noexcept;

// Where a provider reads a credential from.
struct CredentialPlace {
  AuthPlacement in = AuthPlacement::header;
  std::string name;  // header or query parameter name ("Authorization", "key")
};

struct ProviderAuth {
  AuthPlacement in = AuthPlacement::header;
  std::string name;    // header or query parameter name ("Authorization", "key")
  std::string format;  // contains "{key}" exactly once ("Bearer {key}")
  // Other places the provider also takes a key from (Gemini: ?key= besides x-goog-api-key). The
  // client's values there are dropped like the main one: the provider sees keyrelay's key once.
  std::vector<CredentialPlace> also;
};

// Headers that name the account a key is used under (OpenAI-Organization, OpenAI-Project). With
// an operator's default key the client's values are dropped (they could make the provider refuse
// a good key) and the provider's answer headers naming the operator's account are not passed back.
struct AccountHeaders {
  std::vector<std::string> request;
  std::vector<std::string> response;
};

struct ValidationCall {
  std::string method;                  // "GET" or "POST"
  std::string path;                    // appended to base_url, may carry a query; may be empty for mcp
  std::optional<std::string> body_json;
};

struct Provider {
  std::string id;  // [a-z0-9-]{1,32}
  std::string name;
  Kind kind = Kind::llm;
  std::vector<std::string> fields;  // secret fields; "api_key" for every current provider
  std::string base_url;             // https://…, no trailing slash; an mcp server's whole endpoint URL
  ProviderAuth auth;
  // Sent with every call keyrelay makes; a name given here replaces keyrelay's own default.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  AccountHeaders account_headers;
  ValidationCall validate;
  std::optional<std::string> key_prefix;
  std::string signup_url;
  std::string docs_url;
  std::optional<Wire> wire;  // chat wire; none for service providers
  std::vector<std::string> model_prefixes;
  // Its embedding models (catalog.json "embedding_models"): a bare name among them is routed here
  // by /v1/embeddings (and /v1/chat/completions, which the provider then refuses), whatever the
  // prefixes say — Gemini's text-embedding-004 is not an OpenAI model.
  std::vector<std::string> embedding_models;
  // What its models cost (catalog.json "prices"; PriceTable looks them up). A model without a
  // price is unpriced: its calls cost null, never 0.
  std::vector<ModelPrice> prices;
};

class Catalog {
 public:
  // Parses a catalog document (an array of provider objects). invalid_request naming the provider
  // and field for anything malformed: duplicate id, unknown wire, auth format without {key}, ...
  static core::Result<Catalog> parse(std::string_view json);
  // The catalog compiled into the binary.
  static core::Result<Catalog> builtin();

  // nullptr when `id` is not in the catalog.
  const Provider* find(std::string_view id) const noexcept;
  const std::vector<Provider>& providers() const noexcept { return providers_; }

  // A copy with the operator's providers (a document in the same format, KEYRELAY_CATALOG_FILE)
  // added: a provider whose id is new is appended (a self-hosted OpenAI-compatible endpoint, say);
  // one with an existing id replaces the built-in entry whole.
  Catalog with_providers(const Catalog& operator_providers) const;

  // A copy with the operator's base URL for `id` (KEYRELAY_PROVIDER_<ID>_BASE_URL): invalid_request
  // for an unknown id or a URL that is not http(s).
  core::Result<Catalog> with_base_url(std::string_view id, std::string_view url) const;

 private:
  std::vector<Provider> providers_;
};

}  // namespace keyrelay::catalog
