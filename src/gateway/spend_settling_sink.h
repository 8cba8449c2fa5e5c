#pragma once
// SpendSettlingSink: the usage sink in front of the recorder that settles each use's spend-cap
// reservation (KeyUse::spend_hold) to what the use cost, then hands the use on. Every use the
// gateway books goes through it — failed attempts (cost 0: the reservation is released), answers
// relayed whole, streams when they end — so a reservation always ends with its call.
// Thread-safe when `next` is; never blocks (a hold that must talk to Redis posts that work).

#include <functional>
#include <optional>

#include "gateway/key_use.h"

namespace keyrelay::gateway {

class SpendSettlingSink final : public UsageSink {
 public:
  // `cost_of` prices a use (UsageRecorder::cost_of): nullopt when its cost is unknown.
  SpendSettlingSink(UsageSink& next, std::function<std::optional<std::int64_t>(const KeyUse&)> cost_of)
      : next_(next), cost_of_(std::move(cost_of)) {}

  void record(KeyUse use) override {
    if (use.spend_hold) {
      use.spend_hold->settle(cost_of_(use));
      use.spend_hold.reset();
    }
    next_.record(std::move(use));
  }

 private:
  UsageSink& next_;
  std::function<std::optional<std::int64_t>(const KeyUse&)> cost_of_;
};

}  // namespace keyrelay::gateway
