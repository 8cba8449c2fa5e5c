#include "upstream_test_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace keyrelay::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {
constexpr auto as_result = net::as_tuple(net::use_awaitable);
}  // namespace

std::string ok_reply(const std::string& body, const std::string& extra_headers) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

// Coroutines reference Impl by `this`: the io_context is a member, so its frames die with it.
struct UpstreamTestServer::Impl {
  explicit Impl(TestHandler h) : handler(std::move(h)), acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0}) {}

  TestHandler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::optional<net::ssl::context> tls;
  std::atomic<int> accepted{0};
  std::atomic<int> closed{0};
  mutable std::mutex mutex;
  std::vector<TestRequest> requests;  // guarded by mutex

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(as_result);
      if (ec) co_return;
      const int id = ++accepted;
      net::co_spawn(ioc, serve(std::move(socket), id), net::detached);
    }
  }

  net::awaitable<void> serve(tcp::socket socket, int id) {
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
      auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, as_result);
      if (!ec) co_await session(stream, id);
      beast::get_lowest_layer(stream).close();
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await session(stream, id);
      stream.close();
    }
    ++closed;
  }

  template <class Stream>
  net::awaitable<void> session(Stream& stream, int id) {
    beast::flat_buffer buffer;
    for (int index = 1;; ++index) {
      TestRequest request;
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, request, as_result);
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        requests.push_back(request);
      }
      TestReply reply = handler(request, id, index);
      if (reply.drop) co_return;
      if (reply.delay.count() > 0) {
        net::steady_timer timer(ioc, reply.delay);
        co_await timer.async_wait(as_result);
      }
      auto [wec, wn] = co_await net::async_write(stream, net::buffer(reply.raw), as_result);
      if (wec || reply.close_after) co_return;
    }
  }
};

UpstreamTestServer::UpstreamTestServer(TestHandler handler, std::optional<Tls> tls)
    : impl_(std::make_shared<Impl>(std::move(handler))) {
  if (tls) {
    impl_->tls.emplace(net::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls->cert.string());
    impl_->tls->use_private_key_file(tls->key.string(), net::ssl::context::pem);
  }
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  thread_ = std::thread([impl = impl_] { impl->ioc.run(); });
}

UpstreamTestServer::~UpstreamTestServer() {
  impl_->ioc.stop();
  thread_.join();
}

std::uint16_t UpstreamTestServer::port() const { return impl_->acceptor.local_endpoint().port(); }
int UpstreamTestServer::accepted() const { return impl_->accepted.load(); }
int UpstreamTestServer::closed() const { return impl_->closed.load(); }

std::vector<TestRequest> UpstreamTestServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace keyrelay::test
