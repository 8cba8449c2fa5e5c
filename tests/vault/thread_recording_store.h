#pragma once
// ThreadRecordingStore: the store areas KeyService takes (keys, users, audit appends), forwarding
// every call to real ones and recording which call ran on which thread, so a test can prove that
// something never touches the store from the calling thread (an I/O thread, in the server).
// Thread-safe.

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/audit_append_store.h"
#include "store/key_store.h"
#include "store/user_store.h"

namespace keyrelay::test {

class ThreadRecordingStore final : public store::KeyStore, public store::UserStore, public store::AuditAppendStore {
 public:
  struct Call {
    std::string method;
    std::thread::id thread;
  };

  ThreadRecordingStore(store::KeyStore& keys, store::UserStore& users, store::AuditAppendStore& audit)
      : inner_keys_(keys), inner_users_(users), inner_audit_(audit) {}

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    calls_.clear();
  }

  // store::UserStore
  core::Result<void> create_user(const store::UserRecord& user, store::AuditEvent event) override {
    return note("create_user"), inner_users_.create_user(user, std::move(event));
  }
  core::Result<store::UserRecord> find_user(std::string_view id) override {
    return note("find_user"), inner_users_.find_user(id);
  }
  core::Result<store::UserRecord> find_user_by_name(std::string_view name) override {
    return note("find_user_by_name"), inner_users_.find_user_by_name(name);
  }
  core::Result<store::UserRecord> find_user_by_external_id(std::string_view external_id) override {
    return note("find_user_by_external_id"), inner_users_.find_user_by_external_id(external_id);
  }
  core::Result<void> replace_external_id(std::string_view id, std::string_view from, std::string_view to) override {
    return note("replace_external_id"), inner_users_.replace_external_id(id, from, to);
  }
  core::Result<store::Page<store::UserRecord>> list_users(const store::PageRequest& page) override {
    return note("list_users"), inner_users_.list_users(page);
  }

  // store::KeyStore
  core::Result<void> insert_key(const store::KeyRecord& key, store::AuditEvent event) override {
    return note("insert_key"), inner_keys_.insert_key(key, std::move(event));
  }
  core::Result<store::KeyRecord> get_key(std::string_view owner_id, std::string_view id) override {
    return note("get_key"), inner_keys_.get_key(owner_id, id);
  }
  core::Result<store::Page<store::KeyRecord>> list_keys(const store::KeyFilter& filter,
                                                        const store::PageRequest& page) override {
    return note("list_keys"), inner_keys_.list_keys(filter, page);
  }
  core::Result<std::vector<store::KeyRecord>> keys_of_owner(std::string_view owner_id) override {
    return note("keys_of_owner"), inner_keys_.keys_of_owner(owner_id);
  }
  core::Result<store::KeyRecord> update_key(std::string_view owner_id, std::string_view id,
                                            const KeyChange& change) override {
    return note("update_key"), inner_keys_.update_key(owner_id, id, change);
  }
  core::Result<store::KeyUpdate> update_key_at_version(std::string_view owner_id, std::string_view id,
                                                       std::uint32_t expected_version, const KeyChange& change) override {
    return note("update_key_at_version"), inner_keys_.update_key_at_version(owner_id, id, expected_version, change);
  }
  core::Result<void> delete_key(std::string_view owner_id, std::string_view id, store::AuditEvent event) override {
    return note("delete_key"), inner_keys_.delete_key(owner_id, id, std::move(event));
  }

  // store::AuditAppendStore
  core::Result<void> append_audit(std::vector<store::AuditEvent> events) override {
    return note("append_audit"), inner_audit_.append_audit(std::move(events));
  }

 private:
  // Records the call; returns nothing so that `return note(..), inner_keys_.call(..);` reads as one line.
  void note(std::string method) {
    std::lock_guard lock(mutex_);
    calls_.push_back({std::move(method), std::this_thread::get_id()});
  }

  store::KeyStore& inner_keys_;
  store::UserStore& inner_users_;
  store::AuditAppendStore& inner_audit_;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;  // guarded by mutex_
};

}  // namespace keyrelay::test
