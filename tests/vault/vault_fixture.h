#pragma once
// A real SQLite store in a temp dir, a fresh keyring, the audit sealer and two users: the world a
// KeyService lives in, for tests.

#include <gtest/gtest.h>

#include <memory>

#include "accounts/account_service.h"
#include "audit/chain_sealer.h"
#include "catalog/catalog.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"
#include "store/open_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "vault/key_cache.h"
#include "vault/key_service.h"

namespace keyrelay::test {

class VaultFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keyring = crypto::Keyring::generate(clock_.now());
    ASSERT_TRUE(keyring) << keyring.error().message;
    keyring_ = std::make_shared<const crypto::Keyring>(std::move(*keyring));
    envelope_ = std::make_unique<crypto::Envelope>(keyring_);
    sealer_ = std::make_unique<audit::KeyringChainSealer>(keyring_);
    auto store = store::open_store("", dir_.path() / "data", *sealer_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    ASSERT_TRUE(store_->migrate());
    auto catalog = catalog::Catalog::builtin();
    ASSERT_TRUE(catalog);
    catalog_ = std::make_shared<const catalog::Catalog>(std::move(*catalog));
    accounts_ = std::make_unique<accounts::AccountService>(*store_, *store_, clock_, "test/mgmt");
    cache_ = std::make_unique<vault::KeyCache>(*store_);
    keys_ = std::make_unique<vault::KeyService>(*store_, *store_, *store_, *envelope_, catalog_, clock_, "test/mgmt",
                                                cache_.get());
    alice_ = make_user("alice");
    bob_ = make_user("bob");
  }

  audit::Actor make_user(const std::string& name) {
    auto user = accounts_->create_user(audit::Actor::cli(), {name, store::Role::user});
    EXPECT_TRUE(user) << user.error().message;
    audit::Actor c;
    c.user_id = c.actor_user_id = user->id;
    c.kind = store::ActorKind::token;
    c.request_id = "req-" + name;
    return c;
  }

  core::Result<store::KeyRecord> create(const audit::Actor& who, std::string provider, std::string secret,
                                        std::optional<std::string> name = std::nullopt) {
    vault::NewKey input;
    input.provider = std::move(provider);
    input.name = std::move(name);
    input.secret = core::Secret(std::string_view(secret));
    return keys_->create(who, who.user_id, std::move(input));
  }

  std::vector<store::AuditEvent> audit_of(const std::string& action) {
    store::AuditFilter filter;
    filter.action = action;
    auto page = store_->list_audit(filter, {.limit = 200, .cursor = std::nullopt});
    EXPECT_TRUE(page);
    return page ? page->items : std::vector<store::AuditEvent>{};
  }

  TempDir dir_;
  FakeClock clock_;
  std::shared_ptr<const crypto::Keyring> keyring_;
  std::unique_ptr<crypto::Envelope> envelope_;
  std::unique_ptr<audit::KeyringChainSealer> sealer_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const catalog::Catalog> catalog_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<vault::KeyCache> cache_;
  std::unique_ptr<vault::KeyService> keys_;
  audit::Actor alice_;
  audit::Actor bob_;
};

}  // namespace keyrelay::test
