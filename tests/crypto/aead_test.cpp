#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "crypto/context_faults.h"

namespace keyrelay::crypto {
namespace {

core::Bytes filled(std::uint8_t byte, std::size_t n) { return core::Bytes(n, byte); }

const core::Bytes kKey = filled(0x42, kAeadKeySize);
const core::Bytes kIv = filled(0x07, kGcmNonceSize);
const core::ByteView kAad = core::as_bytes("binding");
const core::ByteView kText = core::as_bytes("sk-live-0123456789abcdef");

core::Bytes tag_of(const GcmOutput& out) { return core::Bytes(out.tag.begin(), out.tag.end()); }

TEST(Gcm, EncryptThenDecryptRoundTrips) {
  auto enc = gcm_encrypt(kKey, kIv, kAad, kText);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->ciphertext.size(), kText.size());
  EXPECT_NE(core::as_chars(enc->ciphertext), core::as_chars(kText));
  auto dec = gcm_decrypt(kKey, kIv, kAad, enc->ciphertext, tag_of(*enc));
  ASSERT_TRUE(dec);
  EXPECT_TRUE(dec->equals(kText));
}

TEST(Gcm, EmptyPlaintextAndAadRoundTrip) {
  auto enc = gcm_encrypt(kKey, kIv, {}, {});
  ASSERT_TRUE(enc);
  EXPECT_TRUE(enc->ciphertext.empty());
  auto dec = gcm_decrypt(kKey, kIv, {}, {}, tag_of(*enc));
  ASSERT_TRUE(dec);
  EXPECT_TRUE(dec->empty());
}

TEST(Gcm, DecryptRejectsTamperedTagCiphertextAadOrIv) {
  auto enc = gcm_encrypt(kKey, kIv, kAad, kText);
  ASSERT_TRUE(enc);
  auto tag = tag_of(*enc);
  auto bad_tag = tag;
  bad_tag[15] ^= 0x01;
  auto bad_ct = enc->ciphertext;
  bad_ct[0] ^= 0x80;
  auto bad_iv = kIv;
  bad_iv[11] ^= 0x01;
  const auto expect_rejected = [](core::Result<core::Secret> dec, const char* what) {
    ASSERT_FALSE(dec) << what;
    EXPECT_EQ(dec.error().code, core::Errc::internal) << what;
    EXPECT_EQ(dec.error().message, "data failed authentication") << what;
  };
  expect_rejected(gcm_decrypt(kKey, kIv, kAad, enc->ciphertext, bad_tag), "tag");
  expect_rejected(gcm_decrypt(kKey, kIv, kAad, bad_ct, tag), "ciphertext");
  expect_rejected(gcm_decrypt(kKey, kIv, core::as_bytes("bindinG"), enc->ciphertext, tag), "aad");
  expect_rejected(gcm_decrypt(kKey, bad_iv, kAad, enc->ciphertext, tag), "iv");
  expect_rejected(gcm_decrypt(filled(0x43, 32), kIv, kAad, enc->ciphertext, tag), "key");
}

TEST(Gcm, RefusesKeysThatAreNot32Bytes) {
  for (std::size_t size : {0u, 16u, 24u, 31u, 33u}) {
    auto enc = gcm_encrypt(filled(1, size), kIv, kAad, kText);
    ASSERT_FALSE(enc) << size;
    EXPECT_EQ(enc.error().code, core::Errc::invalid_request);
    auto dec = gcm_decrypt(filled(1, size), kIv, kAad, kText, filled(0, 16));
    ASSERT_FALSE(dec) << size;
    EXPECT_EQ(dec.error().code, core::Errc::invalid_request);
  }
}

TEST(Gcm, AcceptsIvsOf1To128BytesAndRefusesOthers) {
  for (std::size_t size : {1u, 8u, 12u, 16u, 64u, 128u}) {
    auto enc = gcm_encrypt(kKey, filled(9, size), kAad, kText);
    ASSERT_TRUE(enc) << size;
    auto dec = gcm_decrypt(kKey, filled(9, size), kAad, enc->ciphertext, tag_of(*enc));
    ASSERT_TRUE(dec) << size;
    EXPECT_TRUE(dec->equals(kText));
  }
  for (std::size_t size : {0u, 129u, 257u}) {
    auto enc = gcm_encrypt(kKey, filled(9, size), kAad, kText);
    ASSERT_FALSE(enc) << size;
    EXPECT_EQ(enc.error().code, core::Errc::invalid_request);
    auto dec = gcm_decrypt(kKey, filled(9, size), kAad, kText, filled(0, 16));
    ASSERT_FALSE(dec) << size;
    EXPECT_EQ(dec.error().code, core::Errc::invalid_request);
  }
}

TEST(Gcm, DecryptRefusesTagsThatAreNot16Bytes) {
  auto enc = gcm_encrypt(kKey, kIv, kAad, kText);
  ASSERT_TRUE(enc);
  const auto tag = tag_of(*enc);
  for (std::size_t size : {0u, 4u, 12u, 15u}) {
    auto dec = gcm_decrypt(kKey, kIv, kAad, enc->ciphertext, core::ByteView(tag).first(size));
    ASSERT_FALSE(dec) << size;
    EXPECT_EQ(dec.error().code, core::Errc::invalid_request);
  }
  auto longer = tag;
  longer.push_back(0);
  EXPECT_FALSE(gcm_decrypt(kKey, kIv, kAad, enc->ciphertext, longer));
}

TEST(Seal, ProducesFormatByteNonceCiphertextAndTag) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  ASSERT_EQ(sealed->size(), kText.size() + kSealedOverhead);
  EXPECT_EQ((*sealed)[0], kSealedFormatV1);
  // The layout is exactly 0x01 || nonce || ciphertext || tag: re-encrypting with the nonce agrees.
  const core::ByteView view(*sealed);
  auto enc = gcm_encrypt(kKey, view.subspan(1, kGcmNonceSize), kAad, kText);
  ASSERT_TRUE(enc);
  EXPECT_EQ(core::Bytes(view.begin() + 1 + kGcmNonceSize, view.end() - kGcmTagSize),
            enc->ciphertext);
  EXPECT_EQ(core::Bytes(view.end() - kGcmTagSize, view.end()), tag_of(*enc));
}

TEST(Seal, OpenReturnsThePlaintext) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  auto opened = open(kKey, kAad, *sealed);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->equals(kText));
}

TEST(Seal, EmptyPlaintextRoundTrips) {
  auto sealed = seal(kKey, {}, {});
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->size(), kSealedOverhead);
  auto opened = open(kKey, {}, *sealed);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
}

TEST(Seal, TwoSealsOfTheSamePlaintextDiffer) {
  auto a = seal(kKey, kAad, kText);
  auto b = seal(kKey, kAad, kText);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(Seal, OpenRejectsEveryFlippedBit) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto copy = *sealed;
      copy[i] ^= static_cast<std::uint8_t>(1u << bit);
      auto opened = open(kKey, kAad, copy);
      ASSERT_FALSE(opened) << "byte " << i << " bit " << bit;
      EXPECT_EQ(opened.error().code, core::Errc::internal);
    }
  }
}

TEST(Seal, OpenRejectsWrongAadOrKey) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  auto wrong_aad = open(kKey, core::as_bytes("other"), *sealed);
  ASSERT_FALSE(wrong_aad);
  EXPECT_EQ(wrong_aad.error().message, "sealed data failed authentication");
  EXPECT_FALSE(open(filled(0x43, 32), kAad, *sealed));
  EXPECT_FALSE(open(kKey, {}, *sealed));
}

TEST(Seal, OpenRejectsShortOrTruncatedInput) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, kSealedOverhead - 1, sealed->size() - 1}) {
    auto opened = open(kKey, kAad, core::ByteView(*sealed).first(size));
    ASSERT_FALSE(opened) << size;
    EXPECT_EQ(opened.error().code, core::Errc::internal);
  }
}

TEST(Seal, OpenRejectsAnUnknownFormatByte) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  (*sealed)[0] = 0x02;
  auto opened = open(kKey, kAad, *sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().message, "sealed data has an unknown format");
}

// A thread reuses its AES-GCM contexts (aead.cpp): nothing of one use may leak into the next —
// not a failed tag check, not another key, not another IV length.
TEST(Gcm, AReusedContextCarriesNothingFromOneUseToTheNext) {
  const core::Bytes other_key = filled(0x43, kAeadKeySize);
  const core::Bytes long_iv = filled(0x09, 16);
  auto enc = gcm_encrypt(kKey, kIv, kAad, kText);
  auto long_enc = gcm_encrypt(other_key, long_iv, kAad, kText);
  ASSERT_TRUE(enc);
  ASSERT_TRUE(long_enc);
  EXPECT_NE(core::as_chars(enc->ciphertext), core::as_chars(long_enc->ciphertext));

  core::Bytes bad_tag = tag_of(*enc);
  bad_tag[0] ^= 1;
  EXPECT_FALSE(gcm_decrypt(kKey, kIv, kAad, enc->ciphertext, bad_tag));
  EXPECT_FALSE(gcm_decrypt(other_key, kIv, kAad, enc->ciphertext, tag_of(*enc)));
  auto long_dec = gcm_decrypt(other_key, long_iv, kAad, long_enc->ciphertext, tag_of(*long_enc));
  ASSERT_TRUE(long_dec);
  EXPECT_TRUE(long_dec->equals(kText));
  auto dec = gcm_decrypt(kKey, kIv, kAad, enc->ciphertext, tag_of(*enc));
  ASSERT_TRUE(dec);
  EXPECT_TRUE(dec->equals(kText));
  // The same key, IV and text encrypt alike however the context was used before.
  auto again = gcm_encrypt(kKey, kIv, kAad, kText);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ciphertext, enc->ciphertext);
  EXPECT_EQ(tag_of(*again), tag_of(*enc));
}

// OpenSSL failing to set up its context (out of memory) says nothing about the data: it is
// unavailable (retry), never "failed authentication", which means tampering.
TEST(Seal, AContextThatCannotBeSetUpIsTransientNotAnAuthenticationFailure) {
  auto sealed = seal(kKey, kAad, kText);
  ASSERT_TRUE(sealed);
  faults::fail_context_setup_after(0);
  auto opened = open(kKey, kAad, *sealed);
  faults::clear_context_faults();
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::Errc::unavailable) << opened.error().message;
  EXPECT_EQ(opened.error().message.find("authentication"), std::string::npos) << opened.error().message;

  faults::fail_context_setup_after(0);
  auto resealed = seal(kKey, kAad, kText);
  faults::clear_context_faults();
  ASSERT_FALSE(resealed);
  EXPECT_EQ(resealed.error().code, core::Errc::unavailable) << resealed.error().message;

  // The same blob opens once OpenSSL works again: the data was never the problem.
  auto again = open(kKey, kAad, *sealed);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->equals(kText));
}

TEST(Seal, RefusesKeysThatAreNot32Bytes) {
  auto sealed = seal(filled(1, 16), kAad, kText);
  ASSERT_FALSE(sealed);
  EXPECT_EQ(sealed.error().code, core::Errc::invalid_request);
  auto good = seal(kKey, kAad, kText);
  ASSERT_TRUE(good);
  auto opened = open(filled(1, 16), kAad, *good);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::crypto
