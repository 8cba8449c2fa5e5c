#include "audit/event_builder.h"

#include <cassert>
#include <chrono>
#include <utility>

#include "core/ids.h"

namespace keyrelay::audit {

store::AuditEvent new_event(const core::Clock& clock, std::string chain, std::string action,
                            store::Outcome outcome, const Actor& actor) {
  return new_event(clock.now(), std::move(chain), std::move(action), outcome, actor);
}

store::AuditEvent new_event(store::TimePoint at, std::string chain, std::string action, store::Outcome outcome,
                            const Actor& actor) {
  store::AuditEvent event;
  event.time = std::chrono::floor<std::chrono::milliseconds>(at);
  event.id = core::uuid_v7(event.time);
  event.chain = std::move(chain);
  event.action = std::move(action);
  event.outcome = outcome;
  if (!actor.actor_user_id.empty()) event.actor_user_id = actor.actor_user_id;
  event.actor_token_id = actor.token_id;
  event.actor_kind = actor.kind;
  if (actor.on_behalf()) event.on_behalf_of = actor.user_id;
  event.ip = actor.ip;
  event.user_agent = actor.user_agent;
  event.request_id = actor.request_id;
  return event;
}

std::string new_writer_id(std::string_view prefix) {
  assert(prefix.find('/') == std::string_view::npos);
  std::string id(prefix);
  if (!id.empty()) id.push_back('-');
  const std::size_t want = id.size() + 12;
  // The first 12 hex digits of a v4 UUID are all random (the version nibble comes later).
  for (char c : core::uuid_v4()) {
    if (c == '-') continue;
    id.push_back(c);
    if (id.size() == want) break;
  }
  return id;
}

std::string mgmt_chain(std::string_view writer) { return std::string(writer) + std::string(kMgmtSuffix); }

std::string use_chain(std::string_view writer) { return std::string(writer) + std::string(kUseSuffix); }

std::string chain_for(std::string_view writer, std::string_view action) {
  return store::is_prunable_audit_action(action) ? use_chain(writer) : mgmt_chain(writer);
}

}  // namespace keyrelay::audit
