// The SSE parser every wire's stream translator reads provider streams with.
// Input: <seed byte> <stream bytes>. The stream is parsed whole and again cut into pieces (sizes
// from the seed byte); both must give the same events, since the network splits bytes anywhere.
// A third parser with a tiny event limit exercises the oversized-event path.

#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "gateway/wire/sse_parser.h"

using keyrelay::gateway::SseEvent;
using keyrelay::gateway::SseParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  keyrelay::fuzz::FuzzInput input(data, size);
  const unsigned char seed = input.byte();
  const std::string_view stream = input.rest();

  SseParser whole;
  std::vector<SseEvent> whole_events;
  FUZZ_CHECK(whole.feed(stream, whole_events));  // inputs stay far below the 4 MiB default limit
  whole.finish(whole_events);

  SseParser split;
  std::vector<SseEvent> split_events;
  for (const std::string_view piece : keyrelay::fuzz::pieces(stream, seed)) FUZZ_CHECK(split.feed(piece, split_events));
  split.finish(split_events);
  FUZZ_CHECK(split_events == whole_events);

  // Every event had a data line; no event or data field ever holds a line end.
  for (const SseEvent& e : whole_events) {
    FUZZ_CHECK(e.event.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(e.data.find('\r') == std::string::npos);
  }

  SseParser tiny(16);
  std::vector<SseEvent> tiny_events;
  bool ok = true;
  for (const std::string_view piece : keyrelay::fuzz::pieces(stream, seed))
    if (!(ok = tiny.feed(piece, tiny_events))) break;
  if (ok) tiny.finish(tiny_events);
  for (const SseEvent& e : tiny_events) FUZZ_CHECK(e.data.size() <= 16);
  return 0;
}
