// keyrelay-mock-provider: stands in for the AI and service providers in integration tests, which
// have no internet. Listens on 127.0.0.1 (ephemeral port), writes the port to --port-file, and
// serves until SIGTERM or SIGINT (exit 0).
//
//   /<provider id>/<validate path>   the provider's answer, chosen by the key (see providers.h)
//   GET  /_mock/requests             JSON array of every provider request so far (describe_request)
//   POST /_mock/reset                forgets them
//
// Plain Beast rather than keyrelay's http::Server: the mock must misbehave on purpose (close a
// connection without answering, answer late) and must not add keyrelay's own headers.
// One thread, so the request log needs no lock.

#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "providers.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using net::ip::tcp;
using keyrelay::mock::Answer;
using keyrelay::mock::Incoming;

constexpr auto as_result = net::as_tuple(net::use_awaitable);
constexpr std::size_t kMaxBody = 16 * 1024 * 1024;

struct State {
  std::vector<std::string> requests;  // describe_request() of each provider request
};

Incoming to_incoming(const bhttp::request<bhttp::string_body>& req) {
  Incoming in;
  in.method = std::string(req.method_string());
  in.target = std::string(req.target());
  const auto q = in.target.find('?');
  in.path = in.target.substr(0, q);
  if (q != std::string::npos) in.query = in.target.substr(q + 1);
  for (const auto& field : req) in.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  in.body = req.body();
  return in;
}

Answer json_answer(int status, std::string body) {
  Answer a;
  a.status = status;
  a.headers.emplace_back("Content-Type", "application/json");
  a.body = std::move(body);
  return a;
}

Answer control_answer(const Incoming& in, State& state) {
  if (in.path == "/_mock/requests" && in.method == "GET") {
    std::string body = "[";
    for (std::size_t i = 0; i < state.requests.size(); ++i) {
      if (i > 0) body += ',';
      body += state.requests[i];
    }
    return json_answer(200, body + "]");
  }
  if (in.path == "/_mock/reset" && in.method == "POST") {
    state.requests.clear();
    return json_answer(200, R"({"ok":true})");
  }
  return json_answer(404, json::serialize(json::object{
                              {"error", {{"message", "mock provider: no route for " + in.method + " " + in.path},
                                         {"type", "not_found"}}}}));
}

net::awaitable<void> serve_connection(tcp::socket socket, State& state) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxBody);
    auto [read_ec, read_bytes] = co_await bhttp::async_read(socket, buffer, parser, as_result);
    if (read_ec) break;
    const auto req = parser.release();
    const Incoming in = to_incoming(req);

    Answer answer;
    if (in.path == "/_mock" || in.path.starts_with("/_mock/")) {
      answer = control_answer(in, state);
    } else {
      state.requests.push_back(keyrelay::mock::describe_request(in));
      answer = keyrelay::mock::answer_provider_request(in);
    }

    if (answer.delay.count() > 0) {
      net::steady_timer timer(socket.get_executor(), answer.delay);
      co_await timer.async_wait(as_result);
    }
    if (answer.reset) {
      // Linger 0: close with a reset, no answer at all.
      beast::error_code ignored;
      socket.set_option(net::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      co_return;
    }

    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), req.version()};
    res.set(bhttp::field::server, "keyrelay-mock-provider");
    for (auto& [name, value] : answer.headers) res.insert(name, value);
    res.body() = std::move(answer.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [write_ec, written] = co_await bhttp::async_write(socket, res, as_result);
    if (write_ec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, State& state) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(as_result);
    if (ec) {
      if (!acceptor.is_open()) co_return;
      continue;
    }
    net::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), state), net::detached);
  }
}

// Writes "<port>\n" to a temp file beside `path`, then renames it over `path`.
bool write_port_file(const std::filesystem::path& path, std::uint16_t port) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

int usage() {
  std::cerr << "usage: keyrelay-mock-provider --port-file PATH\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path port_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else {
      std::cerr << "keyrelay-mock-provider: unknown argument " << arg << "\n";
      return usage();
    }
  }
  if (port_file.empty()) return usage();

  try {
    net::io_context io{1};
    State state;
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    const std::uint16_t port = acceptor.local_endpoint().port();

    net::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const beast::error_code&, int) {
      beast::error_code ignored;
      acceptor.close(ignored);
      io.stop();
    });
    net::co_spawn(io, accept_loop(acceptor, state), net::detached);

    if (!write_port_file(port_file, port)) {
      std::cerr << "keyrelay-mock-provider: cannot write " << port_file << "\n";
      return 1;
    }
    std::cerr << "keyrelay-mock-provider: listening on 127.0.0.1:" << port << "\n";
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "keyrelay-mock-provider: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
