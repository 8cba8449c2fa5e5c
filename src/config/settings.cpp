#include "config/settings.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <charconv>
#include <cctype>
#include <limits>
#include <type_traits>

#include "config/origins.h"
#include "core/duration.h"

namespace keyrelay::config {
namespace {

using core::Error;
using core::Result;

Result<std::size_t> parse_size(std::string_view text, std::size_t min, std::size_t max) {
  std::size_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size())
    return Error::invalid_request("expected a whole number");
  if (v < min || v > max)
    return Error::invalid_request("expected a number from " + std::to_string(min) + " to " + std::to_string(max));
  return v;
}

Result<std::chrono::milliseconds> parse_positive_duration(std::string_view text) {
  const auto d = core::parse_duration(text);
  if (!d || d->count() <= 0) return Error::invalid_request("expected a duration such as 500ms, 10s or 5m");
  return *d;
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return Error::invalid_request("expected true or false");
}

Result<void> require_nonempty(std::string_view text) {
  if (text.empty()) return Error::invalid_request("must not be empty");
  return core::ok();
}

template <auto Member>
Result<void> set_size(Config& c, std::string_view t, std::size_t min, std::size_t max) {
  auto v = parse_size(t, min, max);
  if (!v) return v.error();
  c.http.*Member = *v;
  return core::ok();
}

template <auto Member>
Result<void> set_duration(Config& c, std::string_view t) {
  auto v = parse_positive_duration(t);
  if (!v) return v.error();
  c.http.*Member = *v;
  return core::ok();
}

Result<void> set_listen(Config& c, std::string_view t) {
  // host:port with a port of 0-65535; IPv6 hosts in brackets. The server resolves the host.
  const auto colon = t.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Error::invalid_request("expected host:port");
  auto port = parse_size(t.substr(colon + 1), 0, 65535);
  if (!port) return Error::invalid_request("expected host:port with a port from 0 to 65535");
  c.listen = std::string(t);
  return core::ok();
}

Result<void> set_log_level(Config& c, std::string_view t) {
  static constexpr std::array<std::pair<std::string_view, LogLevel>, 6> levels{{
      {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
      {"warn", LogLevel::warn}, {"error", LogLevel::error}, {"off", LogLevel::off}}};
  for (const auto& [name, level] : levels) {
    if (t == name) {
      c.log_level = level;
      return core::ok();
    }
  }
  return Error::invalid_request("expected one of trace, debug, info, warn, error, off");
}

Result<void> set_log_format(Config& c, std::string_view t) {
  if (t == "json") c.log_format = LogFormat::json;
  else if (t == "text") c.log_format = LogFormat::text;
  else return Error::invalid_request("expected json or text");
  return core::ok();
}

Result<void> set_database_url(Config& c, std::string_view t) {
  if (!t.empty() && !t.starts_with("sqlite://") && !t.starts_with("postgresql://") &&
      !t.starts_with("postgres://"))
    return Error::invalid_request("expected sqlite:///path/file.db or postgresql://…");
  c.database_url = std::string(t);
  return core::ok();
}

constexpr std::size_t kMaxBytes = std::size_t{1} << 30;

// `[section] key` settings that are a positive duration or a whole number in a range.
template <auto Section, auto Member>
Result<void> set_section_duration(Config& c, std::string_view t) {
  auto v = parse_positive_duration(t);
  if (!v) return v.error();
  (c.*Section).*Member = *v;
  return core::ok();
}

template <auto Member>
Result<void> set_redis_file(Config& c, std::string_view t) {
  if (auto r = require_nonempty(t); !r) return r;
  c.redis.*Member = std::filesystem::path(t);
  return core::ok();
}

template <auto Member>
Result<void> set_tls_file(Config& c, std::string_view t) {
  if (auto r = require_nonempty(t); !r) return r;
  c.tls.*Member = std::filesystem::path(t);
  return core::ok();
}

template <auto Section, auto Member, std::size_t Min, std::size_t Max>
Result<void> set_section_number(Config& c, std::string_view t) {
  auto v = parse_size(t, Min, Max);
  if (!v) return v.error();
  using Field = std::remove_reference_t<decltype((c.*Section).*Member)>;
  (c.*Section).*Member = static_cast<Field>(*v);
  return core::ok();
}

// A USD amount ("1", "0.25") as micro-USD: at most 1000000 USD and 6 decimals.
Result<void> set_proxy_call_usd(Config& c, std::string_view t) {
  const std::string text(t);
  char* end = nullptr;
  const double usd = std::strtod(text.c_str(), &end);
  const double micro = usd * 1e6;
  if (text.empty() || end != text.c_str() + text.size() || !(usd >= 0) || usd > 1e6 ||
      std::fabs(micro - std::nearbyint(micro)) > 1e-6 * std::max(1.0, micro))
    return Error::invalid_request("expected an amount of USD from 0 to 1000000 with at most 6 decimals, such as 1.00");
  c.caps.proxy_call_micro_usd = static_cast<std::int64_t>(std::nearbyint(micro));
  return core::ok();
}

// "10/1m", "30/1h"; "off" or "0" turns the limit off.
Result<RateSpec> parse_rate(std::string_view text) {
  if (text == "off" || text == "0") return RateSpec{};
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return Error::invalid_request("expected COUNT/DURATION such as 10/1m, or off");
  auto count = parse_size(text.substr(0, slash), 1, 1'000'000'000);
  auto period = parse_positive_duration(text.substr(slash + 1));
  if (!count || !period) return Error::invalid_request("expected COUNT/DURATION such as 10/1m, or off");
  return RateSpec{static_cast<std::uint32_t>(*count), *period};
}

template <auto Section, auto Member>
Result<void> set_rate(Config& c, std::string_view t) {
  auto v = parse_rate(t);
  if (!v) return v.error();
  (c.*Section).*Member = *v;
  return core::ok();
}

// A comma list, blanks around items ignored, empty items dropped.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

// A plain array sized by its initializer: adding a setting touches one place.
const Setting kSettings[] = {
    {"listen", "address:port to serve (port 0 = ephemeral)", set_listen},
    {"tls.cert_file", "serve HTTPS: certificate chain (PEM, the server's certificate first); with tls.key_file; SIGHUP reloads both",
     set_tls_file<&TlsConfig::cert_file>},
    {"tls.key_file", "serve HTTPS: the certificate's private key (PEM, without a passphrase); with tls.cert_file",
     set_tls_file<&TlsConfig::key_file>},
    {"port_file", "file that receives the bound port once listening",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.port_file = std::filesystem::path(t);
       return core::ok();
     }},
    {"data_dir", "where the embedded database and a generated keyring live",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.data_dir = std::filesystem::path(t);
       return core::ok();
     }},
    {"database_url", "sqlite:///path/file.db or postgres://user:password@host:port/db?sslmode=… (default: SQLite in the data dir)",
     set_database_url},
    {"database.pool_size", "PostgreSQL connections per server at most (a call waits up to 5 s for one, then 503)",
     set_section_number<&Config::database, &DatabaseConfig::pool_size, 1, 1000>},
    {"master_key", "one base64 32-byte master key (cannot be rotated; prefer a keyring file)",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.master_key.emplace(t);
       return core::ok();
     }},
    {"keyring_file", "keyring file with versioned master keys (mode 0600)",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.keyring_file = std::filesystem::path(t);
       return core::ok();
     }},
    {"keyring.reload_interval", "how often a server checks the keyring file for changes (SIGHUP reloads at once)",
     set_section_duration<&Config::keyring, &KeyringConfig::reload_interval>},
    {"keyring.heartbeat_interval", "how often a server records the master-key versions it holds (nodes table)",
     set_section_duration<&Config::keyring, &KeyringConfig::heartbeat_interval>},
    {"keyring.node_timeout", "a server whose last record is older counts as gone (default: three heartbeats)",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_positive_duration(t);
       if (!v) return v.error();
       c.keyring.node_timeout = *v;
       return core::ok();
     }},
    {"redis.url", "redis[s]://[[user]:password@]host:port/db shared by several nodes: rate limits, lockouts, alert windows, webhook queue",
     [](Config& c, std::string_view t) -> Result<void> {
       c.redis.url = std::string(t);
       return core::ok();
     }},
    {"redis.timeout", "to connect to Redis and per command; past it a check falls back to this node's memory",
     set_section_duration<&Config::redis, &RedisConfig::timeout>},
    {"redis.ca_file", "rediss://: CA bundle (PEM) the Redis server's certificate must chain to (unset: the system's trust store)",
     set_redis_file<&RedisConfig::ca_file>},
    {"redis.cert_file", "rediss://: client certificate (PEM) for a Redis server that asks for one (tls-auth-clients)",
     set_redis_file<&RedisConfig::cert_file>},
    {"redis.key_file", "rediss://: private key (PEM) of redis.cert_file (unset: read from the certificate file)",
     set_redis_file<&RedisConfig::key_file>},
    {"log.level", "trace, debug, info, warn, error or off", set_log_level},
    {"log.format", "json (one object per line) or text", set_log_format},
    {"http.threads", "I/O threads (0 = one per core)",
     set_section_number<&Config::http, &HttpLimits::threads, 0, 256>},
    {"http.max_header_bytes", "largest request head in bytes (431 beyond)",
     [](Config& c, std::string_view t) { return set_size<&HttpLimits::max_header_bytes>(c, t, 1024, kMaxBytes); }},
    {"http.max_body_bytes", "largest request body in bytes for management routes (413 beyond)",
     [](Config& c, std::string_view t) { return set_size<&HttpLimits::max_body_bytes>(c, t, 1, kMaxBytes); }},
    {"http.header_timeout", "time allowed to receive a request head (slow clients are cut)",
     set_duration<&HttpLimits::header_timeout>},
    {"http.body_timeout", "time allowed to receive a whole request body (in total, however it trickles in)",
     set_duration<&HttpLimits::body_timeout>},
    {"http.idle_timeout", "how long an idle keep-alive connection stays open",
     set_duration<&HttpLimits::idle_timeout>},
    {"http.write_timeout", "time allowed to write one response", set_duration<&HttpLimits::write_timeout>},
    {"http.max_connections", "open connections at most (more get 503)",
     [](Config& c, std::string_view t) {
       return set_size<&HttpLimits::max_connections>(c, t, 1, 1'000'000);
     }},
    {"http.max_connections_per_client", "open connections from one address at most (0 = no cap; trusted proxies are exempt)",
     set_section_number<&Config::http, &HttpLimits::max_connections_per_client, 0, 1'000'000>},
    {"http.cap_loopback_clients", "count loopback peers (a reverse proxy on the same host) against the per-client cap too",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_bool(t);
       if (!v) return v.error();
       c.http.cap_loopback_clients = *v;
       return core::ok();
     }},
    {"http.shutdown_timeout", "on SIGTERM/SIGINT, how long in-flight requests may finish",
     set_duration<&HttpLimits::shutdown_timeout>},
    {"allow_core_dumps", "keep core dumps and ptrace enabled (debugging only; dumps may hold secrets)",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_bool(t);
       if (!v) return v.error();
       c.allow_core_dumps = *v;
       return core::ok();
     }},
    {"trusted_proxies", "comma list of CIDRs whose X-Forwarded-For header is believed",
     [](Config& c, std::string_view t) -> Result<void> {
       c.trusted_proxies = std::string(t);
       return core::ok();
     }},
    {"upstream.ca_file", "extra CA bundle (PEM) trusted for provider TLS, e.g. for a test or internal endpoint",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.upstream_ca_file = std::filesystem::path(t);
       return core::ok();
     }},
    {"upstream.connect_timeout", "time allowed to connect to a provider (TCP + TLS)",
     set_section_duration<&Config::upstream, &UpstreamConfig::connect_timeout>},
    {"upstream.first_byte_timeout", "time a provider may take to start answering",
     set_section_duration<&Config::upstream, &UpstreamConfig::first_byte_timeout>},
    {"upstream.idle_timeout", "time a provider may pause inside an answer (and idle connections are kept)",
     set_section_duration<&Config::upstream, &UpstreamConfig::idle_timeout>},
    {"upstream.max_connections_per_origin",
     "open connections to one provider at most (0 = derived from the open-file limit)",
     set_section_number<&Config::upstream, &UpstreamConfig::max_connections_per_origin, 0, 1'000'000>},
    {"catalog_file", "JSON file of the operator's providers (catalog.json's format) added to the built-in catalog",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.catalog_file = std::filesystem::path(t);
       return core::ok();
     }},
    {"prices_file",
     "JSON file of model prices ([{\"id\", \"prices\"}], catalog.json's format) that override or extend the "
     "catalog's",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.prices_file = std::filesystem::path(t);
       return core::ok();
     }},
    {"default_key_fallback", "let the operator's default keys serve users who have no usable key of their own",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_bool(t);
       if (!v) return v.error();
       c.gateway.default_key_fallback = *v;
       return core::ok();
     }},
    {"routing.aliases", "model aliases: name=provider/model|provider/model; other=provider/model",
     [](Config& c, std::string_view t) -> Result<void> {
       c.gateway.model_aliases = std::string(t);
       return core::ok();
     }},
    {"gateway.anthropic_max_tokens", "max_tokens sent to Anthropic when the client sets none",
     set_section_number<&Config::gateway, &GatewayConfig::anthropic_max_tokens, 1, 1'000'000>},
    {"gateway.breaker_failures", "consecutive failures after which a key rests (circuit breaker)",
     set_section_number<&Config::gateway, &GatewayConfig::breaker_failures, 1, 1000>},
    {"gateway.breaker_cooldown", "how long a key rests after its circuit opened",
     set_section_duration<&Config::gateway, &GatewayConfig::breaker_cooldown>},
    {"gateway.recheck_interval", "a key refused on /proxy (or an operator key refused anywhere) is re-validated at most this often",
     set_section_duration<&Config::gateway, &GatewayConfig::recheck_interval>},
    {"gateway.max_concurrent_per_user", "gateway requests one user may have in flight at once (0 = no cap)",
     set_section_number<&Config::gateway, &GatewayConfig::max_concurrent_per_user, 0, 1'000'000>},
    {"caps.default_max_output_tokens",
     "completion tokens a spend cap reserves for a call that sets no max_tokens, when the model's maximum is unknown",
     set_section_number<&Config::caps, &CapsConfig::default_max_output_tokens, 1, 100'000'000>},
    {"caps.proxy_call_usd", "what a spend cap reserves for a /proxy call whose cost cannot be estimated (USD)",
     set_proxy_call_usd},
    {"rate_limit.mutations", "management changes per user (COUNT/DURATION, or off)",
     set_rate<&Config::rate_limits, &RateLimitConfig::mutations>},
    {"rate_limit.validations", "provider validations per user (COUNT/DURATION, or off)",
     set_rate<&Config::rate_limits, &RateLimitConfig::validations>},
    {"rate_limit.gateway", "gateway requests per token (COUNT/DURATION, or off)",
     set_rate<&Config::rate_limits, &RateLimitConfig::gateway>},
    {"rate_limit.reveals", "plaintext key reveals per keys:reveal token (COUNT/DURATION, or off)",
     set_rate<&Config::rate_limits, &RateLimitConfig::reveals>},
    {"rate_limit.auth_failures", "failed authentications per client IP before it is refused (COUNT/DURATION, or off)",
     set_rate<&Config::rate_limits, &RateLimitConfig::auth_failures>},
    {"rate_limit.auth_block", "how long a client IP is refused after too many failed authentications",
     set_section_duration<&Config::rate_limits, &RateLimitConfig::auth_block>},
    {"alerts.validation_failures", "failed validations per user that raise an alert (COUNT/DURATION, or off)",
     set_rate<&Config::alerts, &AlertConfig::validation_failures>},
    {"alerts.management_burst", "management changes per user that raise an alert (COUNT/DURATION, or off)",
     set_rate<&Config::alerts, &AlertConfig::management_burst>},
    {"alerts.upstream_error_percent", "share of failed requests to one provider that raises an alert (1-100)",
     set_section_number<&Config::alerts, &AlertConfig::upstream_error_percent, 1, 100>},
    {"alerts.upstream_error_min_requests", "requests to a provider within the window before its error rate counts",
     set_section_number<&Config::alerts, &AlertConfig::upstream_error_min_requests, 1, 1'000'000>},
    {"alerts.upstream_error_window", "window over which a provider's error rate is measured",
     set_section_duration<&Config::alerts, &AlertConfig::upstream_error_window>},
    {"alerts.expiry_days", "days before a key's expiry at which its owner is alerted (comma list)",
     [](Config& c, std::string_view t) -> Result<void> {
       std::vector<unsigned> days;
       for (const auto& item : split_list(t)) {
         auto v = parse_size(item, 0, 3650);
         if (!v) return Error::invalid_request("expected a comma list of days such as 7,1");
         days.push_back(static_cast<unsigned>(*v));
       }
       c.alerts.expiry_days = std::move(days);
       return core::ok();
     }},
    {"alerts.expiry_sweep_interval", "how often expired and expiring keys are looked for",
     set_section_duration<&Config::alerts, &AlertConfig::expiry_sweep_interval>},
    {"alerts.webhook_urls", "comma list of https URLs (or http to loopback) that receive every alert raised, updated or resolved as signed JSON",
     [](Config& c, std::string_view t) -> Result<void> {
       auto urls = split_list(t);
       for (const auto& url : urls)
         if (!url.starts_with("http://") && !url.starts_with("https://"))
           return Error::invalid_request("expected http:// or https:// URLs");
       c.alerts.webhook_urls = std::move(urls);
       return core::ok();
     }},
    {"alerts.webhook_allow_http", "allow plain http:// webhook receivers on other hosts than loopback (alerts then cross the network in clear)",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_bool(t);
       if (!v) return v.error();
       c.alerts.webhook_allow_http = *v;
       return core::ok();
     }},
    {"alerts.webhook_secret", "key of the webhooks' HMAC-SHA256 signature (at least 32 characters)",
     [](Config& c, std::string_view t) -> Result<void> {
       if (t.size() < 32) return Error::invalid_request("must be at least 32 characters");
       c.alerts.webhook_secret.emplace(t);
       return core::ok();
     }},
    {"alerts.webhook_max_attempts", "delivery attempts per webhook before it is given up (exponential back-off)",
     set_section_number<&Config::alerts, &AlertConfig::webhook_max_attempts, 1, 30>},
    {"alerts.webhook_backoff", "pause before the second webhook attempt; it doubles with each further one",
     set_section_duration<&Config::alerts, &AlertConfig::webhook_backoff>},
    {"alerts.webhook_lease",
     "with Redis: how long a node's claim on a delivery attempt lasts; when the node dies another takes the delivery "
     "over after it (shorter than an attempt may take, 3 s connect + 10 s first byte, risks a second delivery)",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_positive_duration(t);
       if (!v) return v.error();
       if (*v < std::chrono::seconds(1)) return Error::invalid_request("must be at least 1s");
       c.alerts.webhook_lease = *v;
       return core::ok();
     }},
    {"metrics.token", "bearer token GET /metrics requires (16+ characters; unset: open to scrapers)",
     [](Config& c, std::string_view t) -> Result<void> {
       if (t.size() < 16) return Error::invalid_request("must be at least 16 characters");
       c.metrics_token.emplace(t);
       return core::ok();
     }},
    {"audit.retention", "how long key.used and auth.failed audit events are kept (off: forever); management events are never pruned",
     [](Config& c, std::string_view t) -> Result<void> {
       if (t == "off" || t == "0") {
         c.audit_retention = std::chrono::milliseconds(0);
         return core::ok();
       }
       auto v = parse_positive_duration(t);
       if (!v) return v.error();
       c.audit_retention = *v;
       return core::ok();
     }},
    {"audit.prune_interval", "how often the server prunes key.used and auth.failed events past the retention",
     [](Config& c, std::string_view t) -> Result<void> {
       auto v = parse_positive_duration(t);
       if (!v) return v.error();
       c.audit_prune_interval = *v;
       return core::ok();
     }},
    {"ui.frame_ancestors", "who may embed the settings page in a frame (CSP frame-ancestors sources, e.g. https://app.example.com)",
     [](Config& c, std::string_view t) -> Result<void> {
       if (t.empty()) return Error::invalid_request("must not be empty; 'none' forbids framing");
       for (const char ch : t)
         if (ch == ';' || ch == ',' || ch == '\n' || ch == '\r' || ch == '"')
           return Error::invalid_request("expected space-separated sources such as 'self' https://app.example.com");
       c.ui_frame_ancestors = std::string(t);
       return core::ok();
     }},
    {"cors.origins", "comma-separated web origins (https://app.example.com) whose pages may call /api/v1/* from the browser (CORS); none by default",
     [](Config& c, std::string_view t) -> Result<void> {
       auto origins = parse_origin_list(t);
       if (!origins) return origins.error();
       c.cors_origins = std::move(*origins);
       return core::ok();
     }},
    {"jwt.secret", "HS256 secret for JWTs from an external identity provider",
     [](Config& c, std::string_view t) -> Result<void> {
       if (t.size() < 32) return Error::invalid_request("must be at least 32 characters");
       c.jwt_secret.emplace(t);
       return core::ok();
     }},
    {"jwt.jwks_file", "JWKS file with the identity provider's RS256/ES256 public keys",
     [](Config& c, std::string_view t) -> Result<void> {
       if (auto r = require_nonempty(t); !r) return r;
       c.jwt_jwks_file = std::filesystem::path(t);
       return core::ok();
     }},
    {"jwt.jwks_url", "https URL (http only to loopback) of the identity provider's JWKS, fetched at start and refreshed by its cache headers",
     [](Config& c, std::string_view t) -> Result<void> {
       if (!(t.starts_with("https://") || t.starts_with("http://")))
         return Error::invalid_request("expected an https:// URL");
       c.jwt_jwks_url = std::string(t);
       return core::ok();
     }},
    {"jwt.issuer", "required iss of JWTs (serve refuses to verify JWTs without it)",
     [](Config& c, std::string_view t) -> Result<void> {
       c.jwt_issuer = std::string(t);
       return core::ok();
     }},
    {"jwt.audience", "required aud of JWTs (serve refuses to verify JWTs without it)",
     [](Config& c, std::string_view t) -> Result<void> {
       c.jwt_audience = std::string(t);
       return core::ok();
     }},
};

}  // namespace

std::span<const Setting> all_settings() { return kSettings; }

std::string env_name(std::string_view setting_name) {
  std::string out = "KEYRELAY_";
  for (char c : setting_name) out += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace keyrelay::config
