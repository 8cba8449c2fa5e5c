#pragma once
// A call's reservation against the spend caps that apply to it (dispatcher_ports.h, SpendGuard):
// held while the call runs, settled to what the call really cost once its use is recorded.

#include <cstdint>
#include <optional>

namespace keyrelay::gateway {

class SpendHold {
 public:
  // An implementation releases a reservation that was never settled (a call abandoned on the way).
  virtual ~SpendHold() = default;
  // The call ended having cost `micro_usd`; nullopt when its cost is unknown (no price, or an answer
  // without usage figures): the reservation then counts as spent, the safe side of a cap. Only the
  // first call counts. Never blocks.
  virtual void settle(std::optional<std::int64_t> micro_usd) noexcept = 0;
};

}  // namespace keyrelay::gateway
