#include "config/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include <toml++/toml.h>

#include "config/settings.h"

namespace keyrelay::config {
namespace {

using core::Error;
using core::Result;

const Setting* find_setting(std::string_view name) {
  for (const auto& s : all_settings())
    if (s.name == name) return &s;
  return nullptr;
}

// TOML scalars become the same text the environment would carry, so one parser serves both.
std::optional<std::string> scalar_text(const toml::node& node) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  return std::nullopt;
}

Result<void> apply_file_value(Config& out, const std::string& file, const std::string& key,
                              const toml::node& node) {
  const Setting* setting = find_setting(key);
  if (setting == nullptr) return Error::invalid_request("config file " + file + ": unknown key '" + key + "'");
  const auto text = scalar_text(node);
  if (!text)
    return Error::invalid_request("config file " + file + ": key '" + key +
                                  "' must be a string, a whole number or a boolean");
  if (auto r = setting->apply(out, *text); !r)
    return Error::invalid_request("config file " + file + ": key '" + key + "': " + r.error().message);
  return core::ok();
}

Result<void> apply_file(Config& out, const std::filesystem::path& path) {
  const std::string file = path.string();
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config file " << file << ": " << e.description() << " at line " << e.source().begin.line
        << ", column " << e.source().begin.column;
    return Error::invalid_request(msg.str());
  }
  for (const auto& [key, node] : root) {
    const std::string top(key.str());
    if (top == "provider") {
      // [provider.<id>] base_url = "…": the one nested section.
      const auto* providers = node.as_table();
      if (providers == nullptr) return Error::invalid_request("config file " + file + ": 'provider' must hold [provider.<id>] tables");
      for (const auto& [id, entry] : *providers) {
        const std::string where = "provider." + std::string(id.str());
        const auto* t = entry.as_table();
        if (t == nullptr) return Error::invalid_request("config file " + file + ": '" + where + "' must be a table");
        for (const auto& [field, value] : *t) {
          if (field.str() != "base_url")
            return Error::invalid_request("config file " + file + ": unknown key '" + where + "." + std::string(field.str()) + "'");
          auto url = value.value<std::string>();
          if (!url || !(url->starts_with("http://") || url->starts_with("https://")))
            return Error::invalid_request("config file " + file + ": '" + where + ".base_url' must be an http(s) URL");
          out.provider_base_urls[std::string(id.str())] = *url;
        }
      }
      continue;
    }
    if (const auto* section = node.as_table()) {
      for (const auto& [sub_key, sub_node] : *section) {
        const std::string name = top + "." + std::string(sub_key.str());
        if (sub_node.is_table() || sub_node.is_array())
          return Error::invalid_request("config file " + file + ": unknown key '" + name + "'");
        if (auto r = apply_file_value(out, file, name, sub_node); !r) return r;
      }
      continue;
    }
    if (auto r = apply_file_value(out, file, top, node); !r) return r;
  }
  return core::ok();
}

Result<void> apply_environment(Config& out, const EnvLookup& env) {
  for (const auto& setting : all_settings()) {
    const std::string name = env_name(setting.name);
    const auto value = env(name);
    if (!value) continue;
    // The value itself is never echoed: it may be a master key.
    if (auto r = setting.apply(out, *value); !r) return Error::invalid_request(name + ": " + r.error().message);
  }
  return core::ok();
}

constexpr std::string_view kProviderPrefix = "KEYRELAY_PROVIDER_";
constexpr std::string_view kProviderSuffix = "_BASE_URL";

// "google-maps" → "KEYRELAY_PROVIDER_GOOGLE_MAPS_BASE_URL".
std::string provider_env_name(std::string_view id) {
  std::string name(kProviderPrefix);
  for (char c : id) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  name += kProviderSuffix;
  return name;
}

bool is_provider_variable(std::string_view name) {
  return name.size() > kProviderPrefix.size() + kProviderSuffix.size() && name.starts_with(kProviderPrefix) &&
         name.ends_with(kProviderSuffix);
}

// Loopback receivers (a sidecar on the same host) may use plain http: nothing crosses a network.
bool is_loopback_url(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string host(rest.starts_with('[') ? rest.substr(1, rest.find(']') - 1) : rest.substr(0, rest.rfind(':')));
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string origin_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "?";
  return std::string(url.substr(0, url.find_first_of("/?#", scheme + 3)));
}

// JWT keys from one source, and issuer and audience whenever JWTs are verified at all.
Result<void> check_jwt_settings(const Config& config) {
  if (config.jwt_jwks_file && config.jwt_jwks_url)
    return Error::invalid_request(
        "KEYRELAY_JWT_JWKS_FILE and KEYRELAY_JWT_JWKS_URL are both set; the key set comes from one of them");
  if (config.jwt_jwks_url && config.jwt_jwks_url->starts_with("http://") && !is_loopback_url(*config.jwt_jwks_url))
    return Error::invalid_request("KEYRELAY_JWT_JWKS_URL: " + origin_of(*config.jwt_jwks_url) +
                                  " is plain http to another host (anyone on the path could swap the keys); use https://");
  if (config.jwt_secret || config.jwt_jwks_file || config.jwt_jwks_url) {
    constexpr std::string_view kWhy =
        " is required when JWTs are verified (KEYRELAY_JWT_SECRET, KEYRELAY_JWT_JWKS_FILE or KEYRELAY_JWT_JWKS_URL)";
    if (config.jwt_issuer.empty()) return Error::invalid_request("KEYRELAY_JWT_ISSUER" + std::string(kWhy));
    if (config.jwt_audience.empty()) return Error::invalid_request("KEYRELAY_JWT_AUDIENCE" + std::string(kWhy));
  }
  return core::ok();
}

}  // namespace

Result<void> apply_provider_env(Config& config, const std::vector<std::string>& provider_ids, const EnvLookup& env) {
  for (const auto& id : provider_ids) {
    const std::string name = provider_env_name(id);
    auto url = env(name);
    if (!url) continue;
    if (!(url->starts_with("http://") || url->starts_with("https://")))
      return Error::invalid_request(name + ": expected an http(s) URL");
    config.provider_base_urls[id] = *url;
  }
  return core::ok();
}

Result<void> check_for_serving(const Config& config) {
  if (auto jwt = check_jwt_settings(config); !jwt) return jwt;
  if (config.tls.cert_file.has_value() != config.tls.key_file.has_value())
    return Error::invalid_request(std::string(config.tls.cert_file ? "KEYRELAY_TLS_CERT_FILE is set without KEYRELAY_TLS_KEY_FILE"
                                                                   : "KEYRELAY_TLS_KEY_FILE is set without KEYRELAY_TLS_CERT_FILE") +
                                  ": the listener's TLS needs both the certificate and its private key");
  const bool any_redis_tls_file = config.redis.ca_file || config.redis.cert_file || config.redis.key_file;
  if (any_redis_tls_file && !config.redis.url.starts_with("rediss://"))
    return Error::invalid_request(
        "KEYRELAY_REDIS_CA_FILE, _CERT_FILE and _KEY_FILE apply to a rediss:// KEYRELAY_REDIS_URL only "
        "(the Redis URL is not TLS, so Redis traffic would not be encrypted)");
  if (config.redis.key_file && !config.redis.cert_file)
    return Error::invalid_request("KEYRELAY_REDIS_KEY_FILE needs KEYRELAY_REDIS_CERT_FILE");
  if (!config.alerts.webhook_allow_http) {
    for (const auto& url : config.alerts.webhook_urls) {
      if (url.starts_with("http://") && !is_loopback_url(url))
        return Error::invalid_request("KEYRELAY_ALERTS_WEBHOOK_URLS: " + origin_of(url) +
                                      " is plain http to another host (alerts would cross the network in clear); use "
                                      "https:// or set KEYRELAY_ALERTS_WEBHOOK_ALLOW_HTTP=true");
    }
  }
  return core::ok();
}

std::vector<std::string> environment_names() {
  std::vector<std::string> names;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

std::vector<std::string> unknown_setting_variables(const std::vector<std::string>& names) {
  std::vector<std::string> unknown;
  for (const auto& name : names) {
    if (!name.starts_with("KEYRELAY_") || is_provider_variable(name)) continue;
    bool known = false;
    for (const auto& setting : all_settings()) known = known || env_name(setting.name) == name;
    if (!known) unknown.push_back(name);
  }
  return unknown;
}

std::vector<std::string> unknown_provider_variables(const std::vector<std::string>& names,
                                                    const std::vector<std::string>& provider_ids) {
  std::vector<std::string> unknown;
  for (const auto& name : names) {
    if (!is_provider_variable(name)) continue;
    bool known = false;
    for (const auto& id : provider_ids) known = known || provider_env_name(id) == name;
    if (!known) unknown.push_back(name);
  }
  return unknown;
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<Config> load_config(const std::optional<std::filesystem::path>& file, const EnvLookup& env) {
  Config config;
  if (file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*file, ec))
      return Error::invalid_request("config file " + file->string() + " does not exist or is not a file");
    if (auto r = apply_file(config, *file); !r) return r.error();
  }
  if (auto r = apply_environment(config, env); !r) return r.error();
  if (config.master_key && config.keyring_file)
    return Error::invalid_request("set either KEYRELAY_MASTER_KEY or KEYRELAY_KEYRING_FILE, not both");
  return config;
}

}  // namespace keyrelay::config
