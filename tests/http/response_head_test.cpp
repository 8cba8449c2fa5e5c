#include "http/response_head.h"

#include <gtest/gtest.h>

namespace keyrelay::http {
namespace {

std::string head_of(int status, const Headers& headers, bool keep_alive, std::size_t body_size) {
  std::string out;
  write_response_head(status, headers, "req-1", keep_alive, body_size, out);
  return out;
}

TEST(ResponseHead, CarriesTheHandlersFieldsThenTheSessionsInOrder) {
  Headers headers;
  headers.set("Content-Type", "application/json");
  headers.add("X-Keyrelay-Attempts", "1");
  EXPECT_EQ(head_of(200, headers, true, 17),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "X-Keyrelay-Attempts: 1\r\n"
            "X-Request-Id: req-1\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Content-Length: 17\r\n"
            "\r\n");
}

TEST(ResponseHead, TheSessionsFramingReplacesTheHandlers) {
  Headers headers;
  headers.add("Content-Length", "999");
  headers.add("Transfer-Encoding", "chunked");
  headers.add("Connection", "keep-alive");
  headers.add("X-Request-Id", "forged");
  headers.add("Cache-Control", "max-age=60");
  headers.add("X-Content-Type-Options", "nosniff");
  EXPECT_EQ(head_of(404, headers, false, 3),
            "HTTP/1.1 404 Not Found\r\n"
            "Cache-Control: max-age=60\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "X-Request-Id: req-1\r\n"
            "Connection: close\r\n"
            "Content-Length: 3\r\n"
            "\r\n");
}

TEST(ResponseHead, AnswersWithoutABodyHaveNoContentLength) {
  for (int status : {101, 204, 304}) {
    const std::string head = head_of(status, Headers{}, true, 0);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
    EXPECT_FALSE(response_has_body(status));
  }
  EXPECT_TRUE(response_has_body(200));
  EXPECT_TRUE(response_has_body(404));
  EXPECT_NE(head_of(200, Headers{}, true, 0).find("Content-Length: 0\r\n"), std::string::npos);
  EXPECT_EQ(head_of(429, Headers{}, true, 0).rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u);
}

}  // namespace
}  // namespace keyrelay::http
