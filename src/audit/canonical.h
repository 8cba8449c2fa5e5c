#pragma once
// The byte form of an audit event that the hash chain covers, and one link of the chain.
//
// Chain (ARCHITECTURE.md, "Audit"):
//   hash = HMAC-SHA256(audit_key[v], lp(prev_hash) ‖ u64 seq ‖ lp(canonical_event(event)))
// where lp(x) = u32be(len x) ‖ x, prev_hash is empty for seq 1, and v = event.master_version.
//
// canonical_event, format "keyrelay/audit-event/v1", every field in this fixed order
// (crypto::AssociatedData encoding: text = u32be length ‖ UTF-8 bytes; integers big-endian):
//    1. text "keyrelay/audit-event/v1"   (format tag: a new layout gets a new tag)
//    2. text id
//    3. text chain
//    4. u64  time, Unix milliseconds (floor; the store keeps milliseconds, so a row read back
//            encodes exactly as it was sealed); two's complement for times before 1970
//    5. text action
//    6. text outcome wire name ("success" | "failure" | "denied")
//    7. opt  actor_user_id
//    8. opt  actor_token_id
//    9. text actor kind wire name ("token" | "jwt" | "cli" | "system")
//   10. opt  on_behalf_of
//   11. opt  key_id
//   12. opt  key_owner_id
//   13. opt  provider
//   14. opt  ip
//   15. opt  user_agent
//   16. opt  request_id
//   17. text details_json, byte for byte as given (never re-serialized)
//   18. u32  master_version
// where opt = u32be 0 when absent, or u32be 1 followed by the text when present (so an absent
// field differs from an empty one). `seq` is not repeated here: the link covers it. `hash` is the
// output and is not covered.
//
// Pure functions; thread-safe.

#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "crypto/digest.h"
#include "store/records.h"

namespace keyrelay::audit {

// Tag at the start of every canonical event; bump with any change of the layout above.
inline constexpr std::string_view kCanonicalFormat = "keyrelay/audit-event/v1";

// The canonical bytes of `event` (layout above). Two events that differ in any field but `seq`
// and `hash` give different bytes.
core::Bytes canonical_event(const store::AuditEvent& event);

// Unix milliseconds of `time`, rounded down: the precision the chain covers.
std::int64_t unix_millis(store::TimePoint time);

// HMAC-SHA256(audit_key, lp(prev_hash) ‖ u64be(seq) ‖ lp(canonical)). `prev_hash` is empty for
// the first event of a chain.
crypto::Digest chain_link(core::ByteView audit_key, core::ByteView prev_hash, std::int64_t seq,
                          core::ByteView canonical);

// The MAC of a pruning checkpoint: HMAC-SHA256(audit_key, lp("keyrelay/audit-checkpoint/v1") ‖
// lp(chain) ‖ u64be(seq) ‖ lp(hash) ‖ u64be(count)). Binding the chain name keeps one chain's
// checkpoint from being copied onto another.
crypto::Digest checkpoint_mac(core::ByteView audit_key, const store::AuditCheckpoint& checkpoint);

}  // namespace keyrelay::audit
