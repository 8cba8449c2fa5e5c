#include "gateway/answer_parser.h"

#include <algorithm>
#include <cstring>

#include <boost/beast/http/error.hpp>

namespace keyrelay::gateway {

std::size_t AnswerParser::take(string_view body, error_code& ec) noexcept {
  const std::size_t n = std::min(body.size(), room_.size() - written_);
  if (n > 0) std::memcpy(room_.data() + written_, body.data(), n);
  written_ += n;
  if (n < body.size()) ec = boost::beast::http::error::need_buffer;
  return n;
}

}  // namespace keyrelay::gateway
