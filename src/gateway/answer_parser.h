#pragma once
// The parser of a provider's answer: Beast's HTTP/1.1 grammar and framing (a length, chunks, or an
// answer ended by the connection's close), with the head's fields written straight into
// http::Headers and the body into room the reader lends. Beast's own response parser keeps the
// fields in a tree of one allocation each, which every answer then copied into http::Headers.

#include <cstddef>
#include <cstdint>
#include <span>

#include <boost/beast/http/basic_parser.hpp>

#include "http/headers.h"
#include "http/lent_room.h"

namespace keyrelay::gateway {

class AnswerParser final : public boost::beast::http::basic_parser<false> {
 public:
  // The status line's code; 0 before it was read.
  int status() const noexcept { return status_; }
  // The answer's fields as received, in order.
  http::Headers& headers() noexcept { return headers_; }

  // Body bytes go into `room` from now on; written() tells how many arrived there. With no room
  // lent, or when it is full, reading stops with beast::http::error::need_buffer.
  void lend(std::span<char> room) noexcept { room_.lend(room); }
  std::size_t written() const noexcept { return room_.written(); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    headers_.add(name, value);
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(boost::optional<std::uint64_t> const&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override { return room_.take(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return room_.take(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  int status_ = 0;
  http::Headers headers_;
  http::LentRoom room_;
};

}  // namespace keyrelay::gateway
