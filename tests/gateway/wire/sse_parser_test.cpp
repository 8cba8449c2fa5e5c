#include "gateway/wire/sse_parser.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {

// Found by gtest through SseEvent's namespace.
inline void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{event=\"" << e.event << "\", data=\"" << e.data << "\"}";
}

namespace {

// Every line ending, a comment, multi-line data, ignored fields, a value without the space after the
// colon, one with two spaces, and a last event with no blank line after it.
constexpr std::string_view kStream =
    ": keep-alive comment\r\n"
    "event: message_start\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "data: line1\n"
    "data: line2\n"
    "\n"
    "event: x\r"
    "data:no-space\r"
    "\r"
    "id: 7\n"
    "retry: 100\n"
    "data:  two spaces\n"
    "\n"
    "data: last";

const std::vector<SseEvent> kExpected = {
    {"message_start", "{\"a\":1}"}, {"", "line1\nline2"}, {"x", "no-space"}, {"", " two spaces"}, {"", "last"}};

std::vector<SseEvent> parse_in_pieces(std::initializer_list<std::string_view> pieces) {
  SseParser parser;
  std::vector<SseEvent> out;
  for (auto piece : pieces) EXPECT_TRUE(parser.feed(piece, out));
  parser.finish(out);
  return out;
}

TEST(SseParser, ParsesTheWholeStreamInOnePiece) { EXPECT_EQ(parse_in_pieces({kStream}), kExpected); }

TEST(SseParser, GivesTheSameEventsForEverySplitIntoTwoPieces) {
  for (std::size_t i = 0; i <= kStream.size(); ++i)
    EXPECT_EQ(parse_in_pieces({kStream.substr(0, i), kStream.substr(i)}), kExpected) << "split at " << i;
}

TEST(SseParser, GivesTheSameEventsForEverySplitIntoThreePieces) {
  for (std::size_t i = 0; i <= kStream.size(); ++i)
    for (std::size_t j = i; j <= kStream.size(); ++j)
      ASSERT_EQ(parse_in_pieces({kStream.substr(0, i), kStream.substr(i, j - i), kStream.substr(j)}), kExpected)
          << "split at " << i << " and " << j;
}

TEST(SseParser, GivesTheSameEventsFedByteByByte) {
  SseParser parser;
  std::vector<SseEvent> out;
  for (char c : kStream) ASSERT_TRUE(parser.feed(std::string_view(&c, 1), out));
  EXPECT_EQ(out.size(), kExpected.size() - 1) << "the last event waits for the end of the stream";
  parser.finish(out);
  EXPECT_EQ(out, kExpected);
}

TEST(SseParser, CrLfSplitBetweenCrAndLfEndsOnlyOneLine) {
  // Were the lone '\n' read as a second, blank line, "a" and "b" would be two events.
  EXPECT_EQ(parse_in_pieces({"data: a\r", "\ndata: b\r", "\n\r", "\n"}), (std::vector<SseEvent>{{"", "a\nb"}}));
}

TEST(SseParser, DispatchesEachEventAsSoonAsItsBlankLineArrives) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: one\n", out));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(parser.feed("\ndata: two", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "one");
}

TEST(SseParser, IgnoresCommentsAndEventsWithoutData) {
  EXPECT_EQ(parse_in_pieces({": ping\n\nevent: lonely\n\n:\n\ndata: x\n\n"}), (std::vector<SseEvent>{{"", "x"}}));
}

TEST(SseParser, ReadsAFieldWithoutColonAsAnEmptyValue) {
  EXPECT_EQ(parse_in_pieces({"data\n\ndata\ndata\n\n"}), (std::vector<SseEvent>{{"", ""}, {"", "\n"}}));
}

TEST(SseParser, EventNameDoesNotLeakIntoTheNextEvent) {
  EXPECT_EQ(parse_in_pieces({"event: a\ndata: 1\n\ndata: 2\n\n"}), (std::vector<SseEvent>{{"a", "1"}, {"", "2"}}));
}

TEST(SseParser, FinishWithNothingPendingAddsNothing) {
  EXPECT_TRUE(parse_in_pieces({"data: a\n\n"}).size() == 1);
  EXPECT_TRUE(parse_in_pieces({}).empty());
  EXPECT_TRUE(parse_in_pieces({": only a comment"}).empty());
}

TEST(SseParser, AcceptsAnEventOfExactlyTheLimit) {
  SseParser parser(8);
  std::vector<SseEvent> out;
  EXPECT_TRUE(parser.feed("data: 12345678\n\n", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "12345678");
}

TEST(SseParser, RefusesAnEventWhoseDataGrowsBeyondTheLimitAndStaysFailed) {
  SseParser parser(8);
  std::vector<SseEvent> out;
  EXPECT_TRUE(parser.feed("data: 1234\n", out));
  EXPECT_FALSE(parser.feed("data: 5678\n", out));  // 4 + '\n' + 4 = 9 bytes
  EXPECT_FALSE(parser.feed("\n\ndata: ok\n\n", out));
  parser.finish(out);
  EXPECT_TRUE(out.empty());
}

TEST(SseParser, DropsAnOversizedLastEventAtFinish) {
  SseParser parser(8);
  std::vector<SseEvent> out;
  EXPECT_TRUE(parser.feed("data: 1234\ndata: 5678", out));
  parser.finish(out);
  EXPECT_TRUE(out.empty());
}

TEST(SseParser, RefusesALineThatNeverEnds) {
  SseParser parser(64);
  std::vector<SseEvent> out;
  std::string junk(100, 'x');  // a line may exceed the limit by a field name, not by twice the limit
  EXPECT_TRUE(parser.feed(junk, out));
  EXPECT_FALSE(parser.feed(junk, out));
}

}  // namespace
}  // namespace keyrelay::gateway
