#include "auth/jwt_claims.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr long long kNow = 1'800'000'000;
const TimePoint kNowTime{seconds(kNow)};

json::object valid_claims() {
  return {{"iss", "https://idp.example/"}, {"sub", "user-42"},   {"aud", "keyrelay"},
          {"exp", kNow + 600},             {"iat", kNow - 10},   {"nbf", kNow - 10},
          {"email", "ada@example.com"},    {"name", "Ada"}};
}

ClaimPolicy policy() { return {"https://idp.example/", "keyrelay", seconds(60)}; }

core::Result<JwtClaims> check(const json::object& claims, const ClaimPolicy& p = policy()) {
  return check_claims(json::serialize(claims), p, kNowTime);
}

std::string reason(const json::object& claims, const ClaimPolicy& p = policy()) {
  auto r = check(claims, p);
  if (r) return "(accepted)";
  EXPECT_EQ(r.error().code, core::Errc::unauthenticated);
  return r.error().message;
}

TEST(JwtClaims, ValidClaimsAreRead) {
  auto c = check(valid_claims());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->issuer, "https://idp.example/");
  EXPECT_EQ(c->subject, "user-42");
  EXPECT_EQ(c->email, "ada@example.com");
  EXPECT_EQ(c->name, "Ada");
  EXPECT_THAT(c->audience, ::testing::ElementsAre("keyrelay"));
  EXPECT_EQ(c->expires_at, TimePoint(seconds(kNow + 600)));
  EXPECT_EQ(c->issued_at, TimePoint(seconds(kNow - 10)));
  EXPECT_EQ(c->not_before, TimePoint(seconds(kNow - 10)));
}

TEST(JwtClaims, ExpiryIsRequiredAndHonoursTheLeeway) {
  auto claims = valid_claims();
  claims.erase("exp");
  EXPECT_EQ(reason(claims), "missing expiry");
  claims["exp"] = kNow - 59;
  EXPECT_EQ(reason(claims), "(accepted)");
  claims["exp"] = kNow - 60;
  EXPECT_EQ(reason(claims), "token expired");
  claims["exp"] = kNow + 1;
  EXPECT_EQ(reason(claims, {"https://idp.example/", "keyrelay", seconds(0)}), "(accepted)");
  claims["exp"] = kNow;
  EXPECT_EQ(reason(claims, {"https://idp.example/", "keyrelay", seconds(0)}), "token expired");
  claims["exp"] = -5;
  EXPECT_EQ(reason(claims), "token expired");
}

TEST(JwtClaims, NotBeforeHonoursTheLeeway) {
  auto claims = valid_claims();
  claims["nbf"] = kNow + 60;
  EXPECT_EQ(reason(claims), "(accepted)");
  claims["nbf"] = kNow + 61;
  EXPECT_EQ(reason(claims), "token not yet valid");
  claims.erase("nbf");
  EXPECT_EQ(reason(claims), "(accepted)");
}

TEST(JwtClaims, IssuedAtMayNotBeInTheFuture) {
  auto claims = valid_claims();
  claims["iat"] = kNow + 60;
  EXPECT_EQ(reason(claims), "(accepted)");
  claims["iat"] = kNow + 3600;
  EXPECT_EQ(reason(claims), "token issued in the future");
  claims.erase("iat");
  EXPECT_EQ(reason(claims), "(accepted)");
}

TEST(JwtClaims, FractionalAndHugeNumericDates) {
  auto claims = valid_claims();
  claims["exp"] = static_cast<double>(kNow) + 0.5;
  auto c = check(claims);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->expires_at, TimePoint(seconds(kNow)) + std::chrono::milliseconds(500));
  claims["exp"] = 1e300;  // clamped to 2200, still in the future
  EXPECT_EQ(reason(claims), "(accepted)");
  claims["exp"] = std::uint64_t{18'000'000'000'000'000'000u};
  EXPECT_EQ(reason(claims), "(accepted)");
  claims["exp"] = valid_claims().at("exp");
  claims["nbf"] = 1e300;
  EXPECT_EQ(reason(claims), "token not yet valid");
}

TEST(JwtClaims, WrongTypesAreMalformed) {
  for (const char* name : {"exp", "nbf", "iat"}) {
    auto claims = valid_claims();
    claims[name] = std::to_string(kNow);
    EXPECT_EQ(reason(claims), "malformed claims") << name;
    claims[name] = true;
    EXPECT_EQ(reason(claims), "malformed claims") << name;
  }
  for (const char* name : {"iss", "sub"}) {
    auto claims = valid_claims();
    claims[name] = 42;
    EXPECT_EQ(reason(claims), "malformed claims") << name;
  }
  auto claims = valid_claims();
  claims["aud"] = json::array{"keyrelay", 7};
  EXPECT_EQ(reason(claims), "malformed claims");
  claims["aud"] = json::object{};
  EXPECT_EQ(reason(claims), "malformed claims");
  EXPECT_EQ(check_claims("[1]", policy(), kNowTime).error().message, "malformed claims");
  EXPECT_EQ(check_claims("{\"exp\":", policy(), kNowTime).error().message, "malformed claims");
}

TEST(JwtClaims, IssuerMustMatchWhenConfigured) {
  auto claims = valid_claims();
  claims["iss"] = "https://idp.example";  // no trailing slash: not the same issuer
  EXPECT_EQ(reason(claims), "issuer mismatch");
  claims.erase("iss");
  EXPECT_EQ(reason(claims), "issuer mismatch");
  auto c = check(claims, {"", "keyrelay", seconds(60)});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->issuer, "");
}

TEST(JwtClaims, AudienceMayBeAStringOrAnArray) {
  auto claims = valid_claims();
  claims["aud"] = json::array{"other", "keyrelay"};
  EXPECT_EQ(reason(claims), "(accepted)");
  claims["aud"] = json::array{"other"};
  EXPECT_EQ(reason(claims), "audience mismatch");
  claims["aud"] = json::array{};
  EXPECT_EQ(reason(claims), "audience mismatch");
  claims["aud"] = "keyrelay-staging";
  EXPECT_EQ(reason(claims), "audience mismatch");
  claims.erase("aud");
  EXPECT_EQ(reason(claims), "audience mismatch");
  EXPECT_EQ(reason(claims, {"https://idp.example/", "", seconds(60)}), "(accepted)");
}

TEST(JwtClaims, SubjectIsRequired) {
  auto claims = valid_claims();
  claims["sub"] = "";
  EXPECT_EQ(reason(claims), "missing subject");
  claims.erase("sub");
  EXPECT_EQ(reason(claims), "missing subject");
}

TEST(JwtClaims, ExpiryIsReportedBeforeOtherProblems) {
  auto claims = valid_claims();
  claims["exp"] = kNow - 3600;
  claims["iss"] = "someone else";
  claims.erase("sub");
  EXPECT_EQ(reason(claims), "token expired");
}

TEST(JwtClaims, InformationalClaimsOfOtherTypesAreIgnored) {
  auto claims = valid_claims();
  claims["email"] = json::array{"a@example.com"};
  claims["name"] = nullptr;
  auto c = check(claims);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->email, std::nullopt);
  EXPECT_EQ(c->name, std::nullopt);
}

TEST(JwtClaims, MessagesCarryNoClaimValues) {
  auto claims = valid_claims();
  claims["iss"] = "https://attacker.example/";
  const auto message = reason(claims);
  EXPECT_EQ(message.find("attacker"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::auth
