#include "gzip_body.h"

#include <zlib.h>

#include <stdexcept>

namespace keyrelay::test {

std::string decoded_body(const HttpResponse& response) {
  if (response.header("Content-Encoding") != "gzip") return response.body;
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  std::string out;
  char chunk[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(response.body.data()));
  z.avail_in = static_cast<uInt>(response.body.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("the gzip body does not decompress");
  return out;
}

}  // namespace keyrelay::test
