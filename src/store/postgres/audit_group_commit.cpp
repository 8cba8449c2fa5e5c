#include "store/postgres/audit_group_commit.h"

#include <algorithm>
#include <map>
#include <string>

#include "store/postgres/params.h"

namespace keyrelay::store::postgres {
namespace {

constexpr std::string_view kDoing = "appending audit events";

// An array literal of optional texts: absent elements are NULL (unquoted), the others quoted and
// escaped as text_array() does.
std::string nullable_text_array(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (const char c : *items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// The batch column by column, for the unnest() of the insert.
struct AuditColumns {
  std::vector<std::string> id, chain, action, outcome, actor_kind, details_json;
  std::vector<std::int64_t> seq, time, master_version;
  std::vector<std::optional<std::string>> actor_user_id, actor_token_id, on_behalf_of, key_id, key_owner_id, provider,
      ip, user_agent, request_id;
  std::vector<core::Bytes> hash;

  void add(const AuditEvent& e) {
    id.push_back(e.id);
    chain.push_back(e.chain);
    seq.push_back(e.seq);
    time.push_back(to_unix_ms(e.time));
    action.push_back(e.action);
    outcome.emplace_back(outcome_name(e.outcome));
    actor_user_id.push_back(e.actor_user_id);
    actor_token_id.push_back(e.actor_token_id);
    actor_kind.emplace_back(actor_kind_name(e.actor_kind));
    on_behalf_of.push_back(e.on_behalf_of);
    key_id.push_back(e.key_id);
    key_owner_id.push_back(e.key_owner_id);
    provider.push_back(e.provider);
    ip.push_back(e.ip);
    user_agent.push_back(e.user_agent);
    request_id.push_back(e.request_id);
    details_json.push_back(e.details_json);
    master_version.push_back(e.master_version);
    hash.push_back(e.hash);
  }

  Params params() const {
    Params p;
    p.text(text_array(id)).text(text_array(chain)).text(integer_array(seq)).text(integer_array(time));
    p.text(text_array(action)).text(text_array(outcome)).text(nullable_text_array(actor_user_id));
    p.text(nullable_text_array(actor_token_id)).text(text_array(actor_kind)).text(nullable_text_array(on_behalf_of));
    p.text(nullable_text_array(key_id)).text(nullable_text_array(key_owner_id)).text(nullable_text_array(provider));
    p.text(nullable_text_array(ip)).text(nullable_text_array(user_agent)).text(nullable_text_array(request_id));
    p.text(text_array(details_json)).text(integer_array(master_version)).text(hex_array(hash));
    return p;
  }
};

constexpr std::string_view kInsertBatch =
    "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind, "
    "on_behalf_of, key_id, key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, hash) "
    "SELECT id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind, on_behalf_of, key_id, "
    "key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, decode(hash, 'hex') "
    "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], "
    "$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], "
    "$17::text[], $18::integer[], $19::text[]) AS e(id, chain, seq, time, action, outcome, actor_user_id, "
    "actor_token_id, actor_kind, on_behalf_of, key_id, key_owner_id, provider, ip, user_agent, request_id, "
    "details_json, master_version, hash)";

// Locks every chain of `chains` (audit_append.h's key), in ascending key order.
constexpr std::string_view kLockChains =
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(c, 0) AS k "
    "FROM unnest($1::text[]) AS c ORDER BY k) AS keys";

// The head of each chain that has one: its newest event, or else the checkpoint it was pruned to.
constexpr std::string_view kChainHeads =
    "SELECT c.chain, h.seq, h.hash FROM unnest($1::text[]) AS c(chain) CROSS JOIN LATERAL ("
    "(SELECT seq, hash FROM audit_log WHERE chain = c.chain ORDER BY seq DESC LIMIT 1) "
    "UNION ALL SELECT seq, hash FROM audit_checkpoints WHERE chain = c.chain "
    "AND NOT EXISTS (SELECT 1 FROM audit_log WHERE chain = c.chain)) AS h";

struct Head {
  std::int64_t seq = 0;
  core::Bytes hash;
};

}  // namespace

core::Result<void> append_audit_events(Connection& conn, const ChainSealer& sealer, std::vector<AuditEvent>& events) {
  if (events.empty()) return core::ok();
  conn.pending_audit_events += events.size();  // settled when the transaction ends (transaction.h)
  std::vector<std::string> chains;
  for (const auto& e : events) chains.push_back(e.chain);
  std::sort(chains.begin(), chains.end());
  chains.erase(std::unique(chains.begin(), chains.end()), chains.end());
  Params chain_list;
  chain_list.text(text_array(chains));
  if (auto locked = conn.query(kLockChains, chain_list, kDoing); !locked) return locked.error();

  auto head_rows = conn.query(kChainHeads, chain_list, kDoing);
  if (!head_rows) return head_rows.error();
  std::map<std::string, Head, std::less<>> heads;
  for (int i = 0; i < head_rows->size(); ++i)
    heads[head_rows->text_at(i, 0)] = Head{head_rows->int_at(i, 1), head_rows->bytes_at(i, 2)};

  AuditColumns columns;
  for (auto& event : events) {
    Head& head = heads[event.chain];  // a new chain starts at seq 1 with no previous hash
    event.seq = head.seq + 1;
    if (auto sealed = sealer.seal(event, head.hash); !sealed) return sealed.error();
    head = Head{event.seq, event.hash};
    columns.add(event);
  }
  auto inserted = conn.query(kInsertBatch, columns.params(), kDoing);
  if (!inserted && inserted.error().code == core::Errc::conflict)
    return core::Error::conflict("an audit event with one of these ids already exists");
  if (!inserted) return inserted.error();
  return core::ok();
}

}  // namespace keyrelay::store::postgres
