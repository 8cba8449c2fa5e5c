// Each wire's stream translator (provider SSE → OpenAI chat.completion.chunk events).
// Input: <selector byte: wire = b % 3, include_usage = b & 4> <seed byte> <provider stream>.
// The stream is translated fed whole and fed in pieces (sizes from the seed): both must give the
// same output and the same verdict. The output must be a well-formed OpenAI stream: events whose
// data is a JSON object, and [DONE] only as the very last event of a completed stream.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>

#include "fuzz_input.h"
#include "gateway/wire/chat_wire.h"
#include "gateway/wire/sse_parser.h"

namespace {

using namespace keyrelay;
using gateway::StreamTranslator;

struct Translation {
  std::string out;
  bool ok = true;
  std::string error;
};

Translation translate(catalog::Wire wire, const gateway::ChatRequest& request,
                      const std::vector<std::string_view>& pieces) {
  auto translator = gateway::make_stream_translator(wire, request, {"chatcmpl-fuzz", 1700000000, "fuzz-model"});
  Translation t;
  for (const std::string_view piece : pieces) {
    if (auto r = translator->feed(piece, t.out); !r) {
      t.ok = false;
      t.error = r.error().message;
      return t;
    }
  }
  if (auto r = translator->finish(t.out); !r) {
    t.ok = false;
    t.error = r.error().message;
  }
  return t;
}

void check_openai_stream(const Translation& t) {
  gateway::SseParser parser;
  std::vector<gateway::SseEvent> events;
  FUZZ_CHECK(parser.feed(t.out, events));
  FUZZ_CHECK(t.out.empty() || t.out.ends_with("\n\n"));  // only whole events are written
  for (std::size_t i = 0; i < events.size(); ++i) {
    FUZZ_CHECK(events[i].event.empty());
    if (events[i].data == "[DONE]") {
      FUZZ_CHECK(i + 1 == events.size() && t.ok);
      continue;
    }
    boost::system::error_code ec;
    const auto doc = boost::json::parse(events[i].data, ec);
    FUZZ_CHECK(!ec && doc.is_object());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const unsigned char selector = input.byte();
  const unsigned char seed = input.byte();
  const std::string_view stream = input.rest();

  const auto wire = static_cast<catalog::Wire>(selector % 3);
  gateway::ChatRequest request;
  request.stream = true;
  request.include_usage = (selector & 4) != 0;
  request.models = {"fuzz-model"};

  const Translation whole = translate(wire, request, {stream});
  const Translation split = translate(wire, request, fuzz::pieces(stream, seed));
  FUZZ_CHECK(whole.ok == split.ok);
  FUZZ_CHECK(whole.out == split.out);
  FUZZ_CHECK(whole.error == split.error);
  check_openai_stream(whole);
  return 0;
}
