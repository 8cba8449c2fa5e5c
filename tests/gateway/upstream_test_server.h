#pragma once
// An in-process HTTP/1.1 server for the upstream client tests, on 127.0.0.1:0, plain or TLS, run
// by its own thread. Each request is answered by a Handler that returns raw bytes, so tests can
// send chunked bodies, odd headers, delays, or drop the connection. Counts connections.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace keyrelay::test {

using TestRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct TestReply {
  std::string raw;                       // written verbatim (status line, headers, body)
  std::chrono::milliseconds delay{0};    // wait before writing
  bool close_after = false;              // close the connection after writing (no header says so)
  bool drop = false;                     // close without writing anything
};

// `connection` counts from 1 in accept order; `index` counts requests on that connection from 1.
using TestHandler = std::function<TestReply(const TestRequest& request, int connection, int index)>;

// A 200 with `body` and a Content-Length.
std::string ok_reply(const std::string& body, const std::string& extra_headers = "");

class UpstreamTestServer {
 public:
  struct Tls {
    std::filesystem::path cert;
    std::filesystem::path key;
  };
  explicit UpstreamTestServer(TestHandler handler, std::optional<Tls> tls = std::nullopt);
  ~UpstreamTestServer();

  std::uint16_t port() const;
  int accepted() const;  // connections accepted so far
  int closed() const;    // connections that ended (either side)
  std::vector<TestRequest> requests() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace keyrelay::test
