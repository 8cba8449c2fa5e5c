#pragma once
// The BodySource a session hands to a handler on a streaming route: reads the rest of the request
// from the client connection piece by piece. Internal to http/ (includes Beast).
//
// Every read runs on the session's executor (a caller on another executor is hopped over and back),
// so it never races the session's own use of the stream. The session detaches the source once the
// handler returned; from then on reads fail and the session owns the stream again.
// `Stream` is the session's: PlainStream or TlsStream (http/session_stream.h).

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "core/spawned.h"
#include "http/body_source.h"
#include "http/deadline.h"
#include "http/read_buffer.h"
#include "http/request_parser.h"
#include "http/session_stream.h"

namespace keyrelay::http {

template <class Stream>
class SessionBodySource final : public BodySource {
 public:
  struct Timeouts {
    std::chrono::milliseconds body;   // for the whole body, from the first read on
    std::chrono::milliseconds write;  // for the interim "100 Continue"
  };

  // Takes over `head_parser` (its head read, no body byte yet). `owner` keeps the stream and
  // buffer alive while a handler holds the source.
  SessionBodySource(Stream& stream, Deadline& io_deadline, ReadBuffer& buffer,
                    RequestParser&& head_parser,
                    std::size_t body_limit, bool expect_continue, Timeouts timeouts, std::shared_ptr<void> owner);
  ~SessionBodySource() override;

  boost::asio::awaitable<core::Result<std::string_view>> read_some() override;
  std::optional<std::size_t> content_length() const noexcept override { return content_length_; }

  // Strand-only, for the session once the handler returned.
  bool complete() const noexcept { return !error_ && parser_.is_done(); }
  std::size_t bytes_read() const noexcept { return bytes_read_; }
  void detach() noexcept;

 private:
  boost::asio::awaitable<core::Spawned<std::size_t>> read_on_strand();

  Stream& stream_;
  Deadline& io_deadline_;  // the session's
  ReadBuffer& buffer_;
  RequestParser parser_;
  boost::asio::any_io_executor strand_;
  std::size_t body_limit_;
  std::optional<std::size_t> content_length_;
  bool expect_continue_;
  Timeouts timeouts_;
  // When the body must have arrived; set by the first read (a handler may do other work first).
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::shared_ptr<void> owner_;
  std::optional<core::Error> error_;
  bool detached_ = false;
  std::size_t bytes_read_ = 0;
  std::array<char, 32 * 1024> piece_;
};

extern template class SessionBodySource<PlainStream>;
extern template class SessionBodySource<TlsStream>;

}  // namespace keyrelay::http
