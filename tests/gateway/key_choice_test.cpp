#include "gateway/key_choice.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

using namespace std::chrono_literals;
const store::TimePoint kNow = store::TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 23});

store::KeyRecord key(std::string id, std::string provider, int priority, bool enabled = true, bool always_use = false) {
  store::KeyRecord k;
  k.id = k.name = std::move(id);
  k.provider = std::move(provider);
  k.priority = priority;
  k.enabled = enabled;
  k.always_use = always_use;
  k.created_at = kNow - 1h;
  return k;
}

std::vector<std::string> ids(const std::vector<KeyChoice>& choices) {
  std::vector<std::string> out;
  for (const auto& c : choices) out.push_back(c.key->id + (c.credential == Credential::user ? "" : "*"));
  return out;
}

TEST(KeyChoice, UsersUsableKeysByPriorityThenDefaults) {
  std::vector<store::KeyRecord> mine{key("b", "openai", 2), key("a", "openai", 1), key("x", "anthropic", 0),
                                     key("off", "openai", 0, false)};
  auto expired = key("old", "openai", 0);
  expired.expires_at = kNow - 1s;
  mine.push_back(expired);
  auto invalid = key("bad", "openai", 0);
  invalid.validation.state = store::ValidationState::invalid;
  mine.push_back(invalid);
  std::vector<store::KeyRecord> defaults{key("d", "openai", 0)};
  EXPECT_EQ(ids(choose_keys(mine, &defaults, "openai", kNow)), (std::vector<std::string>{"a", "b", "d*"}));
  EXPECT_EQ(ids(choose_keys(mine, nullptr, "openai", kNow)), (std::vector<std::string>{"a", "b"}));
}

TEST(KeyChoice, AlwaysUseMyKeyForbidsDefaultsEvenWhenItIsBroken) {
  auto mine_bad = key("mine", "openai", 0, true, true);
  mine_bad.validation.state = store::ValidationState::invalid;
  std::vector<store::KeyRecord> mine{mine_bad};
  std::vector<store::KeyRecord> defaults{key("d", "openai", 0)};
  EXPECT_TRUE(choose_keys(mine, &defaults, "openai", kNow).empty());
  // A disabled always_use key is not a wish any more.
  mine[0].enabled = false;
  EXPECT_EQ(ids(choose_keys(mine, &defaults, "openai", kNow)), (std::vector<std::string>{"d*"}));
}

TEST(KeyChoice, SaysWhyNothingIsUsable) {
  std::vector<store::KeyRecord> none;
  EXPECT_EQ(why_no_usable_key(none, "gemini", kNow), "no gemini key is stored");
  std::vector<store::KeyRecord> mine{key("work", "gemini", 0, false)};
  EXPECT_EQ(why_no_usable_key(mine, "gemini", kNow), "no usable gemini key (key 'work' is disabled)");
}

}  // namespace
}  // namespace keyrelay::gateway
