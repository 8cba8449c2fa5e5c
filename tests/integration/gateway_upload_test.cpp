// Uploads through /proxy: a body larger than the buffered threshold goes upstream as it arrives
// (Content-Length or chunked) and reaches the provider byte for byte; it is never replayed to a
// second key, while a small body still falls back.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/http_client.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::string payload(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 2463534242u;  // xorshift: bytes that no compression or pattern could fake
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>('a' + x % 26);
  }
  return s;
}

// The body the mock's "echo" answer says it received.
std::string echoed_body(const HttpResponse& r) { return text_of(json::parse(r.body).as_object().at("body")); }

class GatewayUpload : public ::testing::Test {
 protected:
  Gateway gw;
};

TEST_F(GatewayUpload, FiveMegabytesWithContentLengthArriveUnchanged) {
  gw.add_key(gw.alice, "openai", "echo");
  const std::string body = payload(5 * 1024 * 1024);
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions", body,
                         {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(r.status, 200) << describe(r);
  const std::string seen = echoed_body(r);
  EXPECT_EQ(seen.size(), body.size());
  EXPECT_TRUE(seen == body) << "the provider received different bytes";
  auto requests = gw.upstream_requests("/openai/chat/completions");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(text_of(requests[0].at("headers").as_object().at("content-length")), std::to_string(body.size()));
}

TEST_F(GatewayUpload, ChunkedUploadIsPassedOnChunked) {
  gw.add_key(gw.alice, "openai", "echo");
  const std::string body = payload(3 * 1024 * 1024 + 17);
  auto conn = HttpConnection::connect(gw.vault.server().port());
  std::string head = "POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: keyrelay\r\nAuthorization: Bearer " +
                     gw.alice.token + "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_TRUE(conn.send(head));
  for (std::size_t at = 0; at < body.size(); at += 256 * 1024) {
    const std::string_view piece = std::string_view(body).substr(at, 256 * 1024);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    ASSERT_TRUE(conn.send(std::string(size) + std::string(piece) + "\r\n"));
  }
  ASSERT_TRUE(conn.send("0\r\n\r\n"));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << describe(*r);
  EXPECT_TRUE(echoed_body(*r) == body) << "the provider received different bytes";
  auto requests = gw.upstream_requests("/openai/chat/completions");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(text_of(requests[0].at("headers").as_object().at("transfer-encoding")), "chunked");
  // The body was read to its end, so the connection serves the next request.
  auto next = conn.request("GET", "/healthz");
  EXPECT_EQ(next.status, 200);
}

TEST_F(GatewayUpload, StreamedBodyIsNeverSentToASecondKey) {
  gw.add_key(gw.alice, "openai", "error", {{"priority", 0}}, "first");
  gw.add_key(gw.alice, "openai", "echo", {{"priority", 1}}, "second");
  // 200 KB streams: once the first key's provider took it, it cannot be sent again. (A chat body,
  // so that the mock's "error" key answers 500 rather than refusing the JSON.)
  const std::string big_body = json::serialize(Gateway::chat_body("gpt-4o-mini", payload(200 * 1024)));
  auto big = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions", big_body);
  EXPECT_TRUE(is_api_error(big, 502, "upstream_error")) << describe(big);
  EXPECT_EQ(big.header("X-Keyrelay-Attempts"), "1");
  EXPECT_NE(big.body.find("cannot be sent twice"), std::string::npos) << big.body;
  EXPECT_EQ(gw.upstream_requests("/openai/chat/completions").size(), 1u);

  // 10 KB is buffered, so the second key gets it after the first fails.
  const std::string small = json::serialize(Gateway::chat_body("gpt-4o-mini", payload(10 * 1024)));
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions", small);
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");
  EXPECT_TRUE(echoed_body(r) == small);
}

TEST_F(GatewayUpload, RefusedUploadIsAnsweredAndTheConnectionClosed) {
  // No key for the provider: the answer comes before the body was read, so the connection closes.
  auto conn = HttpConnection::connect(gw.vault.server().port());
  const std::string body = payload(1024 * 1024);
  ASSERT_TRUE(conn.send(format_request("POST", "/proxy/openai/chat/completions",
                                       {{"Authorization", "Bearer " + gw.alice.token}}, body)));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_TRUE(is_api_error(*r, 424, "no_usable_key")) << describe(*r);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(conn.wait_for_close(deadline_in(std::chrono::seconds(5))));
}

}  // namespace
}  // namespace keyrelay::test
