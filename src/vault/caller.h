#pragma once
// Who is asking, as the services need it: whose data (the effective user), who authenticated, and
// the request facts that go into audit events. Built by the API layer from the authenticated
// principal and the request context; plain data, copied freely.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/records.h"

namespace keyrelay::vault {

struct Caller {
  std::string user_id;                   // effective user: whose keys are read and changed
  std::string actor_user_id;             // who authenticated (differs when acting on behalf)
  std::optional<std::string> token_id;   // the access token used, if any
  store::ActorKind kind = store::ActorKind::token;
  bool is_admin = false;
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;

  bool on_behalf() const noexcept { return user_id != actor_user_id; }
};

// An audit event done by `caller`: a fresh id and time, who acted and for whom, and the request
// facts. The caller of this fills in the key, provider and details.
store::AuditEvent audit_event(const Caller& caller, const core::Clock& clock, std::string_view chain,
                              std::string_view action, store::Outcome outcome = store::Outcome::success);

}  // namespace keyrelay::vault
