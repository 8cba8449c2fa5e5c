#pragma once
// The settings page: GET / (index.html, never cached, so a new release is picked up at once) and
// GET /assets/<version>/<file> (cached for a year: the version changes with any byte), with a
// strict Content-Security-Policy — only this origin's scripts and styles, nothing inline — and
// frame-ancestors as the operator allows (KEYRELAY_UI_FRAME_ANCESTORS, default 'none'). The same
// sources go into index.html's keyrelay-frame-ancestors meta tag: framed, the page takes its session
// token by postMessage only from those origins (web/embed.js).
// No authentication: the page signs in against the API itself.

#include <string>

#include "http/router.h"

namespace keyrelay::api {

void add_web_routes(http::Router& router, std::string frame_ancestors);

}  // namespace keyrelay::api
