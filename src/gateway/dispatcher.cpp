#include "gateway/dispatcher.h"

namespace keyrelay::gateway {
namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

Dispatched answered(ProviderAnswer answer, const KeyAttempts& attempts) {
  Dispatched out;
  out.answer = std::move(answer);
  out.attempts = attempts.tally().attempts;
  out.upstream_time = attempts.upstream_time();
  return out;
}

Dispatched failed(core::Error error, const KeyAttempts* attempts) {
  Dispatched out;
  out.error = std::move(error);
  if (attempts != nullptr) {
    out.attempts = attempts->tally().attempts;
    out.upstream_time = attempts->upstream_time();
  }
  return out;
}

}  // namespace

boost::asio::awaitable<core::Result<KeySets>> Dispatcher::key_sets(const Actor& actor) {
  KeySets sets;
  auto user = co_await parts_.keys.keys_of(actor.user_id);
  if (!user) co_return user.error();
  sets.user = std::move(*user);
  if (settings_.default_key_fallback) {
    auto defaults = co_await parts_.keys.keys_of(settings_.system_user_id);
    if (!defaults) co_return defaults.error();
    sets.defaults = std::move(*defaults);
  }
  co_return sets;
}

std::vector<KeyChoice> Dispatcher::choices(const KeySets& keys, std::string_view provider) const {
  return choose_keys(*keys.user, keys.defaults.get(), provider, parts_.clock.now());
}

boost::asio::awaitable<Dispatched> Dispatcher::dispatch(const Actor& actor, const std::vector<Route>& routes,
                                                        const CallBuilder& build) {
  auto keys = co_await key_sets(actor);
  if (!keys) co_return failed(keys.error(), nullptr);

  KeyAttempts attempts(parts_, settings_, actor);
  std::vector<std::string> unusable;  // routes with no usable key or no way to say the request
  std::optional<core::Error> untranslatable;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const catalog::Provider& provider = *routes[i].provider;
    const std::string& requested = routes[i].requested;
    const auto candidates = choices(*keys, provider.id);
    if (candidates.empty()) {
      const std::string why = why_no_usable_key(*keys->user, provider.id, parts_.clock.now());
      unusable.push_back(requested.empty() ? why : requested + ": " + why);
      continue;
    }
    auto call = build(i);
    if (!call) {
      if (!untranslatable) untranslatable = call.error();
      unusable.push_back(requested + ": " + call.error().message);
      continue;
    }
    auto answer = co_await attempts.run(provider, *call, candidates);
    if (answer) co_return answered(std::move(*answer), attempts);
    if (attempts.tally().client_body_error) break;  // the client's fault: no other route helps
  }

  const AttemptTally& tally = attempts.tally();
  if (tally.attempts == 0 && tally.skipped.empty() && !tally.client_body_error && !tally.spend_refusal &&
      !unusable.empty()) {
    if (untranslatable && unusable.size() == 1) co_return failed(*untranslatable, &attempts);
    const std::string why = join(unusable, "; ");
    parts_.alerts.no_usable_key(actor, routes.front().provider->id, why);
    co_return failed(core::Error::no_usable_key(routes.front().requested.empty() ? why : "no usable key: " + why),
                     &attempts);
  }
  core::Error error = tally.final_error();
  if (!unusable.empty()) error.message += "; " + join(unusable, "; ");
  co_return failed(std::move(error), &attempts);
}

boost::asio::awaitable<Dispatched> Dispatcher::try_keys(const Actor& actor, const catalog::Provider& provider,
                                                        const ProviderCall& call,
                                                        const std::vector<KeyChoice>& choices) {
  KeyAttempts attempts(parts_, settings_, actor);
  auto answer = co_await attempts.run(provider, call, choices);
  if (answer) co_return answered(std::move(*answer), attempts);
  co_return failed(attempts.tally().final_error(), &attempts);
}

}  // namespace keyrelay::gateway
