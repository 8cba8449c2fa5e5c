#pragma once
// The limits and policy a dispatch works under (KEYRELAY_DEFAULT_KEY_FALLBACK and the gateway's
// body limits).

#include <cstddef>
#include <string>

namespace keyrelay::gateway {

struct DispatchSettings {
  // The operator's default keys (owned by `system_user_id`) may serve a user without a usable key.
  bool default_key_fallback = false;
  std::string system_user_id;
  std::size_t max_response_bytes = 16 * 1024 * 1024;  // a plain (non-streamed) answer read whole
  std::size_t max_error_body_bytes = 64 * 1024;        // a provider's error answer we read
  // A 2xx answer whose announced length is at most this is read whole before anything is relayed
  // (a break anywhere in it fails over); a stream's first event is held back at most this long.
  std::size_t max_buffered_answer_bytes = 1024 * 1024;
};

}  // namespace keyrelay::gateway
