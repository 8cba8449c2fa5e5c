#pragma once
// The settings page's files (web/), compiled into the binary by cmake/embed_web.cmake.

#include <string_view>
#include <vector>

namespace keyrelay::api {

struct WebAsset {
  std::string_view name;          // "app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

struct WebAssets {
  std::string_view version;  // a hash of every file: assets are served under /assets/<version>/
  std::vector<WebAsset> files;
};

const WebAssets& web_assets();

}  // namespace keyrelay::api
