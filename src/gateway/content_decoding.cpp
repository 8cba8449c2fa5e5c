#include "gateway/content_decoding.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <vector>

#include "http/headers.h"

namespace keyrelay::gateway {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The comma-separated items of a header value, trimmed, empty ones skipped.
std::vector<std::string_view> items(std::string_view value) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

enum class Coding { identity, gzip, deflate, unknown };

Coding coding_of(std::string_view name) {
  if (name.empty() || http::iequals(name, "identity")) return Coding::identity;
  if (http::iequals(name, "gzip") || http::iequals(name, "x-gzip")) return Coding::gzip;
  if (http::iequals(name, "deflate")) return Coding::deflate;
  return Coding::unknown;
}

// zlib inflate of `in`: gzip framing, zlib framing, or raw deflate, by `window_bits`.
core::Result<std::string> inflate_with(std::string_view in, int window_bits, std::size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return core::Error::upstream_error("cannot start decompressing the answer");
  std::string out;
  std::array<char, 16 * 1024> chunk{};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&z);
      return core::Error::upstream_error("the provider's decompressed answer is larger than " +
                                         std::to_string(max_bytes) + " bytes");
    }
    out.append(chunk.data(), produced);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended before the stream did
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return core::Error::upstream_error("the provider's compressed answer is corrupt or cut");
  return out;
}

core::Result<std::string> undo(Coding coding, std::string_view in, std::size_t max_bytes) {
  switch (coding) {
    case Coding::identity:
      if (in.size() > max_bytes)
        return core::Error::upstream_error("the provider's answer is larger than " + std::to_string(max_bytes) + " bytes");
      return std::string(in);
    case Coding::gzip:
      return inflate_with(in, 15 + 16, max_bytes);
    case Coding::deflate: {
      // RFC 9110 says zlib framing; some servers send raw deflate. Try both.
      auto zlib_framed = inflate_with(in, 15, max_bytes);
      if (zlib_framed) return zlib_framed;
      return inflate_with(in, -15, max_bytes);
    }
    case Coding::unknown:
      break;
  }
  return core::Error::upstream_error("the provider's answer uses a content coding keyrelay cannot decode");
}

}  // namespace

std::string decodable_accept_encoding(std::string_view accept_encoding) {
  std::string out;
  for (const std::string_view item : items(accept_encoding)) {
    const std::string_view name = trim(item.substr(0, item.find(';')));
    if (name == "*" || coding_of(name) == Coding::unknown) continue;
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

bool can_decode(std::string_view content_encoding) {
  return std::ranges::none_of(items(content_encoding),
                              [](std::string_view coding) { return coding_of(coding) == Coding::unknown; });
}

core::Result<std::string> decode_body(std::string_view content_encoding, std::string_view body, std::size_t max_bytes) {
  const auto codings = items(content_encoding);
  std::string current(body);
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    auto decoded = undo(coding_of(*it), current, max_bytes);
    if (!decoded) return decoded.error();
    current = std::move(*decoded);
  }
  if (codings.empty() && current.size() > max_bytes)
    return core::Error::upstream_error("the provider's answer is larger than " + std::to_string(max_bytes) + " bytes");
  return current;
}

}  // namespace keyrelay::gateway
