#pragma once
// Hands a wire's token usage to the KeyUse that books it.

#include "gateway/key_use.h"
#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway {

inline void record_tokens(KeyUse& use, const TokenUsage& tokens) noexcept {
  use.input_tokens = tokens.input_tokens;
  use.output_tokens = tokens.output_tokens;
  use.cached_input_tokens = tokens.cached_input_tokens;
  use.cache_write_tokens = tokens.cache_write_tokens;
  use.usage_reported = tokens.reported;
}

}  // namespace keyrelay::gateway
