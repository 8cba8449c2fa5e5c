// AES-256-GCM against Project Wycheproof's aes_gcm_test.json (see shared/vectors/README.md).

#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "crypto/wycheproof.h"

namespace keyrelay::crypto {
namespace {

using test::describe;
using test::hex_field;
using test::load_vectors;

core::Bytes concat(core::ByteView a, core::ByteView b) {
  core::Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Runs every 256-bit test through gcm_encrypt/gcm_decrypt, counting the outcomes. An IV longer
// than OpenSSL's 128-byte limit is "unsupported": it must be refused, and never counts as passed.
TEST(VectorCounts, AesGcm256) {
  const auto root = load_vectors("aes_gcm_test.json");
  std::size_t seen = 0, groups = 0, groups_256 = 0, total = 0, valid = 0, invalid = 0;
  std::size_t passed = 0, rejected = 0, unsupported = 0;
  for (const auto& gv : root.at("testGroups").as_array()) {
    const auto& group = gv.as_object();
    ++groups;
    const bool is_256 = group.at("keySize").to_number<int>() == 256;
    if (is_256) ++groups_256;
    ASSERT_EQ(group.at("tagSize").to_number<int>(), 128);
    for (const auto& tv : group.at("tests").as_array()) {
      const auto& t = tv.as_object();
      ++seen;
      if (!is_256) continue;
      ++total;
      const std::string what = describe(t);
      const std::string_view result = t.at("result").as_string();
      const auto key = hex_field(t, "key"), iv = hex_field(t, "iv"), aad = hex_field(t, "aad");
      const auto msg = hex_field(t, "msg"), ct = hex_field(t, "ct"), tag = hex_field(t, "tag");
      if (result == "valid")
        ++valid;
      else if (result == "invalid")
        ++invalid;
      else
        ADD_FAILURE() << "no policy for result \"" << result << "\": " << what;

      if (iv.size() > kGcmMaxIvSize) {
        auto enc = gcm_encrypt(key, iv, aad, msg);
        auto dec = gcm_decrypt(key, iv, aad, ct, tag);
        EXPECT_FALSE(enc) << what;
        ASSERT_FALSE(dec) << what;
        EXPECT_EQ(dec.error().code, core::Errc::invalid_request) << what;
        ++unsupported;
        continue;
      }
      auto dec = gcm_decrypt(key, iv, aad, ct, tag);
      if (result == "valid") {
        auto enc = gcm_encrypt(key, iv, aad, msg);
        ASSERT_TRUE(enc) << what << ": " << enc.error().message;
        EXPECT_EQ(enc->ciphertext, ct) << what;
        EXPECT_EQ(core::Bytes(enc->tag.begin(), enc->tag.end()), tag) << what;
        ASSERT_TRUE(dec) << what << ": " << dec.error().message;
        EXPECT_TRUE(dec->equals(msg)) << what;
        if (enc->ciphertext == ct && core::Bytes(enc->tag.begin(), enc->tag.end()) == tag &&
            dec->equals(msg)) {
          ++passed;
        }
      } else {
        EXPECT_FALSE(dec) << what << " was accepted";
        if (!dec) ++rejected;
      }
    }
  }
  std::cout << "AES-GCM 256-bit Wycheproof: " << passed << " passed valid, " << rejected
            << " rejected invalid, " << unsupported << " unsupported of " << total
            << " (groups: " << groups_256 << " of " << groups
            << " with 256-bit keys; file: " << seen << " tests)" << std::endl;

  EXPECT_EQ(seen, root.at("numberOfTests").to_number<std::size_t>());
  EXPECT_EQ(seen, 316u);
  EXPECT_EQ(total, 105u);
  EXPECT_EQ(passed + rejected + unsupported, total);
  EXPECT_EQ(rejected, invalid) << "every invalid test must be rejected";
  EXPECT_EQ(passed + unsupported, valid);
  EXPECT_EQ(unsupported, 1u) << "only tcId 276 (2056-bit IV) exceeds OpenSSL's 128-byte IV limit";
}

// The vault profile (256-bit key, 96-bit IV): each test as a blob of the vault format, opened with
// open(); valid messages also round-trip through seal().
TEST(WycheproofAesGcm, VaultProfileGroupOpensThroughVaultFormat) {
  const auto root = load_vectors("aes_gcm_test.json");
  std::size_t valid = 0, invalid = 0;
  for (const auto& gv : root.at("testGroups").as_array()) {
    const auto& group = gv.as_object();
    if (group.at("keySize").to_number<int>() != 256 || group.at("ivSize").to_number<int>() != 96)
      continue;
    for (const auto& tv : group.at("tests").as_array()) {
      const auto& t = tv.as_object();
      const std::string what = describe(t);
      const auto key = hex_field(t, "key"), iv = hex_field(t, "iv"), aad = hex_field(t, "aad");
      const auto msg = hex_field(t, "msg"), ct = hex_field(t, "ct"), tag = hex_field(t, "tag");
      core::Bytes sealed{kSealedFormatV1};
      sealed = concat(concat(concat(sealed, iv), ct), tag);
      auto opened = open(key, aad, sealed);
      if (std::string_view(t.at("result").as_string()) == "valid") {
        ++valid;
        ASSERT_TRUE(opened) << what << ": " << opened.error().message;
        EXPECT_TRUE(opened->equals(msg)) << what;
        auto resealed = seal(key, aad, msg);
        ASSERT_TRUE(resealed) << what;
        EXPECT_EQ(resealed->size(), msg.size() + kSealedOverhead) << what;
        auto reopened = open(key, aad, *resealed);
        ASSERT_TRUE(reopened) << what;
        EXPECT_TRUE(reopened->equals(msg)) << what;
      } else {
        ++invalid;
        EXPECT_FALSE(opened) << what << " was accepted";
      }
    }
  }
  EXPECT_EQ(valid, 39u);
  EXPECT_EQ(invalid, 27u);
}

// 128- and 192-bit keys are not AES-256: the wrapper refuses every one of them, valid or not.
TEST(WycheproofAesGcm, OtherKeySizesAreRefused) {
  const auto root = load_vectors("aes_gcm_test.json");
  std::set<int> sizes;
  for (const auto& gv : root.at("testGroups").as_array()) {
    const auto& group = gv.as_object();
    const int bits = group.at("keySize").to_number<int>();
    if (bits == 256) continue;
    sizes.insert(bits);
    for (const auto& tv : group.at("tests").as_array()) {
      const auto& t = tv.as_object();
      auto dec = gcm_decrypt(hex_field(t, "key"), hex_field(t, "iv"), hex_field(t, "aad"),
                             hex_field(t, "ct"), hex_field(t, "tag"));
      ASSERT_FALSE(dec) << describe(t);
      EXPECT_EQ(dec.error().code, core::Errc::invalid_request) << describe(t);
    }
  }
  EXPECT_EQ(sizes, (std::set<int>{128, 192}));
}

}  // namespace
}  // namespace keyrelay::crypto
