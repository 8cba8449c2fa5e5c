#pragma once
// Memory inspection for "no secret is left in freed memory": while armed, every block released
// through the global operator delete is searched for a marker before it goes back to the heap.
// Linking this file into a test binary replaces the global operator new/delete of that binary
// (they forward to malloc/free, as the default ones do); unarmed, they cost one atomic load.
//
// Use a marker longer than the small-string buffer (16+ bytes) so that it lives on the heap, and
// keep the test's own copies alive (or wipe them) until the probe is disarmed. Thread-safe: blocks
// freed on any thread (a server's I/O threads) are searched.

#include <cstddef>
#include <string_view>

namespace keyrelay::test {

class FreedMemoryProbe {
 public:
  // Starts searching freed blocks for `marker` (copied). One probe at a time.
  explicit FreedMemoryProbe(std::string_view marker);
  // Stops searching.
  ~FreedMemoryProbe();
  FreedMemoryProbe(const FreedMemoryProbe&) = delete;
  FreedMemoryProbe& operator=(const FreedMemoryProbe&) = delete;

  // Blocks freed since the probe was armed that still held the marker.
  std::size_t dirty_blocks() const;
  // Blocks freed since the probe was armed (to show the probe saw something at all).
  std::size_t freed_blocks() const;
};

}  // namespace keyrelay::test
