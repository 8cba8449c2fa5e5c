#include "gateway/key_attempts.h"

#include <charconv>

#include <boost/asio/this_coro.hpp>

#include "core/secret.h"
#include "gateway/answer_classifier.h"
#include "gateway/content_decoding.h"
#include "gateway/key_injection.h"
#include "gateway/proxy_rules.h"

namespace keyrelay::gateway {
namespace {

std::string key_label(const catalog::Provider& provider, const KeyChoice& choice) {
  return provider.id + (choice.credential == Credential::user ? " key '" : " default key '") + choice.key->name + "'";
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

boost::asio::awaitable<std::optional<ProviderAnswer>> KeyAttempts::run(const catalog::Provider& provider,
                                                                      const ProviderCall& call,
                                                                      const std::vector<KeyChoice>& choices) {
  bool body_spent = false;  // a streamed body went (partly) upstream: no other key can be tried
  for (const auto& choice : choices) {
    if (body_spent) {
      tally_.skipped.push_back(key_label(provider, choice) + ": not tried, the streamed request body cannot be sent twice");
      continue;
    }
    if (!parts_.breaker.allows(choice.key->id)) {
      count_fallback("circuit_open");
      tally_.skipped.push_back(key_label(provider, choice) + ": cooling down");
      continue;
    }
    if (!co_await reserve_spend(provider, call, choice)) continue;
    auto answer = co_await attempt(provider, call, choice, body_spent);
    hold_.reset();  // a failed attempt's use settled it already; an unrecorded one releases it here
    if (answer || tally_.client_body_error) co_return answer;
  }
  co_return std::nullopt;
}

boost::asio::awaitable<std::optional<ProviderAnswer>> KeyAttempts::attempt(const catalog::Provider& provider,
                                                                          const ProviderCall& call,
                                                                          const KeyChoice& choice, bool& body_spent) {
  const store::KeyRecord& key = *choice.key;
  auto secret = co_await parts_.secrets.open(actor_, key);
  if (!secret) {
    // Tampered: audited and taken out of service by the opener. Unavailable (OpenSSL failed, or a
    // master version not loaded yet): the key is untouched. Either way the next key may work.
    const bool transient = secret.error().code == core::Errc::unavailable;
    count_fallback(transient ? "decrypt_unavailable" : "undecryptable");
    tally_.reasons.push_back(key_label(provider, choice) +
                             (transient ? ": cannot be decrypted right now" : ": cannot be decrypted"));
    ++(transient ? tally_.unavailable : tally_.other_failures);
    ++tally_.attempts;
    co_return std::nullopt;
  }

  UpstreamRequest request;
  request.method = call.method;
  request.url = call.url;
  request.headers = call.headers;
  // The operator's key never goes with the client's account scoping.
  if (choice.credential == Credential::operator_default) drop_account_request_headers(request.headers, provider);
  std::shared_ptr<WatchedBody> watched;
  if (call.body_source) {
    watched = std::make_shared<WatchedBody>(call.body_source);
    request.body_source = watched;
  } else {
    request.borrowed_body = call.body;  // `call` outlives the attempt; each key sends the same bytes
  }
  // The injection point: the only place the plaintext leaves its Secret.
  inject_key(provider, secret->reveal_text(), request.headers, request.url);
  ++tally_.attempts;
  const auto started = std::chrono::steady_clock::now();
  auto opened = co_await parts_.upstream.open(std::move(request));
  const auto latency = std::chrono::steady_clock::now() - started;  // to the answer's head
  upstream_time_ += latency;
  if (watched) {
    if (watched->error()) {
      tally_.client_body_error = *watched->error();
      co_return std::nullopt;
    }
    body_spent = watched->touched();
  }
  if (!opened) {
    transport_failure(provider, call, choice, opened.error(), secret->reveal_text(), latency);
    co_return std::nullopt;
  }
  const int status = opened->status();
  if (status < 200 || status >= 300)
    co_return co_await judge_refusal(provider, call, choice, std::move(*opened), secret->reveal_text(), latency);

  // Read as far as failing over needs: a break before any byte reached the client is the
  // transport's failure like a connect error, and the next key serves the call.
  const auto reading = std::chrono::steady_clock::now();
  auto start = co_await read_start(call, *opened);
  upstream_time_ += std::chrono::steady_clock::now() - reading;
  if (!start) {
    transport_failure(provider, call, choice, start.error(), secret->reveal_text(), latency);
    co_return std::nullopt;
  }
  count_upstream(provider, "ok", latency);
  parts_.breaker.record_success(key.id);
  co_return ProviderAnswer{&provider, std::move(*opened), std::move(*start), {}, choice.credential,
                           use_of(provider, call, choice)};
}

boost::asio::awaitable<std::optional<ProviderAnswer>> KeyAttempts::judge_refusal(
    const catalog::Provider& provider, const ProviderCall& call, const KeyChoice& choice, UpstreamStream opened,
    std::string_view secret, std::chrono::nanoseconds latency) {
  const store::KeyRecord& key = *choice.key;
  const int status = opened.status();
  const auto reading = std::chrono::steady_clock::now();
  auto raw = co_await opened.read_rest(settings_.max_error_body_bytes);
  upstream_time_ += std::chrono::steady_clock::now() - reading;
  if (!raw) {
    transport_failure(provider, call, choice, raw.error(), secret, latency);
    co_return std::nullopt;
  }
  // A compressed answer is read like a plain one: a rejection must be seen, an echoed key scrubbed.
  auto decoded = decode_body(opened.headers().get("Content-Encoding").value_or(""), *raw, settings_.max_error_body_bytes);
  core::wipe_memory(raw->data(), raw->size());
  if (!decoded) {
    transport_failure(provider, call, choice, decoded.error(), secret, latency);
    co_return std::nullopt;
  }
  std::string error_body = std::move(*decoded);
  count_upstream(provider, status == 429 ? "rate_limited" : status >= 500 ? "server_error" : "client_error", latency);
  scrub_secret(error_body, secret);
  const auto verdict = classify(provider, status, opened.headers(), error_body);
  const std::string message = redact(verdict.message, secret);
  const std::string label = key_label(provider, choice);
  switch (verdict.verdict) {
    case Verdict::invalid: {
      ++tally_.other_failures;
      count_fallback("invalid_key");
      record_failure(provider, call, choice, status);
      // Only a request keyrelay built, with the user's own key, proves the key bad by itself.
      if (!is_passed_through(call.route) && choice.credential == Credential::user) {
        tally_.reasons.push_back(label + ": rejected by the provider (" + std::to_string(status) + ")");
        co_await parts_.alerts.key_rejected(actor_, provider, key, status, message);
      } else {
        tally_.reasons.push_back(label + ": refused by the provider (" + std::to_string(status) + ": " + message +
                                 "); the key is being re-checked");
        parts_.alerts.key_suspected(actor_, provider, key, co_await boost::asio::this_coro::executor);
      }
      co_return std::nullopt;
    }
    case Verdict::rate_limited:
      parts_.breaker.record_failure(key.id);
      ++tally_.rate_limited;
      count_fallback("rate_limited");
      if (verdict.retry_after && (!tally_.min_retry_after || *verdict.retry_after < *tally_.min_retry_after))
        tally_.min_retry_after = verdict.retry_after;
      tally_.reasons.push_back(label + ": rate limited");
      record_failure(provider, call, choice, status);
      co_return std::nullopt;
    case Verdict::out_of_credit:
      ++tally_.other_failures;
      count_fallback("out_of_credit");
      tally_.reasons.push_back(label + ": out of credit");
      record_failure(provider, call, choice, status);
      co_return std::nullopt;
    case Verdict::valid:
    case Verdict::error:
      break;
  }
  if (status >= 500 || status == 408) {
    parts_.breaker.record_failure(key.id);
    ++tally_.other_failures;
    count_fallback("server_error");
    tally_.reasons.push_back(label + ": provider error " + std::to_string(status));
    record_failure(provider, call, choice, status);
    co_return std::nullopt;
  }
  // A 4xx about the request itself: another key would get the same answer.
  parts_.breaker.record_success(key.id);
  co_return ProviderAnswer{&provider, std::move(opened), {}, std::move(error_body), choice.credential,
                           use_of(provider, call, choice)};
}

boost::asio::awaitable<core::Result<std::string>> KeyAttempts::read_start(const ProviderCall& call,
                                                                         UpstreamStream& answer) {
  if (call.read == ProviderCall::Read::whole) co_return co_await answer.read_rest(settings_.max_response_bytes);
  const http::Headers& headers = answer.headers();
  const auto length = headers.get("Content-Length");
  const bool compressed = !headers.get("Content-Encoding").value_or("").empty();
  const bool event_stream = headers.get("Content-Type").value_or("").starts_with("text/event-stream");
  // A body of announced, modest length is a buffered answer: read it whole, so that a break
  // anywhere in it still fails over.
  if (length && !event_stream) {
    std::size_t announced = 0;
    const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), announced);
    if (ec == std::errc{} && end == length->data() + length->size() && announced <= settings_.max_buffered_answer_bytes)
      co_return co_await answer.read_rest(settings_.max_buffered_answer_bytes);
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
        start.size() >= settings_.max_buffered_answer_bytes)
      break;
  }
  co_return start;
}

void KeyAttempts::transport_failure(const catalog::Provider& provider, const ProviderCall& call,
                                    const KeyChoice& choice, const core::Error& error, std::string_view secret,
                                    std::chrono::nanoseconds latency) {
  parts_.breaker.record_failure(choice.key->id);
  const bool timed_out = error.code == core::Errc::upstream_timeout;
  count_upstream(provider, timed_out ? "timeout" : "transport_error", latency);
  count_fallback(timed_out ? "timeout" : "transport");
  if (timed_out) ++tally_.timeouts;
  else ++tally_.other_failures;
  tally_.reasons.push_back(key_label(provider, choice) + ": " + redact(error.message, secret));
  record_failure(provider, call, choice, std::nullopt);
}

void KeyAttempts::count_fallback(std::string_view reason) {
  if (parts_.metrics != nullptr) parts_.metrics->fallback(reason);
}

void KeyAttempts::count_upstream(const catalog::Provider& provider, std::string_view outcome,
                                 std::chrono::nanoseconds latency) {
  if (parts_.metrics != nullptr) parts_.metrics->upstream_request(provider.id, outcome, latency);
}

boost::asio::awaitable<bool> KeyAttempts::reserve_spend(const catalog::Provider& provider, const ProviderCall& call,
                                                       const KeyChoice& choice) {
  hold_.reset();
  if (parts_.spend == nullptr) co_return true;
  const SpendAsk ask{actor_, choice, provider, call};
  auto held = co_await parts_.spend->reserve(ask);
  if (held) {
    hold_ = std::move(*held);
    co_return true;
  }
  // Another key may still be within its caps (a fallback counts against the key actually used).
  count_fallback(held.error().code == core::Errc::spend_cap_exceeded ? "spend_cap" : "spend_state_unavailable");
  tally_.reasons.push_back(key_label(provider, choice) + ": " + held.error().message);
  if (!tally_.spend_refusal) tally_.spend_refusal = held.error();
  co_return false;
}

KeyUse KeyAttempts::use_of(const catalog::Provider& provider, const ProviderCall& call, const KeyChoice& choice) const {
  KeyUse use;
  use.caller = actor_;
  use.key_id = choice.key->id;
  use.key_owner_id = choice.key->owner_id;
  use.provider = provider.id;
  use.credential = std::string(credential_name(choice.credential));
  use.route = call.route;
  use.model = call.model;
  use.spend_hold = hold_;
  return use;
}

void KeyAttempts::record_failure(const catalog::Provider& provider, const ProviderCall& call, const KeyChoice& choice,
                                 std::optional<int> http_status) {
  KeyUse use = use_of(provider, call, choice);
  use.http_status = http_status;
  use.error = true;
  parts_.usage.record(std::move(use));
}

}  // namespace keyrelay::gateway
