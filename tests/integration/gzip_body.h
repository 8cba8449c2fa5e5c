#pragma once
// The body of a response as a client that accepted compression reads it: gunzipped when the
// response says Content-Encoding: gzip, as is otherwise.

#include <string>

#include "support/http_message.h"

namespace keyrelay::test {

// Throws std::runtime_error when a gzip body does not decompress.
std::string decoded_body(const HttpResponse& response);

}  // namespace keyrelay::test
