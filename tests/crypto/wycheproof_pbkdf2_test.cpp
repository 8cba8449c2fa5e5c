// PBKDF2-HMAC-SHA256 against Project Wycheproof's pbkdf2_hmacsha256_test.json (see
// shared/vectors/README.md), plus the parameter limits of crypto/pbkdf2.h.

#include "crypto/pbkdf2.h"

#include <gtest/gtest.h>

#include <iostream>

#include "crypto/wycheproof.h"

namespace keyrelay::crypto {
namespace {

using test::describe;
using test::hex_field;
using test::load_vectors;

TEST(VectorCounts, Pbkdf2HmacSha256) {
  const auto root = load_vectors("pbkdf2_hmacsha256_test.json");
  std::size_t seen = 0, passed = 0, non_utf8 = 0;
  for (const auto& gv : root.at("testGroups").as_array()) {
    for (const auto& tv : gv.as_object().at("tests").as_array()) {
      const auto& t = tv.as_object();
      ++seen;
      const std::string what = describe(t);
      ASSERT_EQ(std::string_view(t.at("result").as_string()), "valid") << "no policy for " << what;
      for (const auto& flag : t.at("flags").as_array()) non_utf8 += flag.as_string() == "NonUtf8" ? 1 : 0;
      const auto password = hex_field(t, "password"), salt = hex_field(t, "salt");
      auto dk = pbkdf2_hmac_sha256(password, salt, t.at("iterationCount").to_number<std::uint32_t>(),
                                   t.at("dkLen").to_number<std::size_t>());
      ASSERT_TRUE(dk) << what << ": " << dk.error().message;
      EXPECT_TRUE(dk->equals(hex_field(t, "dk"))) << what;
      if (dk->equals(hex_field(t, "dk"))) ++passed;
    }
  }
  std::cout << "PBKDF2-HMAC-SHA256 Wycheproof: " << passed << " of " << seen << " passed (" << non_utf8
            << " with a non-UTF-8 password)" << std::endl;
  EXPECT_EQ(seen, root.at("numberOfTests").to_number<std::size_t>());
  EXPECT_EQ(seen, 60u);
  EXPECT_EQ(passed, seen);
  EXPECT_GT(non_utf8, 0u) << "the password must be passed as raw bytes with its length";
}

TEST(Pbkdf2, RefusesParametersOutsideItsLimits) {
  const auto password = core::as_bytes("master"), salt = core::as_bytes("salt");
  EXPECT_EQ(pbkdf2_hmac_sha256(password, salt, 0, 32).error().code, core::Errc::invalid_request);
  EXPECT_EQ(pbkdf2_hmac_sha256(password, salt, kPbkdf2MaxIterations + 1, 32).error().code, core::Errc::invalid_request);
  EXPECT_EQ(pbkdf2_hmac_sha256(password, salt, 1, 0).error().code, core::Errc::invalid_request);
  EXPECT_EQ(pbkdf2_hmac_sha256(password, salt, 1, 1025).error().code, core::Errc::invalid_request);
  auto empty = pbkdf2_hmac_sha256({}, {}, 1, 32);
  ASSERT_TRUE(empty) << "an empty password and salt are legal inputs";
  EXPECT_EQ(empty->size(), 32u);
}

}  // namespace
}  // namespace keyrelay::crypto
