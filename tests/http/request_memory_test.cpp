// A request that carried a secret (a key being stored) leaves no copy of it in freed memory once
// it was answered: not its body, not the blocks the read buffer or a growing chunked body left
// behind, not a pipelined neighbour's bytes. Checked by searching every freed block.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <thread>

#include "in_process_server.h"
#include "support/freed_memory_probe.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr std::string_view kMarker = "sk-live-REQUEST-MEMORY-MARKER-0123456789abcdef";

class RequestMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A handler that does nothing about the body: wiping it is the server's job.
    router_.add(Method::post, "/keys",
                [](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
                  co_return Response::json(200, "{\"bytes\":" + std::to_string(req.body.size()) + "}");
                },
                {.max_body_bytes = 1024 * 1024});
    router_.add(Method::get, "/fast", [](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
      co_return Response::json(200, R"({"ok":true})");
    });
    server_.start();
  }

  // Sends `raw`, reads `responses` answers, closes, and waits until the server let go of the
  // connection (its buffers are freed then).
  void exchange(const std::string& raw, int responses) {
    {
      auto s = server_.connect();
      testing::InProcessServer::send(s, raw);
      beast::flat_buffer buf;
      for (int i = 0; i < responses; ++i)
        EXPECT_EQ(testing::InProcessServer::read_response(s, buf).result_int(), 200) << "response " << i;
    }
    for (int i = 0; i < 500 && server_.server().connection_count() > 0; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(server_.server().connection_count(), 0u);
  }

  static std::string json_with_secret(std::size_t padding = 0) {
    return "{\"provider\":\"openai\",\"secret\":\"" + std::string(kMarker) + "\",\"metadata\":{\"pad\":\"" +
           std::string(padding, 'p') + "\"}}";
  }

  Router router_;
  testing::InProcessServer server_{router_};
};

TEST_F(RequestMemoryTest, BodyOfAnAnsweredRequestIsWiped) {
  const std::string body = json_with_secret();
  const std::string raw = "POST /keys HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
  test::FreedMemoryProbe probe(kMarker);
  exchange(raw, 1);
  EXPECT_GT(probe.freed_blocks(), 0u);
  EXPECT_EQ(probe.dirty_blocks(), 0u);
}

TEST_F(RequestMemoryTest, ChunkedBodyLeavesNoCopyAsItGrows) {
  // The secret in the first chunk, then enough chunks to make the body reallocate several times.
  const std::string first = json_with_secret(0);
  std::string raw = "POST /keys HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto add_chunk = [&raw](std::string_view data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    raw += size;
    raw += data;
    raw += "\r\n";
  };
  add_chunk(first);
  for (int i = 0; i < 64; ++i) add_chunk(std::string(4000, 'c'));
  raw += "0\r\n\r\n";
  test::FreedMemoryProbe probe(kMarker);
  exchange(raw, 1);
  EXPECT_EQ(probe.dirty_blocks(), 0u);
}

TEST_F(RequestMemoryTest, PipelinedNeighbourLeavesNoCopy) {
  const std::string body = json_with_secret();
  const std::string raw = "POST /keys HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body + "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n";
  test::FreedMemoryProbe probe(kMarker);
  exchange(raw, 2);
  EXPECT_EQ(probe.dirty_blocks(), 0u);
}

}  // namespace
}  // namespace keyrelay::http
