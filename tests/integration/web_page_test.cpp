// The settings page as the server hands it out: content types, caching by versioned asset URLs,
// and the security headers (a CSP without inline script or style, framing as configured).

#include <gtest/gtest.h>

#include <regex>

#include "vault_harness.h"

namespace keyrelay::test {
namespace {

// The asset URLs index.html refers to.
std::vector<std::string> asset_urls(const std::string& html) {
  std::vector<std::string> out;
  const std::regex ref(R"re((?:src|href)="(/assets/[^"]+)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

TEST(WebPage, IndexIsServedWithAStrictPolicyAndNeverCached) {
  VaultServer vault;
  auto page = vault.send("GET", "/", {});
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.header("Cache-Control"), "no-cache");
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page.header("Referrer-Policy"), "no-referrer");
  const std::string csp = page.header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  // Nothing inline for the policy to have to allow.
  EXPECT_EQ(page.body.find(" style="), std::string::npos);
  EXPECT_EQ(page.body.find("<style"), std::string::npos);
  EXPECT_EQ(std::regex_search(page.body, std::regex("<script(?![^>]*\\bsrc=)")), false) << "an inline script";
  EXPECT_EQ(page.body.find("@ASSETS@"), std::string::npos);
}

TEST(WebPage, AssetsAreVersionedTypedAndCachedForGood) {
  VaultServer vault;
  const auto urls = asset_urls(vault.send("GET", "/", {}).body);
  ASSERT_EQ(urls.size(), 2u) << "app.css and app.js";
  for (const auto& url : urls) {
    auto asset = vault.send("GET", url, {});
    ASSERT_EQ(asset.status, 200) << url;
    EXPECT_EQ(asset.header("Cache-Control"), "public, max-age=31536000, immutable") << url;
    EXPECT_NE(asset.header("Content-Security-Policy").value_or("").find("default-src 'self'"), std::string::npos);
    const std::string expected_type = url.ends_with(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    EXPECT_EQ(asset.header("Content-Type"), expected_type) << url;
  }
  // The modules app.js imports sit beside it.
  const std::string base = urls[0].substr(0, urls[0].rfind('/') + 1);
  for (const char* module : {"api.js", "keys.js", "usage.js", "audit.js", "alerts.js", "dom.js", "format.js", "caps.js",
                             "cap_form.js", "cap_dialog.js", "users.js", "tokens.js", "embed.js"})
    EXPECT_EQ(vault.send("GET", base + module, {}).status, 200) << module;
  // Another version, an unknown file, the page itself as an asset: not served.
  EXPECT_EQ(vault.send("GET", "/assets/000000000000/app.js", {}).status, 404);
  EXPECT_EQ(vault.send("GET", base + "secrets.txt", {}).status, 404);
  EXPECT_EQ(vault.send("GET", base + "index.html", {}).status, 404);
}

TEST(WebPage, TheOperatorChoosesWhoMayFrameIt) {
  VaultServer vault({.env = {{"KEYRELAY_UI_FRAME_ANCESTORS", "'self' https://app.example.com"}}});
  const auto csp = vault.send("GET", "/", {}).header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-ancestors 'self' https://app.example.com"), std::string::npos) << csp;
  // The page learns the same sources, to take a session token by postMessage only from them.
  const auto body = vault.send("GET", "/", {}).body;
  EXPECT_NE(body.find(R"(<meta name="keyrelay-frame-ancestors" content="'self' https://app.example.com">)"),
            std::string::npos);
}

TEST(WebPage, ByDefaultThePageKnowsItMayNotBeFramed) {
  VaultServer vault;
  const auto body = vault.send("GET", "/", {}).body;
  EXPECT_NE(body.find(R"(<meta name="keyrelay-frame-ancestors" content="'none'">)"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::test
