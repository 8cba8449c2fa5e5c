#include "gateway/answer_classifier.h"

#include <charconv>

#include <boost/json/parse.hpp>

#include "core/encoding.h"

namespace keyrelay::gateway {
namespace {

namespace json = boost::json;

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

const json::value* at_path(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* cur = &v;
  for (auto key : path) {
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(key);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

std::string string_at(const std::optional<json::value>& v, std::initializer_list<std::string_view> path) {
  if (!v) return {};
  const json::value* s = at_path(*v, path);
  return s != nullptr && s->is_string() ? std::string(s->get_string()) : std::string();
}

bool contains_text(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Gemini: details[].reason == "API_KEY_INVALID".
bool gemini_key_invalid(const std::optional<json::value>& v) {
  if (!v) return false;
  const json::value* details = at_path(*v, {"error", "details"});
  if (details == nullptr || !details->is_array()) return false;
  for (const auto& d : details->get_array()) {
    if (!d.is_object()) continue;
    if (const auto* reason = d.get_object().if_contains("reason"); reason && reason->is_string() &&
                                                                   reason->get_string() == "API_KEY_INVALID")
      return true;
  }
  return false;
}

std::optional<std::chrono::seconds> retry_after(const http::Headers& headers) {
  auto value = headers.get("Retry-After");
  if (!value) return std::nullopt;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec != std::errc{} || end != value->data() + value->size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

// The provider's own words, where its error shape has them.
std::string provider_message(const std::optional<json::value>& v) {
  for (auto path : {std::initializer_list<std::string_view>{"error", "message"}, {"error_message"}, {"message"},
                    {"error"}}) {
    auto s = string_at(v, path);
    if (!s.empty()) return s;
  }
  if (v) {
    const json::value* errors = at_path(*v, {"errors"});
    if (errors && errors->is_array() && !errors->get_array().empty()) {
      const auto& first = errors->get_array().front();
      if (first.is_object())
        if (const auto* m = first.get_object().if_contains("message"); m && m->is_string()) return std::string(m->get_string());
    }
  }
  return {};
}

Classification with(Verdict v, std::string message, const http::Headers& headers = {}) {
  Classification c{v, std::move(message), std::nullopt};
  if (v == Verdict::rate_limited || v == Verdict::out_of_credit) c.retry_after = retry_after(headers);
  return c;
}

std::string described(std::string_view prefix, const std::string& detail) {
  return detail.empty() ? std::string(prefix) : std::string(prefix) + ": " + detail;
}

}  // namespace

std::string_view verdict_name(Verdict v) noexcept {
  switch (v) {
    case Verdict::valid: return "valid";
    case Verdict::invalid: return "invalid";
    case Verdict::out_of_credit: return "out_of_credit";
    case Verdict::rate_limited: return "rate_limited";
    case Verdict::error: return "error";
  }
  return "error";
}

Classification classify(const catalog::Provider& provider, int status, const http::Headers& headers,
                        std::string_view body) {
  const auto doc = parse_json(body);
  const std::string detail = provider_message(doc);
  const std::string& id = provider.id;

  // Google Maps answers 200 and puts the verdict in `status`.
  if (id == "google-maps" && status >= 200 && status < 300) {
    const std::string s = string_at(doc, {"status"});
    if (s == "OK" || s == "ZERO_RESULTS") return with(Verdict::valid, "the provider accepted the key");
    if (s == "REQUEST_DENIED")
      return with(Verdict::invalid, described("the key is invalid, or the Geocoding API is not enabled for it", detail));
    if (s == "OVER_QUERY_LIMIT") return with(Verdict::rate_limited, described("rate limited", detail), headers);
    if (s == "OVER_DAILY_LIMIT") return with(Verdict::out_of_credit, described("over the daily limit or billing is off", detail));
    return with(Verdict::error, described("the provider answered " + (s.empty() ? std::string("without a status") : s), detail));
  }
  if (status >= 200 && status < 300) return with(Verdict::valid, "the provider accepted the key");
  if (status == 401) return with(Verdict::invalid, described("the provider rejected the key", detail));

  const std::string code = string_at(doc, {"error", "code"});
  const std::string type = string_at(doc, {"error", "type"});
  if (status == 429) {
    if (code == "insufficient_quota" || contains_text(detail, "exceeded your current quota"))
      return with(Verdict::out_of_credit, described("the key works but its account is out of credit", detail), headers);
    return with(Verdict::rate_limited, described("the key works but is rate limited right now", detail), headers);
  }
  if (status == 402) return with(Verdict::out_of_credit, described("the key works but its account is out of credit", detail), headers);
  if (status == 403) {
    if ((id == "kimi" || id == "kimi-cn") && (contains_text(detail, "balance") || contains_text(type, "balance")))
      return with(Verdict::out_of_credit, described("the key works but its account balance is too low", detail), headers);
    if ((id == "openai" || id == "anthropic") && (type == "authentication_error" || code == "invalid_api_key"))
      return with(Verdict::invalid, described("the provider rejected the key", detail));
    return with(Verdict::error, described("the provider refused the call (403)", detail));
  }
  if (status == 400 && id == "gemini" && gemini_key_invalid(doc))
    return with(Verdict::invalid, described("the provider rejected the key", detail));
  if (status >= 500) return with(Verdict::error, described("the provider failed (" + std::to_string(status) + ")", detail));
  return with(Verdict::error, described("unexpected answer " + std::to_string(status), detail));
}

void scrub_secret(std::string& out, std::string_view secret) {
  auto replace_all = [&out](std::string_view needle) {
    if (needle.empty()) return;
    for (std::size_t at = out.find(needle); at != std::string::npos; at = out.find(needle, at + 10))
      out.replace(at, needle.size(), "[redacted]");
  };
  replace_all(secret);
  // The percent-encoded form, as a provider echoing a query string would show it.
  const std::string encoded = core::percent_encode(secret);
  if (encoded != secret) replace_all(encoded);
}

std::string redact(std::string_view text, std::string_view secret) {
  std::string out(text);
  scrub_secret(out, secret);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (out.size() > 256) {
    out.resize(256);
    // Do not leave half of a UTF-8 sequence at the end.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) out.pop_back();
  }
  return out;
}

}  // namespace keyrelay::gateway
