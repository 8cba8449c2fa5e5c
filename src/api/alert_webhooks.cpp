#include "api/alert_webhooks.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>

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
  State(net::any_io_executor ex, std::unique_ptr<gateway::UpstreamClient> c, WebhookOptions o, const core::Clock& clk,
        monitor::WebhookQueue* q)
      : executor(std::move(ex)), client(std::move(c)), options(std::move(o)), clock(clk), queue(q) {}

  net::any_io_executor executor;
  std::unique_ptr<gateway::UpstreamClient> client;
  const WebhookOptions options;
  const core::Clock& clock;
  monitor::WebhookDeliveryLog log;  // deliveries run in memory
  monitor::WebhookQueue* const queue;  // shared with the other nodes, or null

  // The pump's wake-up: a new delivery was queued, or the server stops.
  std::mutex pump_mutex;
  std::condition_variable pump_wake;
  bool pump_woken = false;
  bool stopping = false;
};

namespace {

gateway::UpstreamRequest signed_request(const AlertWebhooks::State& state, const std::string& id,
                                        const std::string& event, const std::string& url, const std::string& body) {
  gateway::UpstreamRequest request;
  request.method = "POST";
  request.url = url;
  request.headers.set("Content-Type", "application/json");
  request.headers.set("User-Agent", "keyrelay-webhooks/" KEYRELAY_VERSION);
  request.headers.set("X-Keyrelay-Event", event);
  request.headers.set("X-Keyrelay-Delivery", id);
  // Signed afresh each attempt: the timestamp says when this attempt was sent.
  request.headers.set("X-Keyrelay-Signature", monitor::sign_webhook(state.options.secret, state.clock.now(), body));
  request.body = body;
  return request;
}

// One attempt of a delivery claimed from the shared queue; its outcome goes back to the queue.
net::awaitable<void> attempt_claimed(std::shared_ptr<AlertWebhooks::State> state, monitor::ClaimedDelivery claimed) {
  const auto& d = claimed.delivery;
  auto answer = co_await state->client->fetch(signed_request(*state, d.id, d.event, d.url, claimed.body));
  monitor::DeliveryOutcome outcome;
  const bool delivered = answer && answer->status >= 200 && answer->status < 300;
  const bool last = d.attempts >= state->options.max_attempts;
  outcome.state = delivered ? monitor::DeliveryState::delivered
                  : last    ? monitor::DeliveryState::failed
                            : monitor::DeliveryState::pending;
  outcome.status = answer ? std::optional<int>(answer->status) : std::nullopt;
  outcome.error = answer ? std::string() : answer.error().message;
  outcome.retry_in = monitor::webhook_backoff(d.attempts, state->options.backoff_base);
  // One short round trip on this I/O thread, as the rate-limit check makes on every request.
  auto recorded = state->queue->finish(claimed, outcome);
  if (!recorded)
    logging::warn("webhook attempt not recorded; it is retried when its lease runs out",
                  {{"delivery_id", d.id}, {"error", recorded.error().message}});
  else if (!*recorded)
    logging::warn("webhook lease ran out before the attempt ended; another node took the delivery over",
                  {{"delivery_id", d.id}});
  if (outcome.state == monitor::DeliveryState::failed)
    logging::warn("webhook delivery given up", {{"delivery_id", d.id}, {"receiver", url_origin(d.url)}, {"attempts", d.attempts}});
}

// The pump of the shared queue: claims every due delivery, then sleeps until woken or the poll
// interval has passed. Runs on its own thread: claiming is a blocking Redis call.
void run_pump(const std::shared_ptr<AlertWebhooks::State>& state) {
  std::unique_lock lock(state->pump_mutex);
  while (!state->stopping) {
    state->pump_woken = false;
    lock.unlock();
    while (true) {
      auto claimed = state->queue->claim(state->options.lease);
      if (!claimed || !*claimed) break;
      net::co_spawn(net::make_strand(state->executor), attempt_claimed(state, std::move(**claimed)), net::detached);
    }
    lock.lock();
    state->pump_wake.wait_for(lock, state->options.poll_interval, [&] { return state->stopping || state->pump_woken; });
  }
}

// One delivery to one URL, attempt after attempt. Holds the state so that it outlives the server.
net::awaitable<void> deliver(std::shared_ptr<AlertWebhooks::State> state, std::string id, std::string event,
                             std::string url, std::string body) {
  const auto& options = state->options;
  net::steady_timer pause(co_await net::this_coro::executor);
  for (unsigned attempt = 1; attempt <= options.max_attempts; ++attempt) {
    auto answer = co_await state->client->fetch(signed_request(*state, id, event, url, body));
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
                             WebhookOptions options, const core::Clock& clock, monitor::WebhookQueue* queue)
    : state_(std::make_shared<State>(std::move(executor), std::move(client), std::move(options), clock, queue)) {
  if (queue != nullptr) pump_ = std::thread([state = state_] { run_pump(state); });
}

AlertWebhooks::~AlertWebhooks() {
  {
    std::lock_guard lock(state_->pump_mutex);
    state_->stopping = true;
  }
  state_->pump_wake.notify_all();
  if (pump_.joinable()) pump_.join();
}

void AlertWebhooks::alert_raised(const store::AlertRecord& alert) noexcept {
  // A repeat coalesced into the open alert is news about that alert, not a new one.
  send(alert, alert.count > 1 ? "alert.updated" : "alert.raised");
}

void AlertWebhooks::alert_resolved(const store::AlertRecord& alert) noexcept { send(alert, "alert.resolved"); }

void AlertWebhooks::send(const store::AlertRecord& alert, std::string_view event) noexcept {
  try {
    for (const auto& url : state_->options.urls) {
      std::size_t pending = state_->log.pending();
      if (state_->queue != nullptr)
        if (auto shared = state_->queue->pending()) pending += *shared;
      if (pending >= state_->options.max_pending) {
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
      if (state_->queue != nullptr) {
        if (auto queued = state_->queue->add(d, body)) {
          {
            std::lock_guard lock(state_->pump_mutex);
            state_->pump_woken = true;
          }
          state_->pump_wake.notify_all();
          continue;
        } else {
          logging::warn("webhook queue unreachable: this delivery runs in this node's memory",
                        {{"delivery_id", id}, {"error", queued.error().message}});
        }
      }
      state_->log.add(std::move(d));
      net::co_spawn(net::make_strand(state_->executor), deliver(state_, id, std::string(event), url, std::move(body)),
                    net::detached);
    }
  } catch (const std::exception& e) {
    logging::error("webhook delivery not started", {{"alert_id", alert.id}, {"error", e.what()}});
  }
}

std::vector<monitor::WebhookDelivery> AlertWebhooks::recent(std::size_t limit) const {
  auto out = state_->log.recent(limit);
  if (state_->queue == nullptr) return out;
  auto shared = state_->queue->recent(limit);
  if (!shared) {
    logging::warn("webhook queue unreachable: listing this node's deliveries only", {{"error", shared.error().message}});
    return out;
  }
  out.insert(out.end(), shared->begin(), shared->end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace keyrelay::api
