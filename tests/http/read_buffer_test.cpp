#include "http/read_buffer.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "support/freed_memory_probe.h"

namespace keyrelay::http {
namespace {

constexpr std::string_view kMarker = "sk-live-READ-BUFFER-MARKER-0123456789";

void append(ReadBuffer& buffer, std::string_view bytes) {
  auto space = buffer.prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  buffer.commit(bytes.size());
}

TEST(ReadBuffer, WipeConsumedClearsTheReadRequestAndKeepsThePipelinedOne) {
  const std::string first = "POST /api/v1/keys HTTP/1.1\r\nContent-Length: 51\r\n\r\n{\"secret\":\"" + std::string(kMarker) + "\"}";
  const std::string next = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ReadBuffer buffer;
  append(buffer, first + next);
  const char* storage = static_cast<const char*>(buffer.data().data());  // nothing consumed yet: the block's start
  const std::size_t capacity = buffer.capacity();
  buffer.consume(first.size());  // the first request was parsed; the next one waits

  wipe_consumed(buffer);

  EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), next);
  ASSERT_EQ(buffer.capacity(), capacity) << "wiped in place, not reallocated";
  EXPECT_EQ(std::string_view(storage, capacity).find(kMarker), std::string_view::npos)
      << "the consumed request is still in the buffer";
}

TEST(ReadBuffer, WipeConsumedClearsAnEmptyBufferEntirely) {
  ReadBuffer buffer;
  append(buffer, kMarker);
  const char* storage = static_cast<const char*>(buffer.data().data());
  const std::size_t capacity = buffer.capacity();
  buffer.consume(buffer.size());
  wipe_consumed(buffer);
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(std::string_view(storage, capacity).find(kMarker), std::string_view::npos);
}

TEST(ReadBuffer, GrowingLeavesNoCopyInFreedMemory) {
  test::FreedMemoryProbe probe(kMarker);
  {
    ReadBuffer buffer;
    append(buffer, kMarker);
    for (int i = 0; i < 8; ++i) append(buffer, std::string(4096 << i, 'h'));  // a head arriving piece by piece
    wipe_consumed(buffer);
  }
  EXPECT_GT(probe.freed_blocks(), 0u);
  EXPECT_EQ(probe.dirty_blocks(), 0u);
}

}  // namespace
}  // namespace keyrelay::http
