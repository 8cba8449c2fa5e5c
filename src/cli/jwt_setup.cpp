#include "cli/jwt_setup.h"

#include "cli/jwks_http_fetcher.h"
#include "logging/log.h"

namespace keyrelay::cli {
namespace {

// How often the refresher looks whether the next scheduled fetch is due; the schedule itself
// comes from the key set's cache headers (5 minutes at the least).
constexpr std::chrono::seconds kRefreshCheck{5};

// Logs and counts every fetch after the first: keyrelay_jwks_fetches_total{reason,result} and
// keyrelay_jwks_keys.
auth::RemoteJwks::Observer fetch_reporter(monitor::Metrics& metrics) {
  auto& registry = metrics.registry();
  auto& fetches = registry.counter("keyrelay_jwks_fetches_total",
                                   "Fetches of KEYRELAY_JWT_JWKS_URL by reason (start, scheduled, unknown_kid) and result",
                                   {"reason", "result"});
  auto& keys = registry.gauge("keyrelay_jwks_keys", "Keys in the JWT key set in use");
  return [&fetches, &keys](const auth::JwksFetchReport& report) {
    const std::string_view reason = auth::jwks_fetch_reason_name(report.reason);
    fetches.with({reason, report.error ? "failure" : "success"}).inc();
    keys.with(monitor::LabelValues{}).set(static_cast<double>(report.keys));
    if (report.error) {
      logging::warn("JWKS fetch failed; keeping the last good key set",
                    {{"reason", reason}, {"error", *report.error}, {"keys", report.keys},
                     {"retry_in_seconds", report.next_refresh.count()}});
    } else {
      logging::info("JWKS fetched", {{"reason", reason}, {"keys", report.keys},
                                     {"next_refresh_in_seconds", report.next_refresh.count()}});
    }
  };
}

core::Result<std::shared_ptr<auth::RemoteJwks>> start_url_jwks(const config::Config& config, const core::Clock& clock,
                                                                monitor::Metrics& metrics) {
  auto fetcher = JwksHttpFetcher::create(*config.jwt_jwks_url, config.upstream_ca_file);
  if (!fetcher) return fetcher.error();
  auto observer = fetch_reporter(metrics);
  auto remote = auth::RemoteJwks::start(std::move(*fetcher), clock, {}, observer);
  if (!remote) return core::Error{remote.error().code, "KEYRELAY_JWT_JWKS_URL: " + remote.error().message};
  observer({.reason = auth::JwksFetchReason::start,
            .keys = (*remote)->current()->size(),
            .next_refresh = std::chrono::duration_cast<std::chrono::seconds>((*remote)->next_refresh_at() -
                                                                               clock.steady_now())});
  return remote;
}

}  // namespace

core::Result<JwtSetup> make_jwt_setup(const config::Config& config, const core::Clock& clock,
                                      monitor::Metrics& metrics) {
  JwtSetup setup;
  if (!config.jwt_secret && !config.jwt_jwks_file && !config.jwt_jwks_url) return setup;
  auth::JwtOptions options;
  if (config.jwt_secret) options.hs256_secret = config.jwt_secret->clone();
  options.jwks_file = config.jwt_jwks_file;
  options.issuer = config.jwt_issuer;
  options.audience = config.jwt_audience;
  if (config.jwt_jwks_url) {
    auto remote = start_url_jwks(config, clock, metrics);
    if (!remote) return remote.error();
    setup.url_jwks = *remote;
    options.jwks_url = *remote;
  }
  auto verifier = auth::JwtVerifier::create(std::move(options), clock);
  if (!verifier) return verifier.error();
  setup.verifier = std::make_unique<auth::JwtVerifier>(std::move(*verifier));
  if (setup.url_jwks) {
    setup.refresher = std::make_unique<core::PeriodicTask>([remote = setup.url_jwks] { remote->refresh_if_due(); },
                                                           kRefreshCheck, kRefreshCheck);
    setup.refresher->start();
  }
  return setup;
}

}  // namespace keyrelay::cli
