#pragma once
// The operator's settings, read once at start from the environment and an optional TOML file.
//
// Every setting has two spellings: `KEYRELAY_<SECTION>_<KEY>` in the environment and `[section] key`
// in the file (top-level settings: `KEYRELAY_LISTEN` ⇔ `listen`). The environment wins over the
// file. An unknown key or a malformed value is an error that names the offending key or variable.
// Parsed once into an immutable value and shared as std::shared_ptr<const Config>.

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <vector>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::config {

enum class LogFormat { json, text };
enum class LogLevel { trace, debug, info, warn, error, off };

struct HttpLimits {
  unsigned threads = 0;                                // 0 = one per core
  std::size_t max_header_bytes = 16 * 1024;            // 431 beyond
  std::size_t max_body_bytes = 1024 * 1024;            // 413 beyond (routes may set their own)
  std::chrono::milliseconds header_timeout{10'000};    // slow-loris cut-off for one request head
  std::chrono::milliseconds body_timeout{30'000};      // for reading a whole request body (total, not per read)
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};     // for writing one response
  std::size_t max_connections = 10'000;                // extra connections get 503 and are closed
  std::size_t max_connections_per_client = 256;        // per peer address (trusted proxies exempt); 0 = no cap
  bool cap_loopback_clients = false;                   // loopback peers count against the cap too
  std::chrono::milliseconds shutdown_timeout{10'000};  // in-flight requests may finish this long
};

struct GatewayConfig {
  bool default_key_fallback = false;              // operator default keys may serve users
  std::string model_aliases;                      // "fast=anthropic/claude-3-5-haiku-latest|gemini/gemini-2.0-flash; …"
  std::uint32_t anthropic_max_tokens = 4096;      // Anthropic requires max_tokens; used when a client sets none
  unsigned breaker_failures = 3;                  // consecutive failures that open a key's circuit
  std::chrono::milliseconds breaker_cooldown{30'000};
  // A refusal that may not be the key's fault (on /proxy, or of an operator key) re-validates the
  // key, at most this often per key; only that verdict marks it invalid.
  std::chrono::milliseconds recheck_interval{300'000};
  // Gateway requests (streams included) one user may have in flight; 0 = no cap.
  std::uint32_t max_concurrent_per_user = 64;
};

// Spend caps: how a call's worst case is estimated when the request does not bound it
// (gateway/spend_estimate.h).
struct CapsConfig {
  // Completion tokens reserved for a call that sets no max_tokens, when the price table does not
  // know the model's maximum either.
  std::uint32_t default_max_output_tokens = 32'768;
  // What a /proxy call is reserved at when its cost cannot be estimated (no known model or price,
  // or a streamed body of unknown length), in micro-USD (set in USD: "1.00").
  std::int64_t proxy_call_micro_usd = 1'000'000;
};

struct UpstreamConfig {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds first_byte_timeout{60'000};  // a slow model's first token
  std::chrono::milliseconds idle_timeout{60'000};        // between two pieces of a streamed answer
  std::size_t max_connections_per_origin = 0;            // 0: derived from RLIMIT_NOFILE at start
};

// "10/1m": `count` events per `period`; count 0 = off.
struct RateSpec {
  std::uint32_t count = 0;
  std::chrono::milliseconds period{0};
  bool enabled() const noexcept { return count > 0 && period.count() > 0; }
};

struct RateLimitConfig {
  RateSpec mutations{10, std::chrono::minutes(1)};     // management changes per user
  RateSpec validations{30, std::chrono::hours(1)};     // provider validations per user
  RateSpec gateway{};                                  // gateway requests per token (off)
  RateSpec reveals{10, std::chrono::hours(1)};         // key reveals per keys:reveal token
  RateSpec auth_failures{20, std::chrono::minutes(5)};  // failed authentications per client IP…
  std::chrono::milliseconds auth_block{std::chrono::minutes(15)};  // …then the IP is refused this long
};

struct AlertConfig {
  RateSpec validation_failures{5, std::chrono::hours(1)};  // failed validations per user that alert
  RateSpec management_burst{30, std::chrono::minutes(5)};  // management changes per user that alert
  unsigned upstream_error_percent = 50;                    // provider error rate that alerts…
  std::size_t upstream_error_min_requests = 20;            // …once this many requests were seen…
  std::chrono::milliseconds upstream_error_window{std::chrono::minutes(5)};  // …within this window
  std::vector<unsigned> expiry_days{7, 1};                 // "expiring soon" alerts, once per key each
  std::chrono::milliseconds expiry_sweep_interval{std::chrono::minutes(1)};
  std::vector<std::string> webhook_urls;                   // receive every raised alert, signed
  bool webhook_allow_http = false;                         // plain http:// to a host other than loopback
  std::optional<core::Secret> webhook_secret;              // HMAC-SHA256 key of the signature
  unsigned webhook_max_attempts = 8;                       // with exponential back-off…
  std::chrono::milliseconds webhook_backoff{1000};         // …starting at this pause
  std::chrono::milliseconds webhook_lease{30'000};         // shared queue: a claimed attempt's hold
};

// The shared database engine (PostgreSQL); SQLite ignores it.
struct DatabaseConfig {
  std::size_t pool_size = 8;  // connections per server at most; a call waits (then 503) for a free one
};

// How a server keeps up with the keyring file and tells the others (master-key rotation).
struct KeyringConfig {
  std::chrono::milliseconds reload_interval{2'000};     // how often the keyring file is checked for changes
  std::chrono::milliseconds heartbeat_interval{5'000};  // how often the server records itself in `nodes`
  std::optional<std::chrono::milliseconds> node_timeout;  // silent this long, a server counts as gone
  // node_timeout, or three heartbeats when it is not set.
  std::chrono::milliseconds effective_node_timeout() const { return node_timeout.value_or(3 * heartbeat_interval); }
};

// Redis, shared by several nodes for limits, windows and the webhook queue (issue 13 item 6).
struct RedisConfig {
  std::string url;  // redis://[:password@]host:port/db; empty: everything stays in this process
  std::chrono::milliseconds timeout{200};  // to connect, and per command (the request path waits this long at most)
  // rediss:// only: the CA bundle the server's certificate must chain to (absent: the system's
  // trust store), and a client certificate and key when the server asks for one.
  std::optional<std::filesystem::path> ca_file, cert_file, key_file;
};

// keyrelay's own listener over TLS: both files or neither (check_for_serving).
struct TlsConfig {
  std::optional<std::filesystem::path> cert_file;  // certificate chain, PEM (the server's first)
  std::optional<std::filesystem::path> key_file;   // its private key, PEM, without a passphrase
  bool is_enabled() const noexcept { return cert_file.has_value() && key_file.has_value(); }
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  TlsConfig tls;
  std::optional<std::filesystem::path> port_file;
  std::filesystem::path data_dir = "./data";
  std::string database_url;                      // empty: SQLite in data_dir
  DatabaseConfig database;
  std::optional<core::Secret> master_key;        // base64 text of one 32-byte key
  std::optional<std::filesystem::path> keyring_file;
  KeyringConfig keyring;
  RedisConfig redis;
  LogLevel log_level = LogLevel::info;
  LogFormat log_format = LogFormat::json;
  HttpLimits http;
  bool allow_core_dumps = false;                 // debugging only: keeps dumps and ptrace on
  // External JWT verification (off unless a secret, a JWKS file or a JWKS URL is given).
  std::optional<core::Secret> jwt_secret;        // HS256
  std::optional<std::filesystem::path> jwt_jwks_file;  // RS256 / ES256
  std::optional<std::string> jwt_jwks_url;       // RS256 / ES256, fetched and refreshed; not with the file
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string trusted_proxies;                   // CIDRs whose X-Forwarded-For is believed
  std::optional<std::filesystem::path> upstream_ca_file;  // extra CA bundle for provider TLS
  UpstreamConfig upstream;
  GatewayConfig gateway;
  CapsConfig caps;
  RateLimitConfig rate_limits;
  AlertConfig alerts;
  std::optional<core::Secret> metrics_token;     // required as the bearer of GET /metrics when set
  std::chrono::milliseconds audit_retention{std::chrono::hours(24 * 30)};  // key.used kept this long; 0 = forever
  std::chrono::milliseconds audit_prune_interval{std::chrono::hours(1)};
  std::string ui_frame_ancestors = "'none'";     // CSP frame-ancestors of the settings page
  std::vector<std::string> cors_origins;         // origins whose pages may call /api/v1/* (CORS); none by default
  // Operator overrides of provider base URLs, by catalog id ([provider.<id>] base_url in the file;
  // KEYRELAY_PROVIDER_<ID>_BASE_URL in the environment, applied by provider_base_urls()).
  std::map<std::string, std::string> provider_base_urls;
  // The operator's own providers (JSON, catalog.json's format), added to the built-in catalog.
  std::optional<std::filesystem::path> catalog_file;
  // The operator's prices (JSON, catalog.json's "prices" per provider id), laid over the catalog's.
  std::optional<std::filesystem::path> prices_file;

  Config() = default;
  Config(Config&&) = default;
  Config& operator=(Config&&) = default;
};

// Reads the environment through `getenv` (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// Loads defaults, then `file` (when given), then the environment. Errors are invalid_request with a
// message naming the key or variable, e.g. "config file keyrelay.toml: unknown key 'lisen'".
core::Result<Config> load_config(const std::optional<std::filesystem::path>& file, const EnvLookup& env);

// What `serve` needs beyond well-formed values, checked at its start: JWT verification has an
// issuer and an audience (without them any token signed with the key is taken, whoever it was made
// for); webhook receivers are https:// or loopback unless plain http is allowed (an alert would
// cross the network in clear); the listener's TLS certificate and key are given both or neither. invalid_request naming the settings; a receiver is named by its
// origin only (the rest of a webhook URL is often a credential).
core::Result<void> check_for_serving(const Config& config);

// The names of the process's environment variables.
std::vector<std::string> environment_names();
// Among `names`, the KEYRELAY_* ones that no setting reads (a misspelling would otherwise be ignored
// without a word, and the default apply). KEYRELAY_PROVIDER_<ID>_BASE_URL is left to
// unknown_provider_variables(), which needs the catalog.
std::vector<std::string> unknown_setting_variables(const std::vector<std::string>& names);
// Among `names`, the KEYRELAY_PROVIDER_<ID>_BASE_URL whose <ID> names none of `provider_ids`.
std::vector<std::string> unknown_provider_variables(const std::vector<std::string>& names,
                                                    const std::vector<std::string>& provider_ids);

// Adds the environment's KEYRELAY_PROVIDER_<ID>_BASE_URL for each of `provider_ids` to the file's
// overrides (the environment wins). invalid_request naming the variable for a URL that is not http(s).
core::Result<void> apply_provider_env(Config& config, const std::vector<std::string>& provider_ids, const EnvLookup& env);

}  // namespace keyrelay::config
