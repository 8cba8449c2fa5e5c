#include "auth/jwks.h"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

namespace keyrelay::auth {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxEchoedKid = 64;

// "key #2 (kid 'abc')": key ids are public, but cut them so a hostile file cannot flood the log.
std::string describe_key(std::size_t index, const json::value& jwk) {
  std::string out = "key #" + std::to_string(index + 1);
  if (const json::object* obj = jwk.if_object()) {
    if (const json::value* kid = obj->if_contains("kid"); kid != nullptr && kid->is_string()) {
      std::string_view id = kid->get_string();
      out += " (kid '" + std::string(id.substr(0, kMaxEchoedKid)) +
             (id.size() > kMaxEchoedKid ? "...')" : "')");
    }
  }
  return out;
}

std::string quoted(const std::filesystem::path& file) { return "'" + file.string() + "'"; }

}  // namespace

core::Result<Jwks> Jwks::parse(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return core::Error::invalid_request("key set is not valid JSON");
  const json::object* obj = root.if_object();
  const json::value* keys_value = obj != nullptr ? obj->if_contains("keys") : nullptr;
  if (keys_value == nullptr || !keys_value->is_array()) {
    return core::Error::invalid_request("key set has no \"keys\" array");
  }
  const json::array& list = keys_value->get_array();
  if (list.empty()) return core::Error::invalid_request("key set has no keys");

  std::vector<PublicKey> keys;
  keys.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json::object* jwk = list[i].if_object();
    if (jwk == nullptr) {
      return core::Error::invalid_request(describe_key(i, list[i]) + ": not a JSON object");
    }
    auto key = PublicKey::from_jwk(*jwk);
    if (!key) return core::Error::invalid_request(describe_key(i, list[i]) + ": " + key.error().message);
    for (const auto& earlier : keys) {
      if (key->kid() && earlier.kid() == key->kid()) {
        return core::Error::invalid_request(describe_key(i, list[i]) + ": duplicate kid");
      }
    }
    keys.push_back(std::move(*key));
  }
  if (keys.size() > 1) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (!keys[i].kid()) {
        return core::Error::invalid_request(
            describe_key(i, list[i]) + ": has no kid; only a set of one key may omit it");
      }
    }
  }
  return Jwks(std::move(keys));
}

core::Result<Jwks> Jwks::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return core::Error::not_found("JWKS file " + quoted(file) + " does not exist");
  }
  if (!std::filesystem::is_regular_file(file, ec)) {
    return core::Error::invalid_request("JWKS file " + quoted(file) + " is not a regular file");
  }
  auto size = std::filesystem::file_size(file, ec);
  if (ec) return core::Error::internal("cannot stat JWKS file " + quoted(file) + ": " + ec.message());
  if (size > kMaxJwksFileBytes) {
    return core::Error::invalid_request("JWKS file " + quoted(file) + " is larger than 1 MiB");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return core::Error::internal("cannot open JWKS file " + quoted(file));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return core::Error::internal("cannot read JWKS file " + quoted(file));

  auto jwks = parse(text);
  if (!jwks) return core::Error::invalid_request("JWKS file " + quoted(file) + ": " + jwks.error().message);
  return jwks;
}

const PublicKey* Jwks::find(std::optional<std::string_view> kid) const noexcept {
  if (!kid) return keys_.size() == 1 ? &keys_.front() : nullptr;
  for (const auto& key : keys_) {
    if (key.kid() && *key.kid() == *kid) return &key;
  }
  return nullptr;
}

}  // namespace keyrelay::auth
