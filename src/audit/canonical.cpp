#include "audit/canonical.h"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "crypto/associated_data.h"
#include "crypto/hmac.h"

namespace keyrelay::audit {
namespace {

// Presence flag, then the text when present: an absent field never encodes like an empty one.
void add_optional(crypto::AssociatedData& out, const std::optional<std::string>& value) {
  if (!value) {
    out.add_u32(0);
    return;
  }
  out.add_u32(1);
  out.add(*value);
}

// The encoded size of an optional text field.
std::size_t optional_size(const std::optional<std::string>& value) { return 4 + (value ? 4 + value->size() : 0); }

// The exact size of canonical_event(event): its buffer is allocated once (an event per gateway call).
std::size_t canonical_size(const store::AuditEvent& event) {
  std::size_t size = 4 + kCanonicalFormat.size() + 4 + event.id.size() + 4 + event.chain.size() + 8 + 4 +
                     event.action.size() + 4 + store::outcome_name(event.outcome).size() + 4 +
                     store::actor_kind_name(event.actor_kind).size() + 4 + event.details_json.size() + 4;
  for (const auto* field : {&event.actor_user_id, &event.actor_token_id, &event.on_behalf_of, &event.key_id,
                            &event.key_owner_id, &event.provider, &event.ip, &event.user_agent, &event.request_id})
    size += optional_size(*field);
  return size;
}

}  // namespace

std::int64_t unix_millis(store::TimePoint time) {
  return std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

core::Bytes canonical_event(const store::AuditEvent& event) {
  crypto::AssociatedData out(canonical_size(event));
  out.add(kCanonicalFormat);
  out.add(event.id);
  out.add(event.chain);
  out.add_u64(static_cast<std::uint64_t>(unix_millis(event.time)));
  out.add(event.action);
  out.add(store::outcome_name(event.outcome));
  add_optional(out, event.actor_user_id);
  add_optional(out, event.actor_token_id);
  out.add(store::actor_kind_name(event.actor_kind));
  add_optional(out, event.on_behalf_of);
  add_optional(out, event.key_id);
  add_optional(out, event.key_owner_id);
  add_optional(out, event.provider);
  add_optional(out, event.ip);
  add_optional(out, event.user_agent);
  add_optional(out, event.request_id);
  out.add(event.details_json);
  out.add_u32(event.master_version);
  return std::move(out).take();
}

crypto::Digest chain_link(core::ByteView audit_key, core::ByteView prev_hash, std::int64_t seq,
                          core::ByteView canonical) {
  crypto::AssociatedData input(4 + prev_hash.size() + 8 + 4 + canonical.size());
  input.add_bytes(prev_hash);
  input.add_u64(static_cast<std::uint64_t>(seq));
  input.add_bytes(canonical);
  return crypto::hmac_sha256(audit_key, input.view());
}

crypto::Digest checkpoint_mac(core::ByteView audit_key, const store::AuditCheckpoint& checkpoint) {
  crypto::AssociatedData input;
  input.add("keyrelay/audit-checkpoint/v1");
  input.add(checkpoint.chain);
  input.add_u64(static_cast<std::uint64_t>(checkpoint.seq));
  input.add_bytes(checkpoint.hash);
  input.add_u64(static_cast<std::uint64_t>(checkpoint.count));
  return crypto::hmac_sha256(audit_key, input.view());
}

}  // namespace keyrelay::audit
