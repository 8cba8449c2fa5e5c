#pragma once
// Room a reader lends a parser for the body bytes of its next read (a piece of a streamed request
// or answer): the parser copies into it what fits and stops with need_buffer when it is full.
// Internal to http/ and gateway/ (includes Beast's error codes).

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace keyrelay::http {

class LentRoom {
 public:
  void lend(std::span<char> room) noexcept {
    room_ = room;
    written_ = 0;
  }
  // Bytes written into the room since it was lent.
  std::size_t written() const noexcept { return written_; }

  // As much of `body` as the room still holds; need_buffer when that is not all of it.
  std::size_t take(std::string_view body, boost::beast::error_code& ec) noexcept {
    const std::size_t n = std::min(body.size(), room_.size() - written_);
    if (n > 0) std::memcpy(room_.data() + written_, body.data(), n);
    written_ += n;
    if (n < body.size()) ec = boost::beast::http::error::need_buffer;
    return n;
  }

 private:
  std::span<char> room_;
  std::size_t written_ = 0;
};

}  // namespace keyrelay::http
