#include "gateway/upstream_wire.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

TEST(UpstreamWire, KnowsHopByHopHeaders) {
  for (const char* name : {"Connection", "keep-alive", "PROXY-AUTHORIZATION", "Proxy-Connection", "TE", "Trailer",
                           "Transfer-Encoding", "Upgrade"})
    EXPECT_TRUE(is_hop_by_hop(name)) << name;
  for (const char* name : {"Content-Type", "Authorization", "X-Api-Key", "Trailers", "Host", "Proxy"})
    EXPECT_FALSE(is_hop_by_hop(name)) << name;
}

TEST(UpstreamWire, StripsHopByHopAndConnectionListedFields) {
  http::Headers h;
  h.add("Content-Type", "application/json");
  h.add("Connection", "keep-alive, X-Private ,x-other");
  h.add("X-Private", "1");
  h.add("X-Other", "2");
  h.add("Keep-Alive", "timeout=5");
  h.add("Set-Cookie", "a=1");
  strip_hop_by_hop(h);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h.fields()[0].first, "Content-Type");
  EXPECT_EQ(h.fields()[1].first, "Set-Cookie");
}

TEST(UpstreamWire, SerializesHeadWithHostAndLength) {
  http::Headers h;
  const std::pair<const char*, const char*> fields[] = {
      {"Host", "evil.example"}, {"Content-Length", "1"}, {"Transfer-Encoding", "chunked"}, {"x-api-key", "k"}};
  for (const auto& [name, value] : fields) h.add(name, value);
  std::string out;
  ASSERT_TRUE(serialize_request("POST", "/v1/messages?x=1", "api.anthropic.com", h, "{}", out));
  EXPECT_EQ(out,
            "POST /v1/messages?x=1 HTTP/1.1\r\nHost: api.anthropic.com\r\nx-api-key: k\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(UpstreamWire, GetWithoutBodyHasNoContentLength) {
  std::string out;
  ASSERT_TRUE(serialize_request("GET", "/", "h:8080", {}, "", out));
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: h:8080\r\n\r\n");
  out.clear();
  ASSERT_TRUE(serialize_request("POST", "/", "h", {}, "", out));
  EXPECT_NE(out.find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(UpstreamWire, RefusesFramingBreakersWithoutEchoingValues) {
  std::string out;
  http::Headers bad_value;
  bad_value.add("X-Key", "SECRET123\r\nX-Evil: 1");
  auto r = serialize_request("GET", "/", "h", bad_value, "", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::invalid_request);
  EXPECT_EQ(r.error().message.find("SECRET123"), std::string::npos);

  http::Headers bad_name;
  bad_name.add("X Key", "v");
  EXPECT_FALSE(serialize_request("GET", "/", "h", bad_name, "", out));
  EXPECT_FALSE(serialize_request("GE T", "/", "h", {}, "", out));
  EXPECT_FALSE(serialize_request("", "/", "h", {}, "", out));
}

TEST(UpstreamWire, HeadOnlyAnnouncesAKnownLength) {
  http::Headers h;
  // From an array, as above: GCC 12 warns falsely on several add() calls with literals in a row.
  const std::pair<const char*, const char*> fields[] = {
      {"Content-Length", "1"}, {"Transfer-Encoding", "chunked"}, {"Content-Type", "application/octet-stream"}};
  for (const auto& [name, value] : fields) h.add(name, value);
  std::string out;
  ASSERT_TRUE(serialize_request_head("PUT", "/upload", "h", h, std::size_t{5}, out));
  EXPECT_EQ(out, "PUT /upload HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\n"
                 "Content-Length: 5\r\n\r\n");
}

TEST(UpstreamWire, HeadOnlyIsChunkedWhenTheLengthIsUnknown) {
  std::string out;
  ASSERT_TRUE(serialize_request_head("POST", "/", "h", {}, std::nullopt, out));
  EXPECT_EQ(out, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  http::Headers bad;
  bad.add("X-Bad", "a\r\nInjected: 1");
  EXPECT_FALSE(serialize_request_head("POST", "/", "h", bad, std::nullopt, out));
}

TEST(UpstreamWire, FramesChunksInHexAndEndsWithTheLastChunk) {
  const std::string data(26, 'x');
  std::string out;
  append_chunk(data, out);
  append_chunk("", out);
  std::string expected = "1a\r\n";
  expected.append(data).append("\r\n0\r\n\r\n");
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace keyrelay::gateway
