#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/chain_sealer.h"
#include "auth/jwt_identity.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "crypto/hmac.h"
#include "crypto/keyring.h"
#include "fake_clock.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;

constexpr long long kNow = 1'800'000'000;
constexpr std::string_view kSecret = "authenticator-test-hs256-secret-0123456789";
constexpr std::string_view kIssuer = "https://idp.example/";

std::string b64(std::string_view text) { return core::base64url_encode(core::as_bytes(text)); }

// An HS256 JWT for `iss` and `sub`, made here from the RFC 7515 recipe.
std::string hs256_jwt(std::string_view iss, std::string_view sub) {
  const std::string input = b64(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            b64(json::serialize(json::object{{"iss", iss}, {"sub", sub}, {"exp", kNow + 600}}));
  const auto mac = crypto::hmac_sha256(core::as_bytes(kSecret), core::as_bytes(input));
  return input + "." + core::base64url_encode(core::ByteView(mac.data(), mac.size()));
}

std::string bearer(std::string_view token) { return "Bearer " + std::string(token); }

class AuthenticatorJwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keyring = crypto::Keyring::generate(clock_.now());
    ASSERT_TRUE(keyring);
    keyring_ = std::make_shared<const crypto::Keyring>(std::move(*keyring));
    sealer_ = std::make_unique<audit::KeyringChainSealer>(keyring_);
    auto store = store::open_store("", dir_.path() / "data", *sealer_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    ASSERT_TRUE(store_->migrate());
    // No issuer: the library allows it (serve refuses it); only so can two issuers meet here.
    JwtOptions options;
    options.hs256_secret = core::Secret(kSecret);
    auto verifier = JwtVerifier::create(std::move(options), clock_);
    ASSERT_TRUE(verifier) << verifier.error().message;
    verifier_ = std::make_unique<JwtVerifier>(std::move(*verifier));
    authenticator_ = std::make_unique<Authenticator>(*store_, *store_, *store_, verifier_.get(), clock_,
                                                     AuthenticatorOptions{.audit_chain = "test/mgmt"});
  }

  Principal sign_in(std::string_view iss, std::string_view sub) {
    auto principal = authenticator_->authenticate(bearer(hs256_jwt(iss, sub)), std::nullopt, {});
    EXPECT_TRUE(principal) << principal.error().message;
    return principal ? *principal : Principal{};
  }

  std::size_t user_count() {
    store::PageRequest page;
    page.limit = 200;
    auto users = store_->list_users(page);
    EXPECT_TRUE(users);
    return users ? users->items.size() : 0;
  }

  test::FakeClock clock_{std::chrono::seconds(kNow)};
  keyrelay::test::TempDir dir_;
  std::shared_ptr<const crypto::Keyring> keyring_;
  std::unique_ptr<audit::KeyringChainSealer> sealer_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<JwtVerifier> verifier_;
  std::unique_ptr<Authenticator> authenticator_;
};

TEST(JwtIdentity, TheExternalIdTellsEveryIssuerAndSubjectApart) {
  // "iss sub" made these two the same text.
  EXPECT_NE(jwt_external_id("https://idp.example/ x", "y"), jwt_external_id("https://idp.example/", "x y"));
  EXPECT_NE(jwt_external_id("a:", "b"), jwt_external_id("a", ":b"));
  EXPECT_EQ(jwt_external_id("https://idp.example/", "alice"), jwt_external_id("https://idp.example/", "alice"));
}

TEST_F(AuthenticatorJwtTest, TwoIssuerSubjectPairsThatReadAlikeAreTwoUsers) {
  const Principal first = sign_in("https://idp.example/ x", "y");
  const Principal second = sign_in("https://idp.example/", "x y");
  ASSERT_FALSE(first.user_id.empty());
  ASSERT_FALSE(second.user_id.empty());
  EXPECT_NE(first.user_id, second.user_id) << "one identity signed in as another";
  EXPECT_EQ(sign_in("https://idp.example/", "x y").user_id, second.user_id) << "and each stays itself";
}

TEST_F(AuthenticatorJwtTest, AUserCreatedUnderTheOldExternalIdIsFoundAndItsIdRewrittenOnce) {
  // A user created from a JWT before the upgrade, with the old "iss sub" external id.
  store::UserRecord old;
  old.id = core::uuid_v7(clock_.now());
  old.name = "jwt-before-upgrade";
  old.role = store::Role::user;
  old.external_id = std::string(kIssuer) + " alice";  // the format before issue 12
  old.salt = core::Bytes(16, 7);
  old.created_at = clock_.now();
  store::AuditEvent e;
  e.id = core::uuid_v7(clock_.now());
  e.chain = "test/mgmt";
  e.time = clock_.now();
  e.action = "user.created";
  e.actor_kind = store::ActorKind::system;
  ASSERT_TRUE(store_->create_user(old, std::move(e)));
  const std::size_t users = user_count();

  EXPECT_EQ(sign_in(kIssuer, "alice").user_id, old.id) << "alice became a new user after the upgrade";
  auto stored = store_->find_user(old.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->external_id, jwt_external_id(kIssuer, "alice")) << "the old form is rewritten";
  EXPECT_EQ(sign_in(kIssuer, "alice").user_id, old.id);
  EXPECT_EQ(user_count(), users);
}

}  // namespace
}  // namespace keyrelay::auth
