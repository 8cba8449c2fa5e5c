// `keyrelay serve`: the composition root. The only place that knows the concrete types: it reads
// the configuration, prepares the process, the keyring and the store, wires the services to the
// routes and runs the server.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <iostream>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "accounts/account_service.h"
#include "api/account_routes.h"
#include "api/gateway/chat_routes.h"
#include "api/gateway/embeddings_routes.h"
#include "api/gateway/gateway_ports.h"
#include "api/gateway/gateway_services.h"
#include "api/gateway/key_recheck.h"
#include "api/gateway/messages_routes.h"
#include "api/gateway/mcp_routes.h"
#include "api/gateway/proxy_routes.h"
#include "api/audit_routes.h"
#include "api/health_routes.h"
#include "api/cap_routes.h"
#include "api/gateway/spend_guard.h"
#include "api/insight_routes.h"
#include "api/metrics_routes.h"
#include "api/openapi_routes.h"
#include "api/reveal_routes.h"
#include "api/session_routes.h"
#include "api/validate_routes.h"
#include "api/web_routes.h"
#include "api/user_data_routes.h"
#include "api/webhook_routes.h"
#include "api/key_routes.h"
#include "api/services.h"
#include "auth/authenticator.h"
#include "catalog/catalog.h"
#include "catalog/price_table.h"
#include "audit/event_builder.h"
#include "gateway/circuit_breaker.h"
#include "gateway/key_validator.h"
#include "gateway/model_list_cache.h"
#include "gateway/model_resolver.h"
#include "gateway/upstream_client.h"
#include "gateway/usage_alerts.h"
#include "monitor/expiry_sweeper.h"
#include "gateway/usage_recorder.h"
#include "cli/app_context.h"
#include "cli/audit_retention.h"
#include "cli/commands.h"
#include "cli/jwt_setup.h"
#include "cli/keyring_reloader.h"
#include "cli/maintenance.h"
#include "cli/metrics_collectors.h"
#include "cli/provider_catalog.h"
#include "cli/node_sharing.h"
#include "cli/process_hardening.h"
#include "config/config.h"
#include "http/cors.h"
#include "http/router.h"
#include "http/server.h"
#include "logging/log.h"
#include "store/change_feed.h"
#include "gateway/spend_settling_sink.h"
#include "cli/spend_caps.h"
#include "vault/key_cache.h"
#include "vault/key_service.h"
#include "vault/node_heartbeat.h"

namespace keyrelay::cli {
namespace {

// Blocking work is mostly waiting: a store write waits for its group's commit. With fewer threads
// than concurrent writers the rest queue for a thread and miss the group being formed (4 threads
// and 8 key-create clients: every other create waited a whole commit more, 0.8 syncs per create);
// 8 let them join one group (0.55 syncs per create, as with 16). Each thread that has run keeps
// its stack pages and allocator cache: 16 threads held ~1.4 MB more than 8 after a create run.
constexpr std::size_t kBlockingThreads = 8;

logging::Level to_log_level(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::trace: return logging::Level::trace;
    case config::LogLevel::debug: return logging::Level::debug;
    case config::LogLevel::info: return logging::Level::info;
    case config::LogLevel::warn: return logging::Level::warn;
    case config::LogLevel::error: return logging::Level::error;
    case config::LogLevel::off: return logging::Level::off;
  }
  return logging::Level::info;
}

http::ServerOptions server_options(const config::Config& c) {
  http::ServerOptions o;
  o.listen = c.listen;
  if (c.tls.is_enabled()) o.tls = http::TlsFiles{*c.tls.cert_file, *c.tls.key_file};
  o.threads = c.http.threads;
  o.max_header_bytes = c.http.max_header_bytes;
  o.max_body_bytes = c.http.max_body_bytes;
  o.header_timeout = c.http.header_timeout;
  o.body_timeout = c.http.body_timeout;
  o.idle_timeout = c.http.idle_timeout;
  o.write_timeout = c.http.write_timeout;
  o.max_connections = c.http.max_connections;
  o.max_connections_per_client = c.http.max_connections_per_client;
  o.cap_loopback_clients = c.http.cap_loopback_clients;
  o.shutdown_timeout = c.http.shutdown_timeout;
  return o;
}

// Writes the port atomically (temp file + rename), so a reader never sees a partial number.
bool write_port_file(const std::filesystem::path& path, std::uint16_t port) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::string text = std::to_string(port) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  return ok && !ec;
}

std::string local_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

int fail(const std::string& message) {
  std::cerr << "keyrelay serve: " << message << "\n";
  logging::shutdown();
  return 1;
}

// Logging and process hardening come first, before anything touches key material.
core::Result<void> prepare_process(const GlobalOptions& global) {
  auto early = config::load_config(global.config_file, config::process_environment());
  if (!early) return early.error();
  if (auto ready = config::check_for_serving(*early); !ready) return ready.error();
  if (!early->allow_core_dumps) disable_core_dumps();
  logging::init(to_log_level(early->log_level),
                early->log_format == config::LogFormat::json ? logging::Format::json : logging::Format::text);
  return core::ok();
}


// The catalog's prices with the operator's prices file laid over them. A file that cannot be read
// or has a bad entry stops the start, naming the entry: costs must not silently change.
core::Result<std::shared_ptr<const catalog::PriceTable>> load_prices(const config::Config& config,
                                                                     const catalog::Catalog& catalog) {
  auto table = catalog::PriceTable::of(catalog);
  if (const auto& file = config.prices_file) {
    const std::string what = "KEYRELAY_PRICES_FILE " + file->string() + ": ";
    std::ifstream in(*file);
    if (!in) return core::Error::invalid_request(what + "cannot read it");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto overrides = catalog::parse_prices_file(text);
    if (!overrides) return core::Error::invalid_request(what + overrides.error().message);
    auto merged = table.with_overrides(catalog, *overrides);
    if (!merged) return core::Error::invalid_request(what + merged.error().message);
    table = std::move(*merged);
    for (const auto& p : *overrides)
      logging::info("operator prices", {{"provider", p.provider}, {"entries", p.prices.size()}});
  }
  return std::make_shared<const catalog::PriceTable>(std::move(table));
}

// A stored secret that fails its integrity check takes its key out of service and tells its owner.
void alert_on_decrypt_failures(vault::KeyService& keys, api::Services& services) {
  keys.set_decrypt_failure_listener([&services](const audit::Actor& caller, const store::KeyRecord& key) {
    monitor::AlertSpec alert;
    alert.rule = "key.decrypt_failed";
    alert.severity = store::AlertSeverity::critical;
    alert.user_id = key.owner_id;
    alert.key_id = key.id;
    alert.provider = key.provider;
    alert.message = "the stored secret of key '" + key.name +
                    "' failed its integrity check: its database row was changed or the master key is wrong. "
                    "The key is out of service; rotate it and investigate";
    api::raise_alert_later(services, std::move(alert), caller);
  });
}

// Provider calls: timeouts from the configuration; unset, the cap per provider follows the
// descriptors this process may hold (README: sizing).
gateway::UpstreamOptions upstream_options(const config::Config& config, std::size_t open_file_limit) {
  gateway::UpstreamOptions upstream_options;
  upstream_options.extra_ca_file = config.upstream_ca_file;
  upstream_options.connect_timeout = config.upstream.connect_timeout;
  upstream_options.first_byte_timeout = config.upstream.first_byte_timeout;
  upstream_options.idle_timeout = config.upstream.idle_timeout;
  upstream_options.max_connections_per_origin =
      config.upstream.max_connections_per_origin != 0
          ? config.upstream.max_connections_per_origin
          : gateway::default_connections_per_origin(open_file_limit, config.http.max_connections);
  logging::info("upstream connections", {{"max_per_origin", upstream_options.max_connections_per_origin},
                                         {"open_file_limit", open_file_limit}});
  return upstream_options;
}

// Alert webhooks: their own client (short timeouts, a pool apart from the providers'); null when
// no receiver is configured.
core::Result<std::unique_ptr<api::AlertWebhooks>> make_webhooks(AppContext& ctx, http::Server& server,
                                                                monitor::AlertService& alerts, NodeSharing& sharing) {
  if (ctx.config.alerts.webhook_urls.empty()) return std::unique_ptr<api::AlertWebhooks>();
  if (!ctx.config.alerts.webhook_secret)
    return core::Error::invalid_request(
        "KEYRELAY_ALERTS_WEBHOOK_URLS needs KEYRELAY_ALERTS_WEBHOOK_SECRET to sign the deliveries");
  gateway::UpstreamOptions hook_options;
  hook_options.extra_ca_file = ctx.config.upstream_ca_file;
  hook_options.connect_timeout = std::chrono::seconds(3);
  hook_options.first_byte_timeout = std::chrono::seconds(10);
  hook_options.idle_timeout = std::chrono::seconds(10);
  hook_options.max_connections_per_origin = 8;
  hook_options.max_response_bytes = 64 * 1024;
  api::WebhookOptions webhook_options;
  webhook_options.urls = ctx.config.alerts.webhook_urls;
  webhook_options.secret = ctx.config.alerts.webhook_secret->clone();
  webhook_options.max_attempts = ctx.config.alerts.webhook_max_attempts;
  webhook_options.backoff_base = ctx.config.alerts.webhook_backoff;
  webhook_options.lease = ctx.config.alerts.webhook_lease;
  auto webhooks = std::make_unique<api::AlertWebhooks>(
      server.executor(), std::make_unique<gateway::UpstreamClient>(server.executor(), hook_options),
      std::move(webhook_options), ctx.clock, sharing.webhook_queue.get());
  alerts.add_listener(*webhooks);
  logging::info("alert webhooks", {{"receivers", ctx.config.alerts.webhook_urls.size()}});
  return webhooks;
}

// Reloads the keyring (forced, or when its file changed); true when a new one was installed.
std::function<bool(bool)> keyring_reload(KeyringReloader& reloader, vault::NodeHeartbeat& heartbeat) {
  return [&reloader, &heartbeat](bool force) {
    auto r = reloader.reload_if_changed(force);
    if (!r) logging::error("keyring not reloaded", {{"error", r.error().message}});
    const bool installed = r && *r;
    // Tell a waiting rotation at once, not at the next heartbeat.
    if (installed)
      if (auto beat = heartbeat.beat(); !beat) logging::warn("node heartbeat not recorded", {{"error", beat.error().message}});
    return installed;
  };
}

// PostgreSQL pushes other nodes' changes (LISTEN/NOTIFY): caches drop within milliseconds; the
// generation poll stays as the fallback. SQLite has no feed (null).
std::unique_ptr<store::ChangeFeed> start_change_feed(store::Store& db, Maintenance& maintenance) {
  auto change_feed = store::open_change_feed(db);
  if (change_feed) {
    change_feed->subscribe([&maintenance] { maintenance.drop_caches(); });
    change_feed->start();
  }
  return change_feed;
}

// What the server side of a node is built on: set up by run_serve, all of it outliving serve_http.
struct NodeCore {
  AppContext& ctx;
  const store::UserRecord& system_user;
  std::shared_ptr<const catalog::Catalog> catalog;
  std::shared_ptr<const catalog::PriceTable> prices;
  std::size_t open_file_limit;
  boost::asio::thread_pool& blocking;
  api::Services& services;
  monitor::Metrics& metrics;
  NodeSharing& sharing;
  monitor::AlertService& alerts;
  vault::KeyCache& key_cache;
  Maintenance& maintenance;
  std::function<bool(bool)> reload;  // the keyring, forced or when its file changed
  SpendCaps& spend_caps;
};

http::ServerOptions node_server_options(const NodeCore& node) {
  http::ServerOptions options = server_options(node.ctx.config);
  options.on_sighup = [&blocking = node.blocking, reload = node.reload] {
    boost::asio::post(blocking, [reload] { reload(true); });
  };
  options.on_request = [&metrics = node.metrics](std::string_view route, std::string_view method, int status,
                                                 std::chrono::nanoseconds took) {
    metrics.http_request(route, method, status, took);
  };
  return options;
}

// With TLS, SIGHUP also reloads the listener's certificate (file reads: on the worker pool).
// `server` must be set to the server made with `options` before it runs.
void reload_tls_on_sighup(http::ServerOptions& options, boost::asio::thread_pool& blocking, http::Server*& server) {
  if (!options.tls) return;
  options.on_sighup = [keyring = std::move(options.on_sighup), &blocking, &server] {
    keyring();
    boost::asio::post(blocking, [&server] { (void)server->reload_tls(); });
  };
}

// Where the server listens; a warning when plain HTTP leaves the host (bearer tokens and stored
// keys would cross the network in clear).
void log_listening(const AppContext& ctx, const http::Server& server, std::uint16_t port) {
  const auto colon = ctx.config.listen.rfind(':');
  const std::string address = ctx.config.listen.substr(0, colon) + ":" + std::to_string(port);
  logging::info("listening", {{"address", address},
                              {"scheme", server.serves_tls() ? "https" : "http"},
                              {"version", KEYRELAY_VERSION},
                              {"writer", ctx.writer_id}});
  if (!server.serves_tls() && !server.listens_on_loopback())
    logging::warn("serving plain HTTP on a non-loopback address: tokens and keys cross the network unencrypted; set "
                  "KEYRELAY_TLS_CERT_FILE and KEYRELAY_TLS_KEY_FILE, or keep keyrelay on loopback behind a TLS proxy",
                  {{"address", address}});
}

void add_routes(http::Router& router, NodeCore& node, http::Server& server, api::AlertWebhooks* webhooks,
                api::GatewayServices& gateway_services) {
  api::Services& services = node.services;
  AppContext& ctx = node.ctx;
  Maintenance& maintenance = node.maintenance;
  http::Server* server_ptr = &server;
  api::add_health_routes(router, {{"server",
                                   [server_ptr]() -> core::Result<void> {
                                     if (server_ptr != nullptr && server_ptr->is_draining())
                                       return core::Error::unavailable("shutting down");
                                     return core::ok();
                                   }},
                                  {"store", [&maintenance]() -> core::Result<void> {
                                     if (!maintenance.store_ok()) return core::Error::unavailable("unreachable");
                                     return core::ok();
                                   }}});
  api::add_key_routes(router, services);
  api::add_reveal_routes(router, services);
  api::add_account_routes(router, services, *ctx.accounts);
  store::Store& db = *ctx.store;
  api::add_user_data_routes(router, services, {*ctx.accounts, *ctx.user_data, {db, db, db, db, db, db, db}});
  api::add_session_routes(router, services, *ctx.sessions);
  api::add_audit_routes(router, services);
  api::add_insight_routes(router, services);
  api::add_cap_routes(router, services);
  api::add_validate_routes(router, services);
  api::add_webhook_routes(router, services, webhooks);
  api::add_web_routes(router, ctx.config.ui_frame_ancestors);
  api::add_metrics_route(router, services, node.metrics,
                         ctx.config.metrics_token ? std::optional(ctx.config.metrics_token->clone()) : std::nullopt);
  api::add_chat_routes(router, gateway_services);
  api::add_messages_routes(router, gateway_services);
  api::add_embeddings_routes(router, gateway_services);
  api::add_proxy_routes(router, gateway_services);
  api::add_mcp_routes(router, gateway_services);
  // The document is compared with every route that serves an operation; the CORS preflights added
  // below are not operations of the API.
  api::add_openapi_route(router);
  // Last, so that it covers every management route (the OpenAPI document's included). The gateway
  // (/v1/*, /proxy/*) gets no CORS: a token that spends money does not belong in a browser page.
  http::enable_cors(router, "/api/v1/", {.origins = ctx.config.cors_origins});
}

// Starts the background work, serves until shutdown, then drains: no new requests, then finish
// blocking work, then flush what is batched.
void run_until_stopped(NodeCore& node, http::Server& server, gateway::UsageRecorder& usage) {
  AppContext& ctx = node.ctx;
  store::Store& db = *ctx.store;
  monitor::ExpirySweeper expiry(db, db, node.alerts, ctx.clock,
                                {.thresholds_days = ctx.config.alerts.expiry_days,
                                 .interval = ctx.config.alerts.expiry_sweep_interval,
                                 .audit_chain = ctx.mgmt_chain});
  std::optional<AuditRetention> retention;
  if (ctx.config.audit_retention.count() > 0) {
    retention.emplace(db, db, ctx.clock,
                      audit::PruneOptions{.older_than = ctx.config.audit_retention, .audit_chain = ctx.mgmt_chain},
                      ctx.config.audit_prune_interval);
  }
  node.maintenance.start();
  expiry.start();
  if (retention) retention->start();
  server.run();
  expiry.stop();
  if (retention) retention->stop();
  node.blocking.join();
  usage.flush();
}

// The HTTP server, the provider client and the gateway on top of the node's services; returns the
// exit code once the server stopped and its work is drained.
int serve_http(NodeCore& node) {
  AppContext& ctx = node.ctx;
  store::Store& db = *ctx.store;
  api::Services& services = node.services;
  http::Router router;
  http::ServerOptions options = node_server_options(node);
  auto proxies = http::TrustedProxies::parse(ctx.config.trusted_proxies);
  if (!proxies) return fail("KEYRELAY_TRUSTED_PROXIES: " + proxies.error().message);
  options.trusted_proxies = std::move(*proxies);
  http::Server* tls_server = nullptr;  // set once the server exists, before it runs
  reload_tls_on_sighup(options, node.blocking, tls_server);
  http::Server server(std::move(options), router);
  tls_server = &server;

  // Provider calls run on the server's I/O threads.
  std::unique_ptr<gateway::UpstreamClient> upstream;
  try {
    upstream = std::make_unique<gateway::UpstreamClient>(server.executor(), upstream_options(ctx.config, node.open_file_limit));
  } catch (const std::exception& e) {
    return fail(std::string("KEYRELAY_UPSTREAM_CA_FILE: ") + e.what());
  }
  gateway::KeyValidator validator(*upstream);
  services.validator = &validator;
  auto webhooks = make_webhooks(ctx, server, node.alerts, node.sharing);
  if (!webhooks) return fail(webhooks.error().message);

  // The gateway: routing, fallback, usage booked off the request path on the writer's use chain.
  auto aliases = gateway::parse_model_aliases(ctx.config.gateway.model_aliases);
  if (!aliases) return fail("KEYRELAY_ROUTING_ALIASES: " + aliases.error().message);
  const gateway::ModelResolver resolver(node.catalog, std::move(*aliases));
  if (auto checked = resolver.check_aliases(); !checked)
    return fail("KEYRELAY_ROUTING_ALIASES: " + checked.error().message);
  gateway::CircuitBreaker breaker(ctx.clock, ctx.config.gateway.breaker_failures, ctx.config.gateway.breaker_cooldown);
  // (The alert rules first: the recorder's destructor may still hand them its last batch.)
  gateway::UsageAlerts usage_alerts(node.alerts, ctx.clock,
                                    {.error_percent = ctx.config.alerts.upstream_error_percent,
                                     .error_min_requests = ctx.config.alerts.upstream_error_min_requests,
                                     .error_window = ctx.config.alerts.upstream_error_window,
                                     .system_user_id = node.system_user.id,
                                     .clients = node.sharing.clients,
                                     .error_rates = node.sharing.error_rates});
  gateway::UsageRecorder usage(db, db, ctx.clock, *node.prices, audit::use_chain(ctx.writer_id));
  usage.set_cost_listener([&metrics = node.metrics](const std::string& provider, std::int64_t micro_usd) {
    metrics.cost(provider, micro_usd);
  });
  register_collectors(node.metrics, {db, *node.catalog, node.key_cache, server, usage, ctx.clock});
  usage.set_observer([&usage_alerts](const gateway::KeyUse& use, store::TimePoint at) { usage_alerts.observe(use, at); });
  gateway::ModelListCache model_lists(ctx.clock);
  // The dispatcher asks the vault, the recorder and the alerts through its own ports.
  api::KeyRecheck recheck(services, ctx.config.gateway.recheck_interval);
  api::VaultKeys vault_keys(services, node.key_cache);
  api::GatewayAlerts gateway_alerts(services, &recheck);
  // Spend caps: each attempt reserves its worst case; every use settles its reservation on its way
  // to the recorder.
  gateway::SpendSettlingSink settling(usage, [&usage](const gateway::KeyUse& use) { return usage.cost_of(use); });
  api::LedgerSpendGuard spend_guard(node.blocking, node.spend_caps.directory, *node.spend_caps.ledger, *node.prices,
                                    ctx.clock,
                                    {.default_max_output_tokens = ctx.config.caps.default_max_output_tokens,
                                     .proxy_call_micro_usd = ctx.config.caps.proxy_call_micro_usd});
  gateway::Dispatcher dispatcher({.keys = vault_keys, .secrets = vault_keys, .upstream = *upstream, .breaker = breaker,
                                  .usage = settling, .alerts = gateway_alerts, .clock = ctx.clock, .metrics = &node.metrics,
                                  .spend = &spend_guard},
                                 {.default_key_fallback = ctx.config.gateway.default_key_fallback,
                                  .system_user_id = node.system_user.id});
  api::GatewaySettings gateway_settings;
  gateway_settings.wire.anthropic_default_max_tokens = ctx.config.gateway.anthropic_max_tokens;
  monitor::ConcurrencyLimiter places(ctx.config.gateway.max_concurrent_per_user);
  api::GatewayServices gateway_services{services, dispatcher, resolver, settling, model_lists, &places, gateway_settings};
  add_routes(router, node, server, webhooks->get(), gateway_services);

  auto port = server.listen();
  if (!port) return fail(port.error().message);
  if (ctx.config.port_file && !write_port_file(*ctx.config.port_file, *port))
    return fail("cannot write the port file " + ctx.config.port_file->string());
  log_listening(ctx, server, *port);
  run_until_stopped(node, server, usage);
  return 0;
}

}  // namespace

int run_serve(const GlobalOptions& global) {
  if (auto prepared = prepare_process(global); !prepared) return fail(prepared.error().message);
  const std::size_t open_file_limit = raise_open_file_limit();

  auto app = open_app(global, "node", KeyringPolicy::create_if_new);
  if (!app) return fail(app.error().message);
  AppContext& ctx = **app;
  auto system_user = ctx.accounts->ensure_system_user();
  if (!system_user) return fail(system_user.error().message);
  auto catalog = load_catalog(ctx.config);
  if (!catalog) return fail(catalog.error().message);
  auto prices = load_prices(ctx.config, **catalog);
  if (!prices) return fail(prices.error().message);
  // Protection and monitoring: rate limits at the edge, alerts raised through one service, metrics.
  monitor::Metrics metrics;
  // A JWKS URL is fetched here: no usable key set, no start.
  auto jwt = make_jwt_setup(ctx.config, ctx.clock, metrics);
  if (!jwt) return fail(jwt.error().message);

  // The one store of this process; each service below is handed only the areas it uses.
  store::Store& db = *ctx.store;
  // auth.failed goes on the writer's use chain, which retention prunes (docs/decisions.md).
  auth::Authenticator authenticator(db, db, db, jwt->verifier.get(), ctx.clock,
                                    {.audit_chain = ctx.mgmt_chain, .failure_chain = audit::use_chain(ctx.writer_id)});
  vault::KeyCache key_cache(db);
  vault::KeyService keys(db, db, db, *ctx.envelope, *catalog, ctx.clock, ctx.mgmt_chain, &key_cache);
  boost::asio::thread_pool blocking(kBlockingThreads);
  api::Services services{blocking, db, db, db, db, db, authenticator, keys,
                         *catalog, ctx.clock, ctx.mgmt_chain, system_user->id};
  services.cap_store = &db;
  services.metrics = &metrics;
  // Shared with the other nodes through Redis when KEYRELAY_REDIS_URL is set, in memory otherwise.
  auto sharing_result = make_node_sharing(ctx.config);
  if (!sharing_result) return fail(sharing_result.error().message);
  NodeSharing& sharing = *sharing_result;
  if (sharing.redis) register_redis_metrics(metrics, *sharing.redis);
  api::Protection protection(*sharing.limiter, ctx.config.rate_limits, ctx.clock, std::move(sharing.protection));
  protection.on_limited([&metrics](api::RateBucket bucket) { metrics.rate_limited(api::bucket_name(bucket)); });
  monitor::AlertService alerts(db, ctx.clock, ctx.mgmt_chain);
  monitor::AlertCounter alert_counter(metrics);
  alerts.add_listener(alert_counter);
  services.alerts = &alerts;
  services.protection = &protection;
  services.protection_waits_on_network = sharing.redis != nullptr;
  keys.set_decrypt_observer([&metrics](bool opened, std::chrono::nanoseconds took) { metrics.decrypt(opened, took); });
  alert_on_decrypt_failures(keys, services);
  KeyringReloader reloader(keyring_file_of(ctx.config), *ctx.envelope, *ctx.sealer, db);
  // This server in the nodes table: the master versions it holds, so `master-key rotate` waits for
  // exactly the running servers (and `retire` refuses a version one of them still seals with).
  vault::NodeHeartbeat heartbeat(
      db, *ctx.envelope, ctx.clock, {ctx.writer_id, static_cast<std::int64_t>(::getpid()), local_hostname()},
      {.interval = ctx.config.keyring.heartbeat_interval,
       .timeout = ctx.config.keyring.effective_node_timeout(),
       .on_error = [](const core::Error& e) { logging::warn("node heartbeat not recorded", {{"error", e.message}}); }});
  const std::function<bool(bool)> reload = keyring_reload(reloader, heartbeat);
  // Runs on the worker pool (KeyService::finish_open), at most once per reload interval.
  keys.set_keyring_refresh([reload] { return reload(true); }, ctx.config.keyring.reload_interval);
  Maintenance maintenance(db, db, authenticator, key_cache, [reload] { reload(false); },
                          std::chrono::milliseconds(250), std::chrono::seconds(5), ctx.config.keyring.reload_interval);
  if (auto r = heartbeat.start(); !r) return fail("cannot record this server in the nodes table: " + r.error().message);
  auto spend_caps = make_spend_caps(db, sharing, services);
  if (!spend_caps) return fail(spend_caps.error().message);
  maintenance.also_on_change([directory = &(*spend_caps)->directory] { (void)directory->reload(); });
  auto change_feed = start_change_feed(db, maintenance);

  NodeCore node{ctx,     *system_user, *catalog,   *prices,   open_file_limit, blocking,     services,
                metrics, sharing,      alerts,     key_cache, maintenance,     reload,       **spend_caps};
  const int exit_code = serve_http(node);
  if (exit_code != 0) return exit_code;
  if (change_feed) change_feed->stop();
  maintenance.stop();
  heartbeat.stop();  // a clean stop: no rotation waits for this server any more
  logging::info("stopped");
  logging::shutdown();
  return 0;
}

}  // namespace keyrelay::cli
