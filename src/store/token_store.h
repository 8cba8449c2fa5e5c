#pragma once
// TokenStore: access tokens (stored as hashes) and their last use.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  virtual core::Result<void> create_token(const TokenRecord& token, AuditEvent event) = 0;
  virtual core::Result<TokenRecord> find_token(std::string_view id) = 0;
  virtual core::Result<TokenRecord> find_token_by_hash(core::ByteView hash) = 0;
  // All tokens, or those of `user_id`; ordered by creation.
  virtual core::Result<Page<TokenRecord>> list_tokens(std::optional<std::string_view> user_id,
                                                      const PageRequest& page) = 0;
  // Sets revoked_at (idempotent: an already revoked token keeps its time). not_found when the
  // token does not exist or, with `user_id`, belongs to someone else.
  virtual core::Result<TokenRecord> revoke_token(std::string_view id, std::optional<std::string_view> user_id,
                                                 TimePoint at, AuditEvent event) = 0;
  // Records last use of many tokens at once (batched off the request path). Unknown ids are ignored.
  virtual core::Result<void> touch_tokens(const std::vector<std::pair<std::string, TimePoint>>& uses) = 0;
};

}  // namespace keyrelay::store
