#include "api/gateway/key_attempts.h"

#include <charconv>

#include <boost/asio/this_coro.hpp>

#include "api/gateway/key_recheck.h"
#include "api/gateway/key_rejection.h"
#include "api/guard.h"
#include "api/offload.h"
#include "core/secret.h"
#include "gateway/answer_classifier.h"
#include "gateway/content_decoding.h"
#include "gateway/key_injection.h"
#include "gateway/proxy_rules.h"

namespace keyrelay::api {
namespace {

std::string key_label(const catalog::Provider& provider, const store::KeyRecord& key,
                      gateway::Credential credential) {
  return provider.id + (credential == gateway::Credential::user ? " key '" : " default key '") + key.name + "'";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// The client's streamed body as an attempt reads it: remembers whether the attempt read any of it
// (then no other key can be tried) and whether reading failed on the client's side.
class WatchedBody final : public http::BodySource {
 public:
  explicit WatchedBody(std::shared_ptr<http::BodySource> body) : body_(std::move(body)) {}

  boost::asio::awaitable<core::Result<std::string_view>> read_some() override {
    touched_ = true;
    auto piece = co_await body_->read_some();
    if (!piece) error_ = piece.error();
    co_return piece;
  }
  std::optional<std::size_t> content_length() const noexcept override { return body_->content_length(); }

  bool touched() const noexcept { return touched_; }
  const std::optional<core::Error>& error() const noexcept { return error_; }

 private:
  std::shared_ptr<http::BodySource> body_;
  bool touched_ = false;
  std::optional<core::Error> error_;
};

}  // namespace

core::Error AttemptTally::final_error() const {
  if (client_body_error) return *client_body_error;
  std::string detail = join(reasons, "; ");
  if (!skipped.empty()) detail += (detail.empty() ? "" : "; ") + join(skipped, "; ");
  if (attempts > 0 && rate_limited == attempts)
    return core::Error::rate_limited("every provider key is rate limited: " + detail,
                                     min_retry_after.value_or(std::chrono::seconds(1)));
  if (attempts > 0 && timeouts == attempts)
    return core::Error::upstream_timeout("no provider answered in time: " + detail);
  // Nothing is wrong with the keys or the provider: the client may retry (503).
  if (attempts > 0 && unavailable == attempts)
    return core::Error::unavailable("no key could be decrypted right now: " + detail);
  if (attempts == 0 && !skipped.empty())
    return core::Error::upstream_error("every usable key is cooling down after repeated failures: " + detail);
  return core::Error::upstream_error("every provider attempt failed: " + detail);
}

boost::asio::awaitable<std::optional<ProviderAnswer>> KeyAttempts::run(const catalog::Provider& provider,
                                                                      const ProviderCall& call,
                                                                      const std::vector<gateway::KeyChoice>& choices) {
  bool body_spent = false;  // a streamed body went (partly) upstream: no other key can be tried
  for (const auto& choice : choices) {
    const store::KeyRecord& key = *choice.key;
    const std::string label = key_label(provider, key, choice.credential);
    if (body_spent) {
      tally_.skipped.push_back(label + ": not tried, the streamed request body cannot be sent twice");
      continue;
    }
    if (!gateway_.breaker.allows(key.id)) {
      count_fallback("circuit_open");
      tally_.skipped.push_back(label + ": cooling down");
      continue;
    }
    // Decrypting never blocks this I/O thread: what would (a keyring reload, recording a tampered
    // key) runs on the worker pool.
    auto opening = gateway_.services.keys.open_secret_now(caller_, key);
    if (opening.pending != vault::SlowStep::none)
      opening.secret = co_await offload(gateway_.services.blocking, [this, &key, step = opening.pending] {
        return gateway_.services.keys.finish_open(caller_, key, step);
      });
    auto& secret = opening.secret;
    if (!secret) {
      // Tampered: audited and taken out of service by finish_open(). Unavailable (OpenSSL failed, or
      // a master version not loaded yet): the key is untouched. Either way the next key may work.
      const bool transient = secret.error().code == core::Errc::unavailable;
      count_fallback(transient ? "decrypt_unavailable" : "undecryptable");
      tally_.reasons.push_back(label + (transient ? ": cannot be decrypted right now" : ": cannot be decrypted"));
      ++(transient ? tally_.unavailable : tally_.other_failures);
      ++tally_.attempts;
      continue;
    }

    gateway::UpstreamRequest request;
    request.method = call.method;
    request.url = call.url;
    request.headers = call.headers;
    // The operator's key never goes with the client's account scoping.
    if (choice.credential == gateway::Credential::operator_default) gateway::drop_account_request_headers(request.headers, provider);
    std::shared_ptr<WatchedBody> watched;
    if (call.body_source) {
      watched = std::make_shared<WatchedBody>(call.body_source);
      request.body_source = watched;
    } else {
      request.body = call.body;
    }
    gateway::inject_key(provider, secret->reveal_text(), request.headers, request.url);
    ++tally_.attempts;
    const auto started = std::chrono::steady_clock::now();
    auto opened = co_await gateway_.upstream.open(std::move(request));
    const auto latency = std::chrono::steady_clock::now() - started;  // to the answer's head
    if (watched) {
      if (watched->error()) {
        tally_.client_body_error = *watched->error();
        co_return std::nullopt;
      }
      body_spent = watched->touched();
    }

    if (!opened) {
      transport_failure(provider, call, choice, opened.error(), secret->reveal_text(), latency);
      continue;
    }
    const int status = opened->status();
    if (status >= 200 && status < 300) {
      // Read as far as failing over needs: a break before any byte reached the client is the
      // transport's failure like a connect error, and the next key serves the call.
      auto start = co_await read_start(call, *opened);
      if (!start) {
        transport_failure(provider, call, choice, start.error(), secret->reveal_text(), latency);
        continue;
      }
      count_upstream(provider, "ok", latency);
      gateway_.breaker.record_success(key.id);
      ProviderAnswer answer{std::move(*opened), std::move(*start), {}, &key, choice.credential};
      co_return answer;
    }

    auto raw = co_await opened->read_rest(gateway_.settings.max_error_body_bytes);
    if (!raw) {
      transport_failure(provider, call, choice, raw.error(), secret->reveal_text(), latency);
      continue;
    }
    // A compressed answer is read like a plain one: a rejection must be seen, an echoed key scrubbed.
    auto decoded = gateway::decode_body(opened->headers().get("Content-Encoding").value_or(""), *raw,
                                        gateway_.settings.max_error_body_bytes);
    core::wipe_memory(raw->data(), raw->size());
    if (!decoded) {
      transport_failure(provider, call, choice, decoded.error(), secret->reveal_text(), latency);
      continue;
    }
    std::string error_body = std::move(*decoded);
    count_upstream(provider,
                   status == 429   ? "rate_limited"
                   : status >= 500 ? "server_error"
                                   : "client_error",
                   latency);
    gateway::scrub_secret(error_body, secret->reveal_text());
    const auto verdict = gateway::classify(provider, status, opened->headers(), error_body);
    const std::string message = gateway::redact(verdict.message, secret->reveal_text());
    switch (verdict.verdict) {
      case gateway::Verdict::invalid: {
        ++tally_.other_failures;
        count_fallback("invalid_key");
        record_failure(provider, call, key, choice.credential, status);
        // Only a request keyrelay built, with the user's own key, proves the key bad by itself.
        const bool trusted_verdict = call.route != "proxy" && choice.credential == gateway::Credential::user;
        if (trusted_verdict) {
          tally_.reasons.push_back(label + ": rejected by the provider (" + std::to_string(status) + ")");
          co_await mark_invalid(provider, key, status, message);
        } else {
          tally_.reasons.push_back(label + ": refused by the provider (" + std::to_string(status) + ": " + message +
                                   "); the key is being re-checked");
          if (gateway_.recheck != nullptr) {
            const boost::asio::any_io_executor executor = co_await boost::asio::this_coro::executor;
            gateway_.recheck->suspect(provider, key, caller_.request_id.value_or(""), executor);
          }
        }
        continue;
      }
      case gateway::Verdict::rate_limited:
        gateway_.breaker.record_failure(key.id);
        ++tally_.rate_limited;
        count_fallback("rate_limited");
        if (verdict.retry_after && (!tally_.min_retry_after || *verdict.retry_after < *tally_.min_retry_after))
          tally_.min_retry_after = verdict.retry_after;
        tally_.reasons.push_back(label + ": rate limited");
        record_failure(provider, call, key, choice.credential, status);
        continue;
      case gateway::Verdict::out_of_credit:
        ++tally_.other_failures;
        count_fallback("out_of_credit");
        tally_.reasons.push_back(label + ": out of credit");
        record_failure(provider, call, key, choice.credential, status);
        continue;
      case gateway::Verdict::valid:
      case gateway::Verdict::error:
        break;
    }
    if (status >= 500 || status == 408) {
      gateway_.breaker.record_failure(key.id);
      ++tally_.other_failures;
      count_fallback("server_error");
      tally_.reasons.push_back(label + ": provider error " + std::to_string(status));
      record_failure(provider, call, key, choice.credential, status);
      continue;
    }
    // A 4xx about the request itself: another key would get the same answer.
    gateway_.breaker.record_success(key.id);
    ProviderAnswer answer{std::move(*opened), {}, std::move(error_body), &key, choice.credential};
    co_return answer;
  }
  co_return std::nullopt;
}

boost::asio::awaitable<core::Result<std::string>> KeyAttempts::read_start(const ProviderCall& call,
                                                                         gateway::UpstreamStream& answer) {
  if (call.read == ProviderCall::Read::whole) co_return co_await answer.read_rest(gateway_.settings.max_response_bytes);
  const http::Headers& headers = answer.headers();
  const auto length = headers.get("Content-Length");
  const bool compressed = !headers.get("Content-Encoding").value_or("").empty();
  const bool event_stream = headers.get("Content-Type").value_or("").starts_with("text/event-stream");
  // A body of announced, modest length is a buffered answer: read it whole, so that a break
  // anywhere in it still fails over.
  if (length && !event_stream) {
    std::size_t announced = 0;
    const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), announced);
    if (ec == std::errc{} && end == length->data() + length->size() && announced <= gateway_.settings.max_buffered_answer_bytes)
      co_return co_await answer.read_rest(gateway_.settings.max_buffered_answer_bytes);
  }
  // A stream: its first event (a plain or compressed piece of a body of unknown length), so the
  // client still gets each event as soon as it is ready.
  std::string start;
  while (!answer.done()) {
    auto piece = co_await answer.read_some();
    if (!piece) co_return piece.error();
    start.append(*piece);
    if (!event_stream || compressed) {
      if (!start.empty()) break;
      continue;
    }
    if (start.find("\n\n") != std::string::npos || start.find("\r\n\r\n") != std::string::npos ||
        start.size() >= gateway_.settings.max_buffered_answer_bytes)
      break;
  }
  co_return start;
}

void KeyAttempts::transport_failure(const catalog::Provider& provider, const ProviderCall& call,
                                    const gateway::KeyChoice& choice, const core::Error& error, std::string_view secret,
                                    std::chrono::nanoseconds latency) {
  const store::KeyRecord& key = *choice.key;
  gateway_.breaker.record_failure(key.id);
  const bool timed_out = error.code == core::Errc::upstream_timeout;
  count_upstream(provider, timed_out ? "timeout" : "transport_error", latency);
  count_fallback(timed_out ? "timeout" : "transport");
  if (timed_out) ++tally_.timeouts;
  else ++tally_.other_failures;
  tally_.reasons.push_back(key_label(provider, key, choice.credential) + ": " + gateway::redact(error.message, secret));
  record_failure(provider, call, key, choice.credential, std::nullopt);
}

void alert_no_usable_key(Services& services, const audit::Actor& caller, std::string_view provider,
                         const std::string& why) {
  monitor::AlertSpec alert;
  alert.rule = "gateway.no_usable_key";
  alert.severity = store::AlertSeverity::info;
  alert.user_id = caller.user_id;
  alert.provider = std::string(provider);
  alert.message = "A request could not be served: " + why.substr(0, 200);
  raise_alert_later(services, std::move(alert), caller);
}

boost::asio::awaitable<core::Result<vault::KeyCache::Snapshot>> key_snapshot(GatewayServices& gateway,
                                                                             const std::string& owner_id) {
  if (auto cached = gateway.cache.cached(owner_id)) co_return cached;
  co_return co_await offload(gateway.services.blocking, [&gateway, &owner_id]() -> core::Result<vault::KeyCache::Snapshot> {
    auto snapshot = gateway.cache.keys_of(owner_id);
    if (!snapshot) return snapshot.error();
    if (auto prepared = gateway.services.keys.prepare_owner(owner_id); !prepared) return prepared.error();
    return snapshot;
  });
}

void KeyAttempts::count_fallback(std::string_view reason) {
  if (gateway_.services.metrics != nullptr) gateway_.services.metrics->fallback(reason);
}

void KeyAttempts::count_upstream(const catalog::Provider& provider, std::string_view outcome,
                                 std::chrono::nanoseconds latency) {
  if (gateway_.services.metrics != nullptr) gateway_.services.metrics->upstream_request(provider.id, outcome, latency);
}

gateway::KeyUse KeyAttempts::use_of(const catalog::Provider& provider, const ProviderCall& call,
                                    const store::KeyRecord& key, gateway::Credential credential) const {
  gateway::KeyUse use;
  use.caller = caller_;
  use.key_id = key.id;
  use.key_owner_id = key.owner_id;
  use.provider = provider.id;
  use.credential = std::string(gateway::credential_name(credential));
  use.route = call.route;
  use.model = call.model;
  return use;
}

gateway::KeyUse KeyAttempts::use_of(const catalog::Provider& provider, const ProviderCall& call,
                                    const ProviderAnswer& answer) const {
  return use_of(provider, call, *answer.key, answer.credential);
}

void KeyAttempts::record_failure(const catalog::Provider& provider, const ProviderCall& call,
                                 const store::KeyRecord& key, gateway::Credential credential,
                                 std::optional<int> http_status) {
  gateway::KeyUse use = use_of(provider, call, key, credential);
  use.http_status = http_status;
  use.error = true;
  gateway_.usage.record(std::move(use));
}

// Rare (a key just stopped working), so awaiting the store here is fine: the key is marked invalid
// and the owner alerted before the next request could pick it again.
boost::asio::awaitable<void> KeyAttempts::mark_invalid(const catalog::Provider& provider, const store::KeyRecord& key,
                                                       int http_status, const std::string& message) {
  Services& services = gateway_.services;
  const audit::Actor& caller = caller_;
  co_await offload(services.blocking, [&services, &caller, &provider, &key, http_status, &message] {
    record_rejection(services, caller, provider, key, http_status, message, "gateway");
  });
}

}  // namespace keyrelay::api
