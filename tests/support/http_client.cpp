#include "support/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace keyrelay::test {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

int poll_timeout_ms(Deadline deadline) { return static_cast<int>(time_left(deadline).count()); }

void set_socket_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::size_t> parse_size(std::string_view text, int base = 10) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Parses the status line and header fields of `head` (without the final empty line).
HttpResponse parse_head(std::string_view head) {
  HttpResponse response;
  auto line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  auto sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos || !status_line.starts_with("HTTP/")) {
    throw HttpClientError("malformed status line: " + std::string(status_line));
  }
  response.version = std::string(status_line.substr(0, sp1));
  auto rest = status_line.substr(sp1 + 1);
  auto sp2 = rest.find(' ');
  auto code = parse_size(rest.substr(0, sp2));
  if (!code || *code < 100 || *code > 999) {
    throw HttpClientError("malformed status code: " + std::string(status_line));
  }
  response.status = static_cast<int>(*code);
  if (sp2 != std::string_view::npos) response.reason = std::string(rest.substr(sp2 + 1));

  std::string_view fields = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!fields.empty()) {
    auto end = fields.find("\r\n");
    std::string_view line = fields.substr(0, end);
    fields = end == std::string_view::npos ? "" : fields.substr(end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      throw HttpClientError("malformed header line: " + std::string(line));
    }
    std::string name(line.substr(0, colon));
    std::string value(trim(line.substr(colon + 1)));
    auto [it, inserted] = response.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  return response;
}

bool is_chunked(const HttpResponse& response) {
  auto te = response.header("Transfer-Encoding");
  return te && te->find("chunked") != std::string::npos;
}

// Decodes a complete chunked body at the start of `data`. Returns the bytes consumed (including
// the trailer), or nullopt when more data is needed. Throws on malformed chunk sizes.
std::optional<std::size_t> decode_chunked(std::string_view data, std::string& body) {
  std::size_t pos = 0;
  body.clear();
  for (;;) {
    auto line_end = data.find("\r\n", pos);
    if (line_end == std::string_view::npos) return std::nullopt;
    auto size_text = data.substr(pos, line_end - pos);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions
    auto size = parse_size(trim(size_text), 16);
    if (!size) throw HttpClientError("malformed chunk size: " + std::string(size_text));
    pos = line_end + 2;
    if (*size == 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        auto end = data.find("\r\n", pos);
        if (end == std::string_view::npos) return std::nullopt;
        bool empty = end == pos;
        pos = end + 2;
        if (empty) return pos;
      }
    }
    if (data.size() < pos + *size + 2) return std::nullopt;
    body.append(data.substr(pos, *size));
    pos += *size + 2;
  }
}

}  // namespace

HttpConnection HttpConnection::connect(std::uint16_t port, std::chrono::milliseconds timeout) {
  auto result = try_connect(port, timeout);
  if (!result.connection) {
    throw HttpClientError("connect to 127.0.0.1:" + std::to_string(port) +
                          " failed: " + errno_text(result.error));
  }
  return std::move(*result.connection);
}

ConnectResult HttpConnection::try_connect(std::uint16_t port, std::chrono::milliseconds timeout) {
  // CLOEXEC: the tests spawn servers while holding connections; a child must not inherit them.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return {std::nullopt, errno};
  HttpConnection connection(fd, timeout);

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return {std::nullopt, errno};
    pollfd pfd{fd, POLLOUT, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (ready == 0) return {std::nullopt, ETIMEDOUT};
    if (ready < 0) return {std::nullopt, errno};
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return {std::nullopt, error};
  }
  // Back to blocking; reads still wait through poll() against a deadline, and SO_RCVTIMEO /
  // SO_SNDTIMEO are the safety net for anything that would otherwise block forever.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  set_socket_timeouts(fd, timeout);
  // Trickled single bytes (slow-loris test) must leave at once, not wait for Nagle.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return {std::move(connection), 0};
}

HttpConnection::~HttpConnection() { close_fd(); }

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      timeout_(other.timeout_),
      buffer_(std::move(other.buffer_)),
      peer_closed_(other.peer_closed_),
      reset_(other.reset_),
      tls_(std::move(other.tls_)) {}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    close_fd();
    fd_ = std::exchange(other.fd_, -1);
    timeout_ = other.timeout_;
    buffer_ = std::move(other.buffer_);
    peer_closed_ = other.peer_closed_;
    reset_ = other.reset_;
    tls_ = std::move(other.tls_);
  }
  return *this;
}

const TlsSessionInfo& HttpConnection::start_tls(const TlsClientOptions& options) {
  try {
    tls_ = std::make_unique<TlsLayer>(fd_, options);
  } catch (const std::runtime_error& e) {
    throw HttpClientError(e.what());
  }
  return tls_->info();
}

void HttpConnection::close_fd() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool HttpConnection::send(std::string_view bytes) {
  if (tls_) {
    switch (tls_->write(bytes)) {
      case TlsLayer::Io::done: return true;
      case TlsLayer::Io::closed: return false;
      default: throw HttpClientError("TLS send failed: " + tls_->last_error());
    }
  }
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) return false;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        throw HttpClientError("send timed out with " + std::to_string(bytes.size()) +
                              " bytes left (the server stopped reading)");
      }
      throw HttpClientError("send failed: " + errno_text(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

HttpConnection::Fill HttpConnection::fill(Deadline deadline) {
  if (peer_closed_) return Fill::closed;
  if (!tls_ || !tls_->has_pending()) {
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, poll_timeout_ms(deadline));
    if (ready < 0 && errno != EINTR) throw HttpClientError("poll failed: " + errno_text(errno));
    if (ready <= 0) return Fill::timeout;
  }
  if (tls_) return fill_tls();
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n > 0) {
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return Fill::data;
  }
  if (n == 0 || errno == ECONNRESET || errno == EPIPE) {
    reset_ = n < 0;
    peer_closed_ = true;
    return Fill::closed;
  }
  if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return Fill::data;  // retry
  throw HttpClientError("recv failed: " + errno_text(errno));
}

void HttpConnection::fill_to(std::size_t size, Deadline deadline, std::string_view what) {
  while (buffer_.size() < size) {
    switch (fill(deadline)) {
      case Fill::data:
        break;
      case Fill::closed:
        throw HttpClientError("connection closed in the middle of " + std::string(what) +
                              "; received: " + buffer_);
      case Fill::timeout:
        throw HttpClientError("timed out reading " + std::string(what) + "; received: " + buffer_);
    }
  }
}

std::optional<HttpResponse> HttpConnection::read_response() {
  const Deadline deadline = deadline_in(timeout_);
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    switch (fill(deadline)) {
      case Fill::data:
        break;
      case Fill::closed:
        if (buffer_.empty()) return std::nullopt;
        throw HttpClientError("connection closed in the middle of a response head; received: " +
                              buffer_);
      case Fill::timeout:
        throw HttpClientError("timed out waiting for a response; received: " + buffer_);
    }
  }
  HttpResponse response = parse_head(std::string_view(buffer_).substr(0, head_end));
  std::size_t body_start = head_end + 4;

  if (is_chunked(response)) {
    for (;;) {
      auto used = decode_chunked(std::string_view(buffer_).substr(body_start), response.body);
      if (used) {
        buffer_.erase(0, body_start + *used);
        return response;
      }
      fill_to(buffer_.size() + 1, deadline, "a chunked body");
    }
  }
  if (auto length_text = response.header("Content-Length")) {
    auto length = parse_size(trim(*length_text));
    if (!length) throw HttpClientError("malformed Content-Length: " + *length_text);
    fill_to(body_start + *length, deadline, "a response body");
    response.body = buffer_.substr(body_start, *length);
    buffer_.erase(0, body_start + *length);
    return response;
  }
  if (response.status < 200 || response.status == 204 || response.status == 304) {
    buffer_.erase(0, body_start);
    return response;
  }
  // No framing: the body runs until the server closes.
  while (fill(deadline) == Fill::data) {
  }
  if (!peer_closed_) throw HttpClientError("timed out reading an unframed body; received: " + buffer_);
  response.body = buffer_.substr(body_start);
  buffer_.clear();
  return response;
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target,
                                     const HeaderList& headers, std::string_view body) {
  std::string what = std::string(method) + " " + std::string(target);
  if (!send(format_request(method, target, headers, body))) {
    throw HttpClientError("connection closed by the server before " + what + " was sent");
  }
  auto response = read_response();
  if (!response) throw HttpClientError("connection closed without a response to " + what);
  return std::move(*response);
}

bool HttpConnection::wait_for_close(Deadline deadline) {
  for (;;) {
    switch (fill(deadline)) {
      case Fill::data:
        break;
      case Fill::closed:
        return true;
      case Fill::timeout:
        return false;
    }
  }
}

std::size_t HttpConnection::read_available(std::chrono::milliseconds wait) {
  const std::size_t before = buffer_.size();
  (void)fill(deadline_in(wait));
  return buffer_.size() - before;
}

HttpConnection::Fill HttpConnection::fill_tls() {
  switch (tls_->read(buffer_)) {
    case TlsLayer::Io::done:
    case TlsLayer::Io::again:  // a handshake message, not data: the caller polls again
      return Fill::data;
    case TlsLayer::Io::reset:
      reset_ = true;
      [[fallthrough]];
    case TlsLayer::Io::closed:
      peer_closed_ = true;
      return Fill::closed;
    case TlsLayer::Io::error:
      break;
  }
  throw HttpClientError("TLS read failed: " + tls_->last_error());
}

bool HttpConnection::is_readable_within(std::chrono::milliseconds wait) const {
  if (peer_closed_ || !buffer_.empty() || (tls_ && tls_->has_pending())) return true;
  pollfd pfd{fd_, POLLIN, 0};
  return ::poll(&pfd, 1, static_cast<int>(wait.count())) > 0;
}

std::uint16_t HttpConnection::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

}  // namespace keyrelay::test
