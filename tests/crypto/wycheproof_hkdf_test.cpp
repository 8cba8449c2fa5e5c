// HKDF-SHA256 against Project Wycheproof's hkdf_sha256_test.json (see shared/vectors/README.md).

#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include <iostream>

#include "crypto/wycheproof.h"

namespace keyrelay::crypto {
namespace {

using test::describe;
using test::hex_field;
using test::load_vectors;

TEST(VectorCounts, HkdfSha256) {
  const auto root = load_vectors("hkdf_sha256_test.json");
  std::size_t seen = 0, valid = 0, invalid = 0, passed = 0, rejected = 0, empty_salt = 0;
  for (const auto& gv : root.at("testGroups").as_array()) {
    for (const auto& tv : gv.as_object().at("tests").as_array()) {
      const auto& t = tv.as_object();
      ++seen;
      const std::string what = describe(t);
      const auto ikm = hex_field(t, "ikm"), salt = hex_field(t, "salt"),
                 info = hex_field(t, "info");
      const auto size = t.at("size").to_number<std::size_t>();
      if (salt.empty()) ++empty_salt;
      auto okm = hkdf_sha256(ikm, salt, info, size);
      const std::string_view result = t.at("result").as_string();
      if (result == "valid") {
        ++valid;
        ASSERT_TRUE(okm) << what << ": " << okm.error().message;
        EXPECT_TRUE(okm->equals(hex_field(t, "okm"))) << what;
        if (okm->equals(hex_field(t, "okm"))) ++passed;
      } else if (result == "invalid") {
        ++invalid;
        EXPECT_FALSE(okm) << what << " was accepted";
        if (!okm) ++rejected;
      } else {
        ADD_FAILURE() << "no policy for result \"" << result << "\": " << what;
      }
    }
  }
  std::cout << "HKDF SHA-256 Wycheproof: " << passed << " passed valid, " << rejected
            << " rejected invalid of " << seen << " (" << empty_salt << " with empty salt)"
            << std::endl;

  EXPECT_EQ(seen, root.at("numberOfTests").to_number<std::size_t>());
  EXPECT_EQ(seen, 86u);
  EXPECT_EQ(valid, 83u);
  EXPECT_EQ(invalid, 3u);
  EXPECT_EQ(passed, valid);
  EXPECT_EQ(rejected, invalid);
  EXPECT_EQ(empty_salt, 23u) << "an empty salt must be left out of the OpenSSL parameters";
}

}  // namespace
}  // namespace keyrelay::crypto
