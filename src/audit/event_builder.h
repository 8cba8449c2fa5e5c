#pragma once
// Small helpers to start an audit event and to name the chains a writer appends to.
//
// Every writer (a server node, or one CLI process) has its own id and two chains (ARCHITECTURE.md,
// "Audit"): "<writer id>/mgmt" for management events (never pruned) and "<writer id>/use" for
// the high-volume key.used and auth.failed (pruned from the oldest end). The API layer fills ip, user agent and request id.
// Pure functions apart from the random ids; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/records.h"

namespace keyrelay::audit {

// Who performed an action.
struct Actor {
  std::optional<std::string> user_id;
  std::optional<std::string> token_id;
  store::ActorKind kind = store::ActorKind::system;

  // keyrelay itself (expiry sweeps, rotation batches).
  static Actor system() { return {}; }
  // An operator at the command line, optionally acting as a named user.
  static Actor cli(std::optional<std::string> user_id = std::nullopt) {
    return {std::move(user_id), std::nullopt, store::ActorKind::cli};
  }
};

// A new event: a fresh UUIDv7 id from the event's time, the time from `clock` rounded down to the
// millisecond (the precision the store keeps and the chain covers), and the given chain, action,
// outcome and actor. seq, master_version and hash are left for the store and its sealer.
store::AuditEvent new_event(const core::Clock& clock, std::string chain, std::string action,
                            store::Outcome outcome, const Actor& actor);

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
