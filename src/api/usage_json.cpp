#include "api/usage_json.h"

namespace keyrelay::api {

namespace json = boost::json;

// cost_usd is the priced requests' cost; null when none of the row's requests was priced (an
// unknown cost is never shown as 0). unpriced_requests says how many requests it leaves out.
json::object usage_json(const store::UsageRow& r) {
  json::object o;
  if (r.day) o["day"] = *r.day;
  if (r.provider) o["provider"] = *r.provider;
  if (r.key_id) o["key_id"] = *r.key_id;
  if (r.model) o["model"] = r.model->empty() ? json::value(nullptr) : json::value(*r.model);
  o["requests"] = r.requests;
  o["input_tokens"] = r.input_tokens;
  o["output_tokens"] = r.output_tokens;
  o["errors"] = r.errors;
  const bool unpriced = r.unpriced_requests > 0 && r.unpriced_requests == r.requests;
  // A micro-dollar count converts to the nearest double of its USD value (exact to 1e-6 well past
  // any realistic total); the sum itself stayed an integer.
  o["cost_usd"] = unpriced ? json::value(nullptr) : json::value(static_cast<double>(r.cost_micro_usd) / 1e6);
  o["unpriced_requests"] = r.unpriced_requests;
  return o;
}
}  // namespace keyrelay::api
