#include "api/reveal_routes.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/guard.h"
#include "api/offload.h"
#include "core/secret.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
using auth::Principal;
using core::Error;
using core::Result;
using http::Request;
using http::RequestContext;
using http::Response;

// {"id":…,"provider":…,"secret":…} built in one buffer reserved up front, so no reallocation leaves
// a copy of the secret behind; the session wipes the body after writing it.
std::string reveal_body(const store::KeyRecord& key, const core::Secret& secret) {
  const std::string head = "{\"id\":" + boost::json::serialize(boost::json::value(key.id)) +
                           ",\"provider\":" + boost::json::serialize(boost::json::value(key.provider)) +
                           ",\"secret\":\"";
  const auto plain = secret.reveal();
  std::string body;
  body.reserve(head.size() + 6 * plain.size() + 2);
  body += head;
  static constexpr char kHex[] = "0123456789abcdef";
  for (const auto byte : plain) {
    const auto c = static_cast<unsigned char>(byte);
    if (c == '"' || c == '\\') {
      body += '\\';
      body += static_cast<char>(c);
    } else if (c < 0x20) {
      body += "\\u00";
      body += kHex[c >> 4];
      body += kHex[c & 0xF];
    } else {
      body += static_cast<char>(c);
    }
  }
  body += "\"}";
  return body;
}

// Tells the key's owner: a plaintext left keyrelay, which they should know about.
monitor::AlertSpec reveal_alert(const store::KeyRecord& key, const Principal& p) {
  monitor::AlertSpec alert;
  alert.rule = "key.revealed";
  alert.severity = store::AlertSeverity::warning;
  alert.user_id = key.owner_id;
  alert.key_id = key.id;
  alert.provider = key.provider;
  alert.message = "the secret of key '" + key.name + "' was revealed to the access token " +
                  p.token_id.value_or("(none)") + "; rotate the key if you did not expect this";
  return alert;
}

net::awaitable<Result<Response>> reveal(Services& s, Request& req, RequestContext& ctx, const Principal& p) {
  if (p.on_behalf() || !p.token_id) co_return Error::forbidden("revealing a key needs a keys:reveal access token of its own");
  const std::string id(*req.param("id"));
  const auto caller = caller_of(p, req, ctx);
  auto revealed = co_await offload(s.blocking, [&] { return s.keys.reveal(caller, p.user_id, id, p.reveal_providers); });
  if (!revealed) co_return revealed.error();
  const auto& [key, secret] = *revealed;
  raise_alert_later(s, reveal_alert(key, p), caller);
  co_return Response::json(200, reveal_body(key, secret));
}

}  // namespace

void add_reveal_routes(http::Router& router, Services& services) {
  router.add(http::Method::post, "/api/v1/keys/{id}/reveal",
             guarded(
                 services, auth::Scope::keys_reveal,
                 [&services](Request& req, RequestContext& ctx, const Principal& p) {
                   return reveal(services, req, ctx, p);
                 },
                 Needs::scope, RateBucket::reveal));
}

}  // namespace keyrelay::api
