#pragma once
// The HTTP server run in-process on an ephemeral port with a test's own routes, and the raw-socket
// client side the server tests talk to it with.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <poll.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string_view>

#include "http/server.h"

namespace keyrelay::http::testing {

class InProcessServer {
 public:
  using tcp = boost::asio::ip::tcp;

  explicit InProcessServer(Router& router) : router_(router) {}
  ~InProcessServer() { stop(); }

  void start(ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.handle_signals = false;
    server_ = std::make_unique<Server>(options, router_);
    auto port = server_->listen();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
    runner_ = std::async(std::launch::async, [this] { server_->run(); });
  }

  void stop() {
    if (!server_) return;
    server_->shutdown();
    EXPECT_EQ(runner_.wait_for(std::chrono::seconds(15)), std::future_status::ready) << "server did not stop";
    server_.reset();
  }

  Server& server() { return *server_; }
  std::future<void>& runner() { return runner_; }
  std::uint16_t port() const noexcept { return port_; }

  tcp::socket connect() {
    tcp::socket s(client_io_);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    return s;
  }

  static void send(tcp::socket& s, std::string_view raw) { boost::asio::write(s, boost::asio::buffer(raw)); }

  static boost::beast::http::response<boost::beast::http::string_body> read_response(
      tcp::socket& s, boost::beast::flat_buffer& buf) {
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::http::read(s, buf, res);
    return res;
  }

  // True when a read would not block (bytes, a close or a reset are waiting) within `wait`.
  static bool readable_within(tcp::socket& s, std::chrono::milliseconds wait) {
    pollfd p{s.native_handle(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
  }

  // Sends the head, then the body one byte per `pace` until the server answers or closes. Returns
  // how long after the head that happened, or nullopt when the whole body went out unanswered.
  static std::optional<std::chrono::milliseconds> drip_body(tcp::socket& s, std::string_view head, std::size_t body_bytes,
                                                            std::chrono::milliseconds pace) {
    send(s, head);
    const auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < body_bytes; ++i) {
      if (readable_within(s, pace))
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      boost::system::error_code ec;
      boost::asio::write(s, boost::asio::buffer("x", 1), ec);
      if (ec) return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    }
    return std::nullopt;
  }

  // True when the peer closed: a read returns EOF or reset.
  static bool peer_closed(tcp::socket& s, boost::beast::flat_buffer& buf) {
    boost::beast::error_code ec;
    s.read_some(buf.prepare(1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  Router& router_;
  std::unique_ptr<Server> server_;
  std::future<void> runner_;
  std::uint16_t port_ = 0;
  boost::asio::io_context client_io_;
};

}  // namespace keyrelay::http::testing
