#include "gateway/key_injection.h"

#include <gtest/gtest.h>

#include "core/secret.h"
#include "support/freed_memory_probe.h"

// The key keyrelay injects into a provider request exists only in that request (which the upstream
// client wipes after sending): the temporaries made on the way are wiped before they are freed.
namespace keyrelay::gateway {
namespace {

constexpr std::string_view kKey = "AIzaSy-KEY-INJECTION-MARKER-0123456789abc";

catalog::Provider query_provider() {
  catalog::Provider p;
  p.id = "google-maps";
  p.auth.in = catalog::AuthPlacement::query;
  p.auth.name = "key";
  p.auth.format = "{key}";
  return p;
}

void wipe(std::string& s) {
  core::wipe_memory(s.data(), s.size());
  s.clear();
}

TEST(KeyInjection, QueryKeyLeavesNoCopyInFreedMemory) {
  const catalog::Provider provider = query_provider();
  const std::string expected = "key=" + std::string(kKey);  // made before the probe: the test's own copy
  for (std::string url : {std::string("https://maps.example/geocode/json"),
                          std::string("https://maps.example/geocode/json?address=Berlin&key=client-own"),
                          std::string("https://maps.example/x?") + std::string(3000, 'q')}) {
    http::Headers headers;
    std::size_t dirty = 0;
    {
      test::FreedMemoryProbe probe(kKey);
      inject_key(provider, kKey, headers, url);
      EXPECT_NE(url.find(expected), std::string::npos);
      wipe(url);  // what the upstream client does once the request is written
      dirty = probe.dirty_blocks();
    }
    EXPECT_EQ(dirty, 0u) << "a temporary copy of the key was freed unwiped";
  }
}

TEST(KeyInjection, HeaderKeyLeavesNoCopyInFreedMemory) {
  catalog::Provider provider;
  provider.auth.in = catalog::AuthPlacement::header;
  provider.auth.name = "Authorization";
  provider.auth.format = "Bearer {key}";
  http::Headers headers;
  headers.add("Accept", "application/json");
  std::string url = "https://api.example/v1/models";
  const std::string expected = "Bearer " + std::string(kKey);
  std::size_t dirty = 0;
  {
    test::FreedMemoryProbe probe(kKey);
    inject_key(provider, kKey, headers, url);
    EXPECT_EQ(headers.get("Authorization"), std::string_view(expected));
    headers.wipe();  // what the upstream client does once the request is written
    dirty = probe.dirty_blocks();
  }
  EXPECT_EQ(dirty, 0u);
}

}  // namespace
}  // namespace keyrelay::gateway
