// The upstream stream's read buffer: small for SSE events, grown for downloads, freed on release.

#include "gateway/piece_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string_view>

#include "support/freed_memory_probe.h"

namespace keyrelay::gateway {
namespace {

TEST(PieceBuffer, HoldsNoMemoryUntilTheFirstReadAndStartsSmall) {
  PieceBuffer buffer;
  EXPECT_FALSE(buffer.holds_memory());
  const auto room = buffer.room();
  EXPECT_TRUE(buffer.holds_memory());
  EXPECT_EQ(room.size(), PieceBuffer::kFirstBytes);
  EXPECT_LT(room.size(), PieceBuffer::kMaxBytes) << "an SSE event must not cost a download's buffer";
}

TEST(PieceBuffer, StaysAtItsSizeWhileReadsDoNotFillIt) {
  PieceBuffer buffer;
  for (int i = 0; i < 10; ++i) {
    const auto room = buffer.room();
    EXPECT_EQ(room.size(), PieceBuffer::kFirstBytes);
    buffer.filled(200);  // an SSE event
  }
}

TEST(PieceBuffer, DoublesAfterAFullReadUpToItsCapAndKeepsTheLastPieceUntilTheNextRead) {
  PieceBuffer buffer;
  std::size_t expected = PieceBuffer::kFirstBytes;
  for (int i = 0; i < 8; ++i) {
    const auto room = buffer.room();
    ASSERT_EQ(room.size(), expected) << "read " << i;
    std::memset(room.data(), 'x', room.size());
    buffer.filled(room.size());
    // The piece just read stays readable (and unmoved) until the next room().
    EXPECT_EQ(buffer.data(), room.data());
    EXPECT_EQ(buffer.data()[room.size() - 1], 'x');
    expected = std::min(expected * 2, PieceBuffer::kMaxBytes);
  }
  EXPECT_EQ(buffer.room().size(), PieceBuffer::kMaxBytes);
}

TEST(PieceBuffer, ReleaseFreesTheBlockAndTheNextReadGetsOneOfTheSizeReached) {
  PieceBuffer buffer;
  buffer.room();
  buffer.filled(PieceBuffer::kFirstBytes);
  buffer.room();  // grown once
  buffer.release();
  EXPECT_FALSE(buffer.holds_memory());
  EXPECT_EQ(buffer.data(), nullptr);
  EXPECT_EQ(buffer.room().size(), 2 * PieceBuffer::kFirstBytes);
  buffer.release();
  buffer.release();  // twice is harmless
  EXPECT_FALSE(buffer.holds_memory());
}

// A provider's answer may quote what it was sent: no freed or outgrown block keeps a piece.
TEST(PieceBuffer, WipesWhatItHeldBeforeFreeingOrGrowing) {
  constexpr std::string_view kMarker = "sk-proj-quoted-by-the-provider-0123456789";
  test::FreedMemoryProbe probe(kMarker);
  {
    PieceBuffer buffer;
    auto room = buffer.room();
    std::memcpy(room.data(), kMarker.data(), kMarker.size());
    buffer.filled(room.size());  // full: the next room() outgrows this block
    room = buffer.room();
    std::memcpy(room.data(), kMarker.data(), kMarker.size());
    buffer.release();
    room = buffer.room();
    std::memcpy(room.data(), kMarker.data(), kMarker.size());
  }  // and the destructor
  EXPECT_GE(probe.freed_blocks(), 3u);
  EXPECT_EQ(probe.dirty_blocks(), 0u);
}

}  // namespace
}  // namespace keyrelay::gateway
