#include "api/alert_webhooks.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/json/serialize.hpp>

#include "api/alert_json.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "logging/log.h"
#include "monitor/webhook_signature.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

std::string payload_of(const store::AlertRecord& alert, std::string_view event, std::string_view delivery_id,
                       store::TimePoint at) {
  return boost::json::serialize(boost::json::object{{"type", event},
                                                    {"delivery_id", delivery_id},
                                                    {"sent_at", core::format_rfc3339(at)},
                                                    {"alert", alert_json(alert)}});
}

}  // namespace

std::string url_origin(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "?";
  const auto path = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, path));
}

struct AlertWebhooks::State {
  State(net::any_io_executor ex, std::unique_ptr<gateway::UpstreamClient> c, WebhookOptions o, const core::Clock& clk)
      : executor(std::move(ex)), client(std::move(c)), options(std::move(o)), clock(clk) {}

  net::any_io_executor executor;
  std::unique_ptr<gateway::UpstreamClient> client;
  const WebhookOptions options;
  const core::Clock& clock;
  monitor::WebhookDeliveryLog log;
};

namespace {

// One delivery to one URL, attempt after attempt. Holds the state so that it outlives the server.
net::awaitable<void> deliver(std::shared_ptr<AlertWebhooks::State> state, std::string id, std::string event,
                             std::string url, std::string body) {
  const auto& options = state->options;
  net::steady_timer pause(co_await net::this_coro::executor);
  for (unsigned attempt = 1; attempt <= options.max_attempts; ++attempt) {
    gateway::UpstreamRequest request;
    request.method = "POST";
    request.url = url;
    request.headers.set("Content-Type", "application/json");
    request.headers.set("User-Agent", "keyrelay-webhooks/" KEYRELAY_VERSION);
    request.headers.set("X-Keyrelay-Event", event);
    request.headers.set("X-Keyrelay-Delivery", id);
    // Signed afresh each attempt: the timestamp says when this attempt was sent.
    request.headers.set("X-Keyrelay-Signature", monitor::sign_webhook(options.secret, state->clock.now(), body));
    request.body = body;
    auto answer = co_await state->client->fetch(std::move(request));
    const bool delivered = answer && answer->status >= 200 && answer->status < 300;
    const bool last = attempt == options.max_attempts;
    const auto wait = monitor::webhook_backoff(attempt, options.backoff_base);
    const auto now = state->clock.now();
    state->log.update(id, [&](monitor::WebhookDelivery& d) {
      d.attempts = attempt;
      d.last_status = answer ? std::optional<int>(answer->status) : std::nullopt;
      d.last_error = answer ? std::string() : answer.error().message;
      if (delivered || last) {
        d.state = delivered ? monitor::DeliveryState::delivered : monitor::DeliveryState::failed;
        d.finished_at = now;
        d.next_attempt_at.reset();
      } else {
        d.next_attempt_at = now + wait;
      }
    });
    if (delivered) co_return;
    if (last) {
      logging::warn("webhook delivery given up",
                    {{"delivery_id", id}, {"receiver", url_origin(url)}, {"attempts", attempt}});
      co_return;
    }
    pause.expires_after(wait);
    auto [ec] = co_await pause.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return;  // shutting down
  }
}

}  // namespace

AlertWebhooks::AlertWebhooks(net::any_io_executor executor, std::unique_ptr<gateway::UpstreamClient> client,
                             WebhookOptions options, const core::Clock& clock)
    : state_(std::make_shared<State>(std::move(executor), std::move(client), std::move(options), clock)) {}

AlertWebhooks::~AlertWebhooks() = default;

void AlertWebhooks::alert_raised(const store::AlertRecord& alert) noexcept {
  // A repeat coalesced into the open alert is news about that alert, not a new one.
  send(alert, alert.count > 1 ? "alert.updated" : "alert.raised");
}

void AlertWebhooks::alert_resolved(const store::AlertRecord& alert) noexcept { send(alert, "alert.resolved"); }

void AlertWebhooks::send(const store::AlertRecord& alert, std::string_view event) noexcept {
  try {
    for (const auto& url : state_->options.urls) {
      if (state_->log.pending() >= state_->options.max_pending) {
        logging::error("webhook delivery dropped: too many pending",
                       {{"alert_id", alert.id}, {"receiver", url_origin(url)}});
        continue;
      }
      const auto now = state_->clock.now();
      monitor::WebhookDelivery d;
      d.id = core::uuid_v7(now);
      d.alert_id = alert.id;
      d.event = std::string(event);
      d.rule = alert.rule;
      d.url = url;
      d.created_at = now;
      d.next_attempt_at = now;
      std::string body = payload_of(alert, event, d.id, now);
      const std::string id = d.id;
      state_->log.add(std::move(d));
      net::co_spawn(net::make_strand(state_->executor), deliver(state_, id, std::string(event), url, std::move(body)),
                    net::detached);
    }
  } catch (const std::exception& e) {
    logging::error("webhook delivery not started", {{"alert_id", alert.id}, {"error", e.what()}});
  }
}

std::vector<monitor::WebhookDelivery> AlertWebhooks::recent(std::size_t limit) const { return state_->log.recent(limit); }

}  // namespace keyrelay::api
