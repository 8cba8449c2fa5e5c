#pragma once
// ThreadRecordingStore: a store::Store that forwards every call to a real one and records which
// call ran on which thread, so a test can prove that something never touches the store from the
// calling thread (an I/O thread, in the server). Thread-safe.

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/store.h"

namespace keyrelay::test {

class ThreadRecordingStore final : public store::Store {
 public:
  struct Call {
    std::string method;
    std::thread::id thread;
  };

  explicit ThreadRecordingStore(store::Store& inner) : inner_(inner) {}

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    calls_.clear();
  }

  // store::Store
  core::Result<int> migrate() override { return note("migrate"), inner_.migrate(); }
  core::Result<int> schema_version() override { return note("schema_version"), inner_.schema_version(); }
  core::Result<void> ping() override { return note("ping"), inner_.ping(); }
  core::Result<std::uint64_t> generation() override { return note("generation"), inner_.generation(); }
  core::Result<bool> is_empty() override { return note("is_empty"), inner_.is_empty(); }

  core::Result<void> create_user(const store::UserRecord& user, store::AuditEvent event) override {
    return note("create_user"), inner_.create_user(user, std::move(event));
  }
  core::Result<store::UserRecord> find_user(std::string_view id) override {
    return note("find_user"), inner_.find_user(id);
  }
  core::Result<store::UserRecord> find_user_by_name(std::string_view name) override {
    return note("find_user_by_name"), inner_.find_user_by_name(name);
  }
  core::Result<store::UserRecord> find_user_by_external_id(std::string_view external_id) override {
    return note("find_user_by_external_id"), inner_.find_user_by_external_id(external_id);
  }
  core::Result<void> replace_external_id(std::string_view id, std::string_view from, std::string_view to) override {
    return note("replace_external_id"), inner_.replace_external_id(id, from, to);
  }
  core::Result<store::Page<store::UserRecord>> list_users(const store::PageRequest& page) override {
    return note("list_users"), inner_.list_users(page);
  }

  core::Result<void> create_token(const store::TokenRecord& token, store::AuditEvent event) override {
    return note("create_token"), inner_.create_token(token, std::move(event));
  }
  core::Result<store::TokenRecord> find_token(std::string_view id) override {
    return note("find_token"), inner_.find_token(id);
  }
  core::Result<store::TokenRecord> find_token_by_hash(core::ByteView hash) override {
    return note("find_token_by_hash"), inner_.find_token_by_hash(hash);
  }
  core::Result<store::Page<store::TokenRecord>> list_tokens(std::optional<std::string_view> user_id,
                                                            const store::PageRequest& page) override {
    return note("list_tokens"), inner_.list_tokens(user_id, page);
  }
  core::Result<store::TokenRecord> revoke_token(std::string_view id, std::optional<std::string_view> user_id,
                                                store::TimePoint at, store::AuditEvent event) override {
    return note("revoke_token"), inner_.revoke_token(id, user_id, at, std::move(event));
  }
  core::Result<void> touch_tokens(const std::vector<std::pair<std::string, store::TimePoint>>& uses) override {
    return note("touch_tokens"), inner_.touch_tokens(uses);
  }

  core::Result<void> insert_key(const store::KeyRecord& key, store::AuditEvent event) override {
    return note("insert_key"), inner_.insert_key(key, std::move(event));
  }
  core::Result<store::KeyRecord> get_key(std::string_view owner_id, std::string_view id) override {
    return note("get_key"), inner_.get_key(owner_id, id);
  }
  core::Result<store::Page<store::KeyRecord>> list_keys(const store::KeyFilter& filter,
                                                        const store::PageRequest& page) override {
    return note("list_keys"), inner_.list_keys(filter, page);
  }
  core::Result<std::vector<store::KeyRecord>> keys_of_owner(std::string_view owner_id) override {
    return note("keys_of_owner"), inner_.keys_of_owner(owner_id);
  }
  core::Result<std::vector<store::KeyRecord>> keys_expiring_before(store::TimePoint before,
                                                                    const std::optional<store::ExpiryPosition>& after,
                                                                    std::size_t limit) override {
    return note("keys_expiring_before"), inner_.keys_expiring_before(before, after, limit);
  }
  core::Result<std::vector<store::KeyCount>> key_counts(store::TimePoint now) override {
    return note("key_counts"), inner_.key_counts(now);
  }
  core::Result<store::KeyRecord> update_key(std::string_view owner_id, std::string_view id,
                                            const KeyChange& change) override {
    return note("update_key"), inner_.update_key(owner_id, id, change);
  }
  core::Result<store::KeyUpdate> update_key_at_version(std::string_view owner_id, std::string_view id,
                                                       std::uint32_t expected_version, const KeyChange& change) override {
    return note("update_key_at_version"), inner_.update_key_at_version(owner_id, id, expected_version, change);
  }
  core::Result<void> delete_key(std::string_view owner_id, std::string_view id, store::AuditEvent event) override {
    return note("delete_key"), inner_.delete_key(owner_id, id, std::move(event));
  }

  core::Result<std::vector<store::KeyRecord>> keys_after(const std::optional<std::string>& after_id,
                                                      std::size_t limit) override {
    return note("keys_after"), inner_.keys_after(after_id, limit);
  }
  core::Result<std::vector<store::KeyRecord>> keys_not_on_version(std::uint32_t version, std::size_t limit) override {
    return note("keys_not_on_version"), inner_.keys_not_on_version(version, limit);
  }
  core::Result<std::size_t> rewrap_keys(const std::vector<store::RewrappedKey>& batch) override {
    return note("rewrap_keys"), inner_.rewrap_keys(batch);
  }
  core::Result<std::map<std::uint32_t, std::int64_t>> rows_by_master_version() override {
    return note("rows_by_master_version"), inner_.rows_by_master_version();
  }

  core::Result<void> record_node(const store::NodeRecord& node, store::TimePoint forget_before) override {
    return note("record_node"), inner_.record_node(node, forget_before);
  }
  core::Result<void> remove_node(std::string_view id) override { return note("remove_node"), inner_.remove_node(id); }
  core::Result<std::vector<store::NodeRecord>> live_nodes(store::TimePoint now) override {
    return note("live_nodes"), inner_.live_nodes(now);
  }
  core::Result<void> record_master_key_change(store::TimePoint now, const MasterKeyDecision& decide) override {
    return note("record_master_key_change"), inner_.record_master_key_change(now, decide);
  }

  core::Result<void> append_audit(std::vector<store::AuditEvent> events) override {
    return note("append_audit"), inner_.append_audit(std::move(events));
  }
  core::Result<store::Page<store::AuditEvent>> list_audit(const store::AuditFilter& filter,
                                                          const store::PageRequest& page) override {
    return note("list_audit"), inner_.list_audit(filter, page);
  }
  core::Result<std::vector<std::string>> audit_chains() override {
    return note("audit_chains"), inner_.audit_chains();
  }
  core::Result<std::optional<store::AuditCheckpoint>> audit_checkpoint(std::string_view chain) override {
    return note("audit_checkpoint"), inner_.audit_checkpoint(chain);
  }
  core::Result<store::AuditPruneBatch> prune_audit(
      std::string_view chain, store::TimePoint cutoff, std::size_t limit,
      const std::function<store::AuditEvent(const store::AuditPruneBatch&)>& pruned_event) override {
    return note("prune_audit"), inner_.prune_audit(chain, cutoff, limit, pruned_event);
  }
  core::Result<std::vector<store::AuditEvent>> audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                  std::size_t limit) override {
    return note("audit_chain_events"), inner_.audit_chain_events(chain, after_seq, limit);
  }

  core::Result<void> add_usage(const std::vector<store::UsageDelta>& deltas) override {
    return note("add_usage"), inner_.add_usage(deltas);
  }
  core::Result<std::vector<store::UsageRow>> usage(const store::UsageQuery& query) override {
    return note("usage"), inner_.usage(query);
  }

  core::Result<store::AlertRecord> raise_alert(const store::AlertRecord& alert, store::AuditEvent event) override {
    return note("raise_alert"), inner_.raise_alert(alert, std::move(event));
  }
  core::Result<store::Page<store::AlertRecord>> list_alerts(const store::AlertFilter& filter,
                                                            const store::PageRequest& page) override {
    return note("list_alerts"), inner_.list_alerts(filter, page);
  }
  core::Result<store::AlertRecord> resolve_alert(std::string_view id, std::optional<std::string_view> user_id,
                                                 store::TimePoint at, store::AuditEvent event) override {
    return note("resolve_alert"), inner_.resolve_alert(id, user_id, at, std::move(event));
  }

 private:
  // Records the call; returns nothing so that `return note(..), inner_.call(..);` reads as one line.
  void note(std::string method) {
    std::lock_guard lock(mutex_);
    calls_.push_back({std::move(method), std::this_thread::get_id()});
  }

  store::Store& inner_;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;  // guarded by mutex_
};

}  // namespace keyrelay::test
