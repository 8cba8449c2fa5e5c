#pragma once
// Actor: who is asking, as the services and the audit log need it. Whose data (the effective user),
// who authenticated, with which credential, and the request facts that go into audit events. The API
// layer builds one from the authenticated principal and the request; keyrelay's own work uses
// Actor::system(), the command line Actor::cli(). Plain data, copied freely; every domain folder may
// take one without depending on another's types.

#include <optional>
#include <string>
#include <utility>

#include "store/records.h"

namespace keyrelay::audit {

struct Actor {
  std::string user_id;                   // effective user: whose keys and data are read and changed
  std::string actor_user_id;             // who authenticated (differs when acting on behalf)
  std::optional<std::string> token_id;   // the access token used, if any
  store::ActorKind kind = store::ActorKind::system;  // nobody filled in: claims no user
  bool is_admin = false;
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;

  bool on_behalf() const noexcept { return user_id != actor_user_id; }

  // keyrelay itself (expiry sweeps, re-validation, retention, the system user).
  static Actor system() { return {}; }
  // An operator at the command line; with a user id, acting as that user.
  static Actor cli(std::optional<std::string> user_id = std::nullopt) {
    Actor actor;
    actor.kind = store::ActorKind::cli;
    if (user_id) actor.user_id = actor.actor_user_id = std::move(*user_id);
    return actor;
  }
};

}  // namespace keyrelay::audit
