#pragma once
// The one way to start an audit event, and the names of the chains a writer appends to.
//
// Every writer (a server node, or one CLI process) has its own id and two chains (ARCHITECTURE.md,
// "Audit"): "<writer id>/mgmt" for management events (never pruned) and "<writer id>/use" for
// the high-volume key.used and auth.failed (pruned from the oldest end).
// Pure functions apart from the random ids; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "audit/actor.h"
#include "core/clock.h"
#include "store/records.h"

namespace keyrelay::audit {

// A new event done by `actor`: a fresh UUIDv7 id from the event's time, the time from `clock` rounded
// down to the millisecond (the precision the store keeps and the chain covers), the given chain,
// action and outcome, who acted (user, token, kind), for whom when on behalf, and the request facts
// (ip, user agent, request id). The caller fills in key, owner, provider and details; seq,
// master_version and hash are left for the store and its sealer.
store::AuditEvent new_event(const core::Clock& clock, std::string chain, std::string action,
                            store::Outcome outcome, const Actor& actor);
// The same for an event that happened at `at` (rounded down to the millisecond), not now.
store::AuditEvent new_event(store::TimePoint at, std::string chain, std::string action, store::Outcome outcome,
                            const Actor& actor);

// A new writer id: `prefix`, a dash (when there is a prefix) and 12 random lowercase hex characters (48 bits), e.g.
// new_writer_id() = "3f9a0c12be47", new_writer_id("cli") = "cli-8d21f0a9c3e5". `prefix` must not
// contain '/'.
std::string new_writer_id(std::string_view prefix = {});

inline constexpr std::string_view kMgmtSuffix = "/mgmt";
inline constexpr std::string_view kUseSuffix = "/use";
// The action that goes to the use chain; every other action is a management event.
inline constexpr std::string_view kKeyUsedAction = "key.used";

// "<writer>/mgmt" and "<writer>/use".
std::string mgmt_chain(std::string_view writer);
std::string use_chain(std::string_view writer);
// The chain of `writer` that `action` belongs to: use_chain for key.used and auth.failed
// (store::is_prunable_audit_action), mgmt_chain otherwise.
std::string chain_for(std::string_view writer, std::string_view action);

}  // namespace keyrelay::audit
