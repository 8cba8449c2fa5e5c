#include "api/web_routes.h"

#include <memory>

#include "api/web_assets.h"

namespace keyrelay::api {
namespace {

const WebAsset* find_asset(std::string_view name) {
  for (const auto& file : web_assets().files)
    if (file.name == name) return &file;
  return nullptr;
}

struct PageHeaders {
  std::string csp;
  std::string index_body;  // index.html with the frame ancestors filled in
};

constexpr std::string_view kFrameAncestorsMeta = R"(<meta name="keyrelay-frame-ancestors" content="">)";

std::string attribute_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

// The page, embedded in a host app's frame, takes a session token by postMessage only from an
// origin allowed to frame it: it reads them from this meta tag (web/embed.js).
std::string index_with_frame_ancestors(std::string_view frame_ancestors) {
  std::string body(find_asset("index.html")->body);
  const auto at = body.find(kFrameAncestorsMeta);
  if (at == std::string::npos) return body;
  const std::string filled = R"(<meta name="keyrelay-frame-ancestors" content=")" + attribute_text(frame_ancestors) + R"(">)";
  return body.replace(at, kFrameAncestorsMeta.size(), filled);
}

http::Response serve(const WebAsset& asset, const PageHeaders& headers, bool immutable) {
  http::Response r;
  r.status = 200;
  r.headers.set("Content-Type", std::string(asset.content_type));
  r.headers.set("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.set("Content-Security-Policy", headers.csp);
  r.headers.set("Referrer-Policy", "no-referrer");
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  r.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  r.body = asset.name == "index.html" ? headers.index_body : std::string(asset.body);
  return r;
}

boost::asio::awaitable<core::Result<http::Response>> index_page(const PageHeaders& headers) {
  co_return serve(*find_asset("index.html"), headers, false);
}

// A versioned asset. An old version's URL (a page loaded before an upgrade) is not served stale
// content under its name: it is a 404 and the reloaded page asks for the new one.
boost::asio::awaitable<core::Result<http::Response>> asset_file(const PageHeaders& headers, http::Request& req) {
  const std::string_view name = *req.param("file");
  const WebAsset* asset = name == "index.html" ? nullptr : find_asset(name);
  if (asset == nullptr || *req.param("version") != web_assets().version) co_return core::Error::not_found("no such asset");
  co_return serve(*asset, headers, true);
}

}  // namespace

void add_web_routes(http::Router& router, std::string frame_ancestors) {
  auto headers = std::make_shared<PageHeaders>();
  headers->csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                 "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " +
                 frame_ancestors;
  headers->index_body = index_with_frame_ancestors(frame_ancestors);
  router.add(http::Method::get, "/", [headers](http::Request&, http::RequestContext&) { return index_page(*headers); });
  router.add(http::Method::get, "/assets/{version}/{file}",
             [headers](http::Request& req, http::RequestContext&) { return asset_file(*headers, req); });
}

}  // namespace keyrelay::api
