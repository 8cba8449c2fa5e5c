#include "http/headers.h"

#include <gtest/gtest.h>

#include <string>

#include "support/freed_memory_probe.h"

namespace keyrelay::http {
namespace {

TEST(Headers, LookupIgnoresCase) {
  Headers h;
  h.add("Content-Type", "application/json");
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(h.get("Content-Length"));
}

TEST(Headers, SetReplacesEveryFieldOfThatName) {
  Headers h;
  h.add("X-A", "1");
  h.add("x-a", "2");
  h.set("X-A", "3");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.get("x-a"), "3");
}

TEST(Headers, RemoveDropsTheField) {
  Headers h;
  h.add("Cookie", "a=b");
  h.add("Accept", "*/*");
  h.remove("cookie");
  EXPECT_FALSE(h.contains("Cookie"));
  EXPECT_TRUE(h.contains("Accept"));
}

TEST(Headers, FieldsKeepTheirOrderAcrossRemovesAndCopies) {
  Headers h;
  h.add("Host", "api.example");
  h.add("X-Drop", "gone");
  h.add("Accept", "application/json");
  h.add("x-drop", "gone too");
  h.add("Set-Cookie", "a=1");
  h.remove("X-DROP");
  h.set("Accept", "text/event-stream");
  std::vector<std::string> seen;
  for (const auto [name, value] : h.fields()) seen.push_back(std::string(name) + "=" + std::string(value));
  EXPECT_EQ(seen, (std::vector<std::string>{"Host=api.example", "Set-Cookie=a=1", "Accept=text/event-stream"}));

  Headers copy = h;
  h.wipe();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy.get("host"), "api.example");
  Headers moved = std::move(copy);
  EXPECT_EQ(moved.fields()[2].second, "text/event-stream");
}

// A header may carry a provider key: neither growing the buffer, nor removing or replacing the
// field, nor wiping and destroying the headers may leave it in freed memory.
TEST(Headers, ASecretInAHeaderIsNeverLeftInFreedMemory) {
  const std::string secret = "sk-live-0123456789abcdef0123456789";
  const std::string value = "Bearer " + secret;  // the test's own copy lives past the probe
  std::size_t dirty = 0, freed = 0;
  {
    test::FreedMemoryProbe probe(secret);
    {
      Headers h;
      h.add("Authorization", value);
      for (int i = 0; i < 50; ++i) h.add("X-Filler-" + std::to_string(i), std::string(40, 'x'));  // grows
      h.set("Authorization", value);  // removed, then added again
      Headers copy = h;
      copy.remove("Authorization");
      Headers moved = std::move(copy);
    }
    dirty = probe.dirty_blocks();
    freed = probe.freed_blocks();
  }
  EXPECT_GT(freed, 0u);
  EXPECT_EQ(dirty, 0u);
}

}  // namespace
}  // namespace keyrelay::http
