#pragma once
// The parser of a client's request: Beast's HTTP/1.1 grammar and framing (a length or chunks, the
// limits, the checks against smuggling), with the request line and fields written straight into
// strings and http::Headers, and the body either kept whole (read before the handler runs) or
// written into room the reader lends (a body streamed to the handler). Beast's own request parser
// keeps the fields in a tree of one allocation each, which every request then copied into
// http::Headers. Internal to http/ (includes Beast).
//
// A request may carry a secret (a key being stored): a body kept whole never leaves a copy behind
// when it grows, and the fields wipe themselves (http::Headers).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <boost/beast/http/basic_parser.hpp>

#include "http/headers.h"
#include "http/lent_room.h"

namespace keyrelay::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser() = default;
  RequestParser(RequestParser&&) = default;
  RequestParser& operator=(RequestParser&&) = delete;
  ~RequestParser() override;

  // The request line as sent (valid once the head is read).
  const std::string& method_text() const noexcept { return method_text_; }
  const std::string& target() const noexcept { return target_; }
  // The fields as received, in order.
  Headers& headers() noexcept { return headers_; }

  // The body read so far, when it is kept whole (the default); moved out, the parser keeps none.
  std::string take_body() noexcept { return std::move(body_); }

  // Body bytes go into `room` from now on instead; written() tells how many arrived there. With
  // the room full, reading stops with beast::http::error::need_buffer.
  void lend(std::span<char> room) noexcept {
    lent_ = true;
    room_.lend(room);
  }
  std::size_t written() const noexcept { return room_.written(); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int, error_code&) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    headers_.add(name, value);
  }
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(boost::optional<std::uint64_t> const& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override { return take(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override { return take(body, ec); }
  void on_finish_impl(error_code&) override {}

  std::size_t take(string_view body, error_code& ec);
  // Room for `more` bytes in body_, moving it (and wiping the old block) when it must grow.
  void grow_body(std::size_t more);

  std::string method_text_;
  std::string target_;
  Headers headers_;
  std::string body_;
  bool lent_ = false;
  LentRoom room_;
};

}  // namespace keyrelay::http
