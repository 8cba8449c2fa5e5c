#include "gateway_harness.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

Environment with(Environment base, const Environment& extra) {
  for (const auto& [k, v] : extra) base[k] = v;
  return base;
}

}  // namespace

Gateway::Gateway(Environment env) : Gateway(VaultServer::Options{.env = std::move(env)}) {}

Gateway::Gateway(VaultServer::Options options)
    : vault([&] {
        options.env = with(mock.provider_env(), options.env);
        return std::move(options);
      }()),
      alice(vault.add_user("alice")) {}

std::string Gateway::secret_for(std::string_view provider, std::string_view behaviour) {
  std::string prefix = "sk-";
  if (provider == "anthropic") prefix = "sk-ant-api03-";
  else if (provider == "gemini" || provider == "google-maps") prefix = "AIza";
  else if (provider == "openai") prefix = "sk-proj-";
  return prefix + random_base64url(24) + "-" + std::string(behaviour);
}

std::string Gateway::add_key(const Identity& who, std::string_view provider, std::string_view behaviour,
                             const json::object& extra, std::string_view name) {
  const std::string secret = secret_for(provider, behaviour);
  const std::string key_name = name.empty() ? "k" + random_base64url(6) : std::string(name);
  std::string lowered;
  for (char c : key_name) lowered += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  std::string safe;
  for (char c : lowered) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  auto key = create_key(vault, who, provider, safe, secret, extra);
  secrets_.emplace_back(str(key, "id"), secret);
  return str(key, "id");
}

const std::string& Gateway::secret_of(const std::string& key_id) const {
  for (const auto& [id, secret] : secrets_)
    if (id == key_id) return secret;
  throw std::runtime_error("no secret recorded for key " + key_id);
}

HttpResponse Gateway::chat(const Identity& who, const json::object& body, const HeaderList& headers) {
  return vault.call(who, "POST", "/v1/chat/completions", json::serialize(body), headers);
}

json::object Gateway::chat_body(std::string_view model, std::string_view text, bool stream) {
  json::object body{{"model", model},
                    {"messages", json::array{json::object{{"role", "user"}, {"content", text}}}}};
  if (stream) body["stream"] = true;
  return body;
}

std::vector<json::object> Gateway::upstream_requests(std::string_view prefix) {
  std::vector<json::object> out;
  for (auto& r : mock.requests())
    if (std::string_view(r.at("path").as_string()).starts_with(prefix)) out.push_back(std::move(r));
  return out;
}

json::object Gateway::wait_for_usage_totals(const Identity& who, std::int64_t requests) {
  json::object totals;
  poll_until(deadline_in(std::chrono::seconds(10)), [&] {
    auto r = vault.call(who, "GET", "/api/v1/usage?group_by=provider");
    if (r.status != 200) return false;
    totals = object_of(r).at("totals").as_object();
    return totals.at("requests").as_int64() >= requests;
  }, std::chrono::milliseconds(100));
  return totals;
}

std::string text_of(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "<not a string: " + json::serialize(v) + ">";
}

std::vector<std::string> sse_data(std::string_view body) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < body.size()) {
    auto end = body.find('\n', at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("data:")) {
      line.remove_prefix(5);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      out.emplace_back(line);
    }
    at = end + 1;
  }
  return out;
}

std::string streamed_text(const std::vector<std::string>& data) {
  std::string text;
  for (const auto& d : data) {
    boost::system::error_code ec;
    auto v = json::parse(d, ec);
    if (ec || !v.is_object()) continue;
    const auto* choices = v.as_object().if_contains("choices");
    if (!choices || !choices->is_array() || choices->as_array().empty()) continue;
    const auto* delta = choices->as_array()[0].as_object().if_contains("delta");
    if (!delta || !delta->is_object()) continue;
    if (const auto* content = delta->as_object().if_contains("content"); content && content->is_string())
      text += content->as_string();
  }
  return text;
}

}  // namespace keyrelay::test
