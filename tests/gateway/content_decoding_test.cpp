#include "gateway/content_decoding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <stdexcept>

namespace keyrelay::gateway {
namespace {

// `data` compressed with zlib's deflate: window_bits 15 + 16 = gzip, 15 = zlib, -15 = raw.
std::string compress(std::string_view data, int window_bits) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string kAnswer = R"({"error":{"code":400,"details":[{"reason":"API_KEY_INVALID"}]}})";

TEST(ContentDecoding, UndoesGzipAndBothDeflateFramings) {
  EXPECT_EQ(*decode_body("gzip", compress(kAnswer, 15 + 16), 1 << 20), kAnswer);
  EXPECT_EQ(*decode_body("X-Gzip", compress(kAnswer, 15 + 16), 1 << 20), kAnswer);
  EXPECT_EQ(*decode_body("deflate", compress(kAnswer, 15), 1 << 20), kAnswer);
  EXPECT_EQ(*decode_body("deflate", compress(kAnswer, -15), 1 << 20), kAnswer);
  EXPECT_EQ(*decode_body("", kAnswer, 1 << 20), kAnswer);
  EXPECT_EQ(*decode_body("identity", kAnswer, 1 << 20), kAnswer);
  // Codings applied in order are undone in reverse.
  EXPECT_EQ(*decode_body("deflate, gzip", compress(compress(kAnswer, 15), 15 + 16), 1 << 20), kAnswer);
}

TEST(ContentDecoding, RefusesWhatItCannotDecodeSafely) {
  EXPECT_FALSE(decode_body("br", kAnswer, 1 << 20));
  const std::string gz = compress(kAnswer, 15 + 16);
  EXPECT_FALSE(decode_body("gzip", gz.substr(0, gz.size() / 2), 1 << 20)) << "a cut body";
  EXPECT_FALSE(decode_body("gzip", "not gzip at all", 1 << 20));
  // A small compressed body that expands past the limit (a zip bomb) stops at the limit.
  const std::string bomb = compress(std::string(10 << 20, 'a'), 15 + 16);
  ASSERT_LT(bomb.size(), 64u * 1024);
  auto refused = decode_body("gzip", bomb, 1 << 20);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("larger than"), std::string::npos);
  EXPECT_FALSE(decode_body("", std::string(2048, 'x'), 1024));
}

TEST(ContentDecoding, AcceptEncodingKeepsOnlyCodingsKeyrelayDecodes) {
  EXPECT_EQ(decodable_accept_encoding("gzip, deflate, br"), "gzip, deflate");
  EXPECT_EQ(decodable_accept_encoding("br;q=1.0, gzip;q=0.8, *;q=0.1"), "gzip;q=0.8");
  EXPECT_EQ(decodable_accept_encoding("zstd, br"), "");
  EXPECT_EQ(decodable_accept_encoding("identity"), "identity");
  EXPECT_TRUE(can_decode(""));
  EXPECT_TRUE(can_decode("gzip"));
  EXPECT_FALSE(can_decode("br"));
  EXPECT_FALSE(can_decode("gzip, zstd"));
}

}  // namespace
}  // namespace keyrelay::gateway
