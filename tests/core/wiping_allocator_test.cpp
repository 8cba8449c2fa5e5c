#include "core/wiping_allocator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/freed_memory_probe.h"

namespace keyrelay::core {
namespace {

constexpr std::string_view kMarker = "sk-live-WIPING-ALLOCATOR-MARKER-7f3a";

TEST(WipingAllocator, BlocksLeftBehindByGrowthAreWiped) {
  std::vector<char, WipingAllocator<char>> grown;
  {
    test::FreedMemoryProbe probe(kMarker);
    grown.assign(kMarker.begin(), kMarker.end());
    for (int i = 0; i < 12; ++i) grown.resize(grown.size() * 2, 'x');  // each step reallocates
    grown = {};
    EXPECT_GT(probe.freed_blocks(), 0u);
    EXPECT_EQ(probe.dirty_blocks(), 0u);
  }
}

// The probe itself: a plain vector leaves its old blocks as they were.
TEST(WipingAllocator, ProbeSeesWhatAPlainAllocatorLeavesBehind) {
  std::vector<char> grown;
  test::FreedMemoryProbe probe(kMarker);
  grown.assign(kMarker.begin(), kMarker.end());
  grown.resize(grown.size() * 4, 'x');
  EXPECT_GT(probe.dirty_blocks(), 0u);
  std::fill(grown.begin(), grown.end(), '\0');
}

}  // namespace
}  // namespace keyrelay::core
