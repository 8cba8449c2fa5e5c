#pragma once
// Helpers for the Wycheproof vector tests of tests/crypto: load a vector file from
// KEYRELAY_TEST_VECTORS, decode its hex fields, and describe a test for failure messages.

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/encoding.h"

namespace keyrelay::crypto::test {

// The parsed JSON of `name` in the vectors folder. Throws if it is missing or malformed, which
// fails the test that asked for it.
inline boost::json::object load_vectors(std::string_view name) {
  const std::string path = std::string(KEYRELAY_TEST_VECTORS) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return boost::json::parse(text).as_object();
}

// The bytes of a lowercase hex field of `test`. Throws on bad hex (the files are fixed inputs).
inline core::Bytes hex_field(const boost::json::object& test, std::string_view field) {
  const auto& text = test.at(field).as_string();
  auto bytes = core::hex_decode(std::string_view(text));
  if (!bytes) throw std::runtime_error("bad hex in field " + std::string(field));
  return *bytes;
}

// "tcId 12 (comment) flags [A, B]" for failure messages.
inline std::string describe(const boost::json::object& test) {
  std::string out = "tcId " + std::to_string(test.at("tcId").to_number<long long>()) + " (" +
                    std::string(std::string_view(test.at("comment").as_string())) + ") flags [";
  bool first = true;
  for (const auto& flag : test.at("flags").as_array()) {
    if (!first) out += ", ";
    out += std::string_view(flag.as_string());
    first = false;
  }
  return out + "]";
}

}  // namespace keyrelay::crypto::test
