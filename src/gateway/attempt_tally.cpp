#include "gateway/attempt_tally.h"

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

}  // namespace

core::Error AttemptTally::final_error() const {
  if (client_body_error) return *client_body_error;
  if (attempts == 0 && spend_refusal) return *spend_refusal;
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

}  // namespace keyrelay::gateway
