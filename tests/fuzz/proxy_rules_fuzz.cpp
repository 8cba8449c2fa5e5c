// The pass-through rules of /proxy/{provider}/{path…}: which paths may be forwarded (proxy_url),
// which request headers go up, which response headers come back, where keyrelay's token is read
// from, and where the stored key is put (inject_key).
// Input: <provider byte> <raw path after /proxy/<id>/> \n <query> \n <header lines "name: value\n">.
// Checks: the rules API.md states, on every input the functions accept.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "core/encoding.h"
#include "fuzz_input.h"
#include "gateway/key_injection.h"
#include "gateway/proxy_rules.h"
#include "gateway/upstream_wire.h"
#include "http/headers.h"

namespace {

using namespace keyrelay;

constexpr std::string_view kSecret = "KR-FUZZ+SECRET/0123456789=";

const catalog::Catalog& builtin_catalog() {
  static const auto catalog = std::make_unique<catalog::Catalog>(*catalog::Catalog::builtin());
  return *catalog;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && http::iequals(text.substr(0, prefix.size()), prefix);
}

bool icontains(std::string_view text, std::string_view needle) {
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i)
    if (http::iequals(text.substr(i, needle.size()), needle)) return true;
  return false;
}

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

void check_url(const catalog::Provider& provider, const std::string& url) {
  const std::string base = provider.base_url + "/";
  FUZZ_CHECK(url.starts_with(base));
  const std::string_view rest = std::string_view(url).substr(base.size());
  const std::string_view path = rest.substr(0, rest.find('?'));
  for (const std::string_view trick : {"%2e", "%2f", "%5c", "%00"}) FUZZ_CHECK(!icontains(path, trick));
  for (const char c : rest) FUZZ_CHECK(c != '\\' && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  // No segment may climb out of the base path or collapse into it.
  std::string_view segments = path;
  while (true) {
    const auto slash = segments.find('/');
    const std::string_view segment = segments.substr(0, slash);
    FUZZ_CHECK(segment != "." && segment != "..");
    FUZZ_CHECK(!segment.empty() || slash == std::string_view::npos);
    if (slash == std::string_view::npos) break;
    segments.remove_prefix(slash + 1);
  }
  if (provider.auth.in == catalog::AuthPlacement::query) {
    const std::string_view query = rest.find('?') == std::string_view::npos ? std::string_view{} : rest.substr(rest.find('?') + 1);
    FUZZ_CHECK(!query.starts_with(provider.auth.name + "="));
    FUZZ_CHECK(query.find("&" + provider.auth.name + "=") == std::string_view::npos);
  }
}

void check_forwarded(const http::Headers& in, const http::Headers& out, const catalog::Provider& provider) {
  http::Headers connection_named = in;
  gateway::strip_hop_by_hop(connection_named);
  for (const auto& [name, value] : out.fields()) {
    for (const std::string_view dropped : {"Authorization", "Proxy-Authorization", "Cookie", "Host", "Forwarded",
                                           "X-Real-IP", "Content-Length"})
      FUZZ_CHECK(!http::iequals(name, dropped));
    FUZZ_CHECK(!istarts_with(name, "X-Keyrelay-") && !istarts_with(name, "X-Forwarded-"));
    FUZZ_CHECK(!gateway::is_hop_by_hop(name));
    FUZZ_CHECK(connection_named.contains(name));
    if (provider.auth.in == catalog::AuthPlacement::header) FUZZ_CHECK(!http::iequals(name, provider.auth.name));
    bool from_client = false;
    for (const auto& [in_name, in_value] : in.fields()) from_client = from_client || (in_name == name && in_value == value);
    FUZZ_CHECK(from_client);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const auto& providers = builtin_catalog().providers();
  const catalog::Provider& provider = providers[input.byte() % providers.size()];
  std::string_view rest = input.until("\n");
  rest = rest.substr(0, rest.find('?'));  // as Request::path() gives it: the query is separate
  const std::string_view query = input.until("\n");
  http::Headers headers;
  while (!input.empty()) {
    const std::string_view line = input.until("\n");
    const auto colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    headers.add(std::string(line.substr(0, colon)), std::string(value));
  }

  auto url = gateway::proxy_url(provider, rest, query);
  if (url) check_url(provider, *url);
  else FUZZ_CHECK(url.error().code == core::Errc::invalid_request && fuzz::is_utf8(url.error().message));

  http::Headers up = gateway::forward_request_headers(headers, provider);
  check_forwarded(headers, up, provider);

  if (url) {
    std::string target = *url;
    gateway::inject_key(provider, kSecret, up, target);
    FUZZ_CHECK(target.starts_with(provider.base_url + "/"));
    if (provider.auth.in == catalog::AuthPlacement::query) {
      std::string value = provider.auth.format;
      value.replace(value.find("{key}"), 5, kSecret);
      // The key goes in once, and only percent-encoded (a client may write anything before it).
      const std::string param = provider.auth.name + "=" + core::percent_encode(value);
      FUZZ_CHECK(count(target, param) == count(*url, param) + 1);
      FUZZ_CHECK(count(target, kSecret) == count(*url, kSecret));
    } else {
      std::size_t fields = 0;
      for (const auto& [name, value] : up.fields()) fields += http::iequals(name, provider.auth.name) ? 1 : 0;
      FUZZ_CHECK(fields == 1);
      FUZZ_CHECK(up.get(provider.auth.name)->find(kSecret) != std::string_view::npos);
    }
  }

  http::Headers down = headers;
  gateway::filter_response_headers(down);
  for (const auto& [name, value] : down.fields()) {
    FUZZ_CHECK(!gateway::is_hop_by_hop(name));
    for (const std::string_view dropped : {"Set-Cookie", "Set-Cookie2", "Content-Length"})
      FUZZ_CHECK(!http::iequals(name, dropped));
  }

  const auto token = gateway::proxy_authorization(headers, provider);
  if (const auto authorization = headers.get("Authorization")) FUZZ_CHECK(token && *token == *authorization);
  return 0;
}
