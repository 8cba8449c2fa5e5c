#include "http/request_parser.h"

#include <algorithm>
#include <cstring>

#include <boost/beast/http/error.hpp>

#include "core/secret.h"

namespace keyrelay::http {

RequestParser::~RequestParser() { core::wipe_memory(body_.data(), body_.size()); }

void RequestParser::on_request_impl(boost::beast::http::verb, string_view method, string_view target, int,
                                    error_code&) {
  method_text_.assign(method.data(), method.size());
  target_.assign(target.data(), target.size());
}

// RFC 9112 6.3: a transfer coding that does not end in chunked leaves the request without a length
// the server can know. Beast reads such a body as empty, which lets its bytes pass for the next
// request (smuggling behind a proxy that reads it another way): refused, and the session closes.
void RequestParser::on_header_impl(error_code& ec) {
  if (!chunked() && headers_.contains("Transfer-Encoding")) ec = boost::beast::http::error::bad_transfer_encoding;
}

// A body of announced length is kept in one block of that size (the route's limit was checked
// against it before any body byte is read).
void RequestParser::on_body_init_impl(boost::optional<std::uint64_t> const& content_length, error_code&) {
  if (!lent_ && content_length && *content_length > 0) grow_body(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::take(string_view body, error_code& ec) {
  if (!lent_) {
    grow_body(body.size());
    body_.append(body.data(), body.size());
    return body.size();
  }
  return room_.take(body, ec);
}

void RequestParser::grow_body(std::size_t more) {
  const std::size_t need = body_.size() + more;
  if (need <= body_.capacity()) return;
  std::string bigger;
  bigger.reserve(std::max(need, 2 * body_.capacity()));
  bigger.append(body_);
  core::wipe_memory(body_.data(), body_.capacity());
  body_.swap(bigger);
}

}  // namespace keyrelay::http
