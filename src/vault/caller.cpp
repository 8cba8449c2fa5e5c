#include "vault/caller.h"

#include "core/ids.h"

namespace keyrelay::vault {

store::AuditEvent audit_event(const Caller& caller, const core::Clock& clock, std::string_view chain,
                              std::string_view action, store::Outcome outcome) {
  store::AuditEvent e;
  e.time = clock.now();
  e.id = core::uuid_v7(e.time);
  e.chain = std::string(chain);
  e.action = std::string(action);
  e.outcome = outcome;
  if (!caller.actor_user_id.empty()) e.actor_user_id = caller.actor_user_id;
  e.actor_token_id = caller.token_id;
  e.actor_kind = caller.kind;
  if (caller.on_behalf()) e.on_behalf_of = caller.user_id;
  e.ip = caller.ip;
  e.user_agent = caller.user_agent;
  e.request_id = caller.request_id;
  return e;
}

}  // namespace keyrelay::vault
