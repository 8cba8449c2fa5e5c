#include "jose_vectors.h"

#include <array>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "core/encoding.h"

namespace keyrelay::auth::test {

boost::json::value load_vector(std::string_view file) {
  const std::string path = std::string(KEYRELAY_TEST_VECTORS) + "/" + std::string(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test vector file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return boost::json::parse(text);
}

boost::json::object public_jwk(boost::json::object jwk) {
  static constexpr std::array<std::string_view, 8> kPrivate = {"d",  "p",  "q",   "dp",
                                                                "dq", "qi", "oth", "k"};
  for (std::string_view name : kPrivate) jwk.erase(name);
  return jwk;
}

std::string flip_bit_b64url(std::string_view text, std::size_t byte_index, int bit) {
  auto bytes = core::base64url_decode(text);
  if (!bytes || byte_index >= bytes->size()) throw std::invalid_argument("flip_bit_b64url");
  (*bytes)[byte_index] ^= static_cast<std::uint8_t>(1u << bit);
  return core::base64url_encode(*bytes);
}

}  // namespace keyrelay::auth::test
