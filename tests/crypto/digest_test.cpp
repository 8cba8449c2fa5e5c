#include "crypto/digest.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace keyrelay::crypto {
namespace {

std::string hex(const Digest& d) { return core::hex_encode(d); }

// FIPS 180-2 examples.
TEST(Sha256, MatchesFipsValueForAbc) {
  EXPECT_EQ(hex(sha256(core::as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesFipsValueForTheEmptyString) {
  EXPECT_EQ(hex(sha256(core::ByteView())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, MatchesFipsValueForTwoBlockMessage) {
  EXPECT_EQ(hex(sha256(core::as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

}  // namespace
}  // namespace keyrelay::crypto
