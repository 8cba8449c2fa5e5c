// keyrelay-mock-provider: stands in for the AI and service providers in integration tests, which
// have no internet. Listens on 127.0.0.1 (ephemeral port), writes the port to --port-file, and
// serves until SIGTERM or SIGINT (exit 0).
//
//   /<provider id>/…                 the provider's answer, chosen by the key (see providers.h)
//   GET  /_mock/requests             JSON array of every provider request so far (describe_request)
//   POST /_mock/reset                forgets them
//
// Plain Beast rather than keyrelay's http::Server: the mock must misbehave on purpose (close a
// connection without answering, answer late, stop a stream halfway) and must not add keyrelay's
// own headers. --threads N (default 1) runs the io_context on N threads, one strand per
// connection; the request log is then shared, behind State::mutex.

#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
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
constexpr int kMaxThreads = 64;

// Shared by every connection; with --threads > 1 they run concurrently.
struct State {
  std::mutex mutex;
  std::vector<std::string> requests;  // describe_request() of each provider request; GUARDED_BY(mutex)
  std::map<std::string, int> hook_calls;  // requests per /hooks/ path so far; GUARDED_BY(mutex)
};

// A webhook receiver for keyrelay's alert deliveries (recorded like provider requests):
//   /hooks/ok → 204, /hooks/down → 503, /hooks/slow → 204 after 3 s,
//   /hooks/flakyN → 503 for the first N requests to that path, then 204,
//   /hooks/stallN → the first N requests get no answer for 60 s (an attempt in flight), then 204.
Answer hook_answer(const Incoming& in, State& state) {
  int calls = 0;
  {
    std::lock_guard lock(state.mutex);
    calls = ++state.hook_calls[in.path];
  }
  Answer a;
  a.status = 204;
  const std::string_view name = std::string_view(in.path).substr(std::string_view("/hooks/").size());
  if (name == "down") a.status = 503;
  else if (name == "slow") a.delay = std::chrono::milliseconds(3000);
  else if (name.starts_with("flaky")) {
    const int failures = std::atoi(std::string(name.substr(5)).c_str());
    if (calls <= failures) a.status = 503;
  } else if (name.starts_with("stall")) {
    const int stalled = std::atoi(std::string(name.substr(5)).c_str());
    if (calls <= stalled) a.delay = std::chrono::milliseconds(60'000);
  } else if (name != "ok") a.status = 404;
  return a;
}

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
    {
      std::lock_guard lock(state.mutex);
      for (std::size_t i = 0; i < state.requests.size(); ++i) {
        if (i > 0) body += ',';
        body += state.requests[i];
      }
    }
    return json_answer(200, body + "]");
  }
  if (in.path == "/_mock/reset" && in.method == "POST") {
    std::lock_guard lock(state.mutex);
    state.requests.clear();
    return json_answer(200, R"({"ok":true})");
  }
  return json_answer(404, json::serialize(json::object{
                              {"error", {{"message", "mock provider: no route for " + in.method + " " + in.path},
                                         {"type", "not_found"}}}}));
}

// Linger 0: the peer sees a reset, not an orderly close.
void reset_connection(tcp::socket& socket) {
  beast::error_code ignored;
  socket.set_option(net::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

template <class Message>
void set_head(Message& res, Answer& answer, bool keep_alive) {
  res.set(bhttp::field::server, "keyrelay-mock-provider");
  for (auto& [name, value] : answer.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
}

net::awaitable<void> pause(tcp::socket& socket, std::chrono::milliseconds how_long) {
  net::steady_timer timer(socket.get_executor(), how_long);
  co_await timer.async_wait(as_result);
}

// Head with chunked transfer encoding, then each event as its own chunk and its own write (the
// socket has TCP_NODELAY, so each leaves at once). False when the connection is gone or was reset
// on purpose.
net::awaitable<bool> write_stream(tcp::socket& socket, Answer& answer, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(answer.status), version};
  set_head(res, answer, keep_alive);
  res.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{res};
  auto [head_ec, head_bytes] = co_await bhttp::async_write_header(socket, serializer, as_result);
  if (head_ec) co_return false;

  const std::size_t count = std::min(answer.events.size(), answer.reset_after_events.value_or(answer.events.size()));
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0 && answer.event_gap.count() > 0) co_await pause(socket, answer.event_gap);
    auto [ec, n] = co_await net::async_write(socket, bhttp::make_chunk(net::buffer(answer.events[i])), as_result);
    if (ec) co_return false;
  }
  if (answer.reset_after_events) {
    reset_connection(socket);
    co_return false;
  }
  auto [last_ec, last_bytes] = co_await net::async_write(socket, bhttp::make_chunk_last(), as_result);
  co_return !last_ec;
}

// gzip (RFC 1952) of `data`, as a provider compresses an answer the client accepts compressed.
std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(z.total_out);
  return out;
}

bool accepts_gzip(const Incoming& in) {
  const auto accepted = keyrelay::mock::find_header(in.headers, "Accept-Encoding");
  return accepted && accepted->find("gzip") != std::string_view::npos;
}

net::awaitable<bool> write_plain(tcp::socket& socket, Answer& answer, unsigned version, bool keep_alive,
                                 bool compress) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), version};
  set_head(res, answer, keep_alive);
  if (compress && !answer.body.empty()) {
    res.set(bhttp::field::content_encoding, "gzip");
    res.body() = gzip(answer.body);
  } else {
    res.body() = std::move(answer.body);
  }
  res.prepare_payload();
  if (answer.break_body) {
    // The head promises the whole body; half of it comes, then the connection is reset.
    std::ostringstream wire;
    wire << res;
    const std::string text = wire.str();
    const std::size_t cut = text.size() - res.body().size() / 2;
    co_await net::async_write(socket, net::buffer(text.data(), cut), as_result);
    reset_connection(socket);
    co_return false;
  }
  auto [ec, written] = co_await bhttp::async_write(socket, res, as_result);
  co_return !ec;
}

net::awaitable<void> serve_connection(tcp::socket socket, State& state) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
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
      std::string described = keyrelay::mock::describe_request(in);
      {
        std::lock_guard lock(state.mutex);
        state.requests.push_back(std::move(described));
      }
      answer = in.path.starts_with("/hooks/") ? hook_answer(in, state) : keyrelay::mock::answer_provider_request(in);
    }

    if (answer.delay.count() > 0) co_await pause(socket, answer.delay);
    if (answer.reset) {
      reset_connection(socket);
      co_return;
    }
    const bool keep_alive = req.keep_alive();
    bool ok = false;
    if (answer.is_streamed()) {
      ok = co_await write_stream(socket, answer, req.version(), keep_alive);
    } else {
      ok = co_await write_plain(socket, answer, req.version(), keep_alive, accepts_gzip(in));
    }
    if (!socket.is_open()) co_return;
    if (!ok || !keep_alive) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

// `io` is the plain io_context executor (not the acceptor's strand): a strand made from a strand
// would serialize every connection behind the acceptor.
net::awaitable<void> accept_loop(tcp::acceptor& acceptor, net::io_context::executor_type io, State& state) {
  for (;;) {
    // Each connection gets its own strand, so with several threads one connection's steps never
    // run concurrently while different connections do.
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(io), as_result);
    if (ec) {
      if (!acceptor.is_open()) co_return;
      continue;
    }
    auto executor = socket.get_executor();
    net::co_spawn(executor, serve_connection(std::move(socket), state), net::detached);
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
  std::cerr << "usage: keyrelay-mock-provider --port-file PATH [--threads N]\n";
  return 2;
}

std::optional<int> parse_threads(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > kMaxThreads) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path port_file;
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      const auto parsed = parse_threads(argv[++i]);
      if (!parsed) {
        std::cerr << "keyrelay-mock-provider: --threads takes a number from 1 to " << kMaxThreads << "\n";
        return usage();
      }
      threads = *parsed;
    } else {
      std::cerr << "keyrelay-mock-provider: unknown argument " << arg << "\n";
      return usage();
    }
  }
  if (port_file.empty()) return usage();

  try {
    net::io_context io{threads};
    State state;
    // The acceptor lives on its own strand: the accept loop and the signal handler both touch it.
    tcp::acceptor acceptor(net::make_strand(io), tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    const std::uint16_t port = acceptor.local_endpoint().port();

    net::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const beast::error_code&, int) {
      net::post(acceptor.get_executor(), [&] {
        beast::error_code ignored;
        acceptor.close(ignored);
        io.stop();
      });
    });
    net::co_spawn(acceptor.get_executor(), accept_loop(acceptor, io.get_executor(), state), net::detached);

    if (!write_port_file(port_file, port)) {
      std::cerr << "keyrelay-mock-provider: cannot write " << port_file << "\n";
      return 1;
    }
    std::cerr << "keyrelay-mock-provider: listening on 127.0.0.1:" << port << " (" << threads << " thread"
              << (threads == 1 ? "" : "s") << ")\n";
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    std::cerr << "keyrelay-mock-provider: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
