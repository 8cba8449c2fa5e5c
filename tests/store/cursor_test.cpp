#include "store/sqlite/cursor.h"

#include <gtest/gtest.h>

namespace keyrelay::store::sqlite {
namespace {

TEST(Cursor, RoundTripsItsFields) {
  const auto text = CursorWriter('k').add(std::string_view("openai")).add(std::int64_t{-3}).add(std::int64_t{1} << 60).add(std::string_view("")).finish();
  auto reader = CursorReader::open(text, 'k');
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(*reader->next_text(), "openai");
  EXPECT_EQ(*reader->next_int(), -3);
  EXPECT_EQ(*reader->next_int(), std::int64_t{1} << 60);
  EXPECT_EQ(*reader->next_text(), "");
  EXPECT_TRUE(reader->finish());
}

TEST(Cursor, IsUnpaddedBase64Url) {
  const auto text = CursorWriter('u').add(std::int64_t{1}).add(std::string_view("id?/+")).finish();
  EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

TEST(Cursor, RefusesAnotherList) {
  const auto text = CursorWriter('u').add(std::int64_t{1}).finish();
  auto reader = CursorReader::open(text, 't');
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, core::Errc::invalid_request);
  EXPECT_EQ(reader.error().message, "malformed cursor");
}

TEST(Cursor, RefusesFieldsOfTheWrongTypeOrCount) {
  const auto text = CursorWriter('a').add(std::int64_t{1}).add(std::string_view("x")).finish();
  {
    auto reader = CursorReader::open(text, 'a');
    ASSERT_TRUE(reader);
    EXPECT_FALSE(reader->next_text()) << "an integer is not a text";
  }
  {
    auto reader = CursorReader::open(text, 'a');
    ASSERT_TRUE(reader);
    ASSERT_TRUE(reader->next_int());
    EXPECT_FALSE(reader->finish()) << "a field is left over";
    ASSERT_TRUE(reader->next_text());
    EXPECT_FALSE(reader->next_int()) << "no field left";
    EXPECT_TRUE(reader->finish());
  }
}

TEST(Cursor, RefusesEveryEditedByte) {
  const auto text = CursorWriter('k').add(std::string_view("anthropic")).add(std::int64_t{42}).finish();
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char replacement : {'A', 'z', '-', '_', '0'}) {
      if (text[i] == replacement) continue;
      auto edited = text;
      edited[i] = replacement;
      EXPECT_FALSE(CursorReader::open(edited, 'k')) << "position " << i << " -> " << replacement;
    }
  }
  EXPECT_FALSE(CursorReader::open(text.substr(0, text.size() - 1), 'k'));
  EXPECT_FALSE(CursorReader::open(text + "AA", 'k'));
  EXPECT_FALSE(CursorReader::open("", 'k'));
  EXPECT_FALSE(CursorReader::open(std::string(2000, 'A'), 'k'));
}

}  // namespace
}  // namespace keyrelay::store::sqlite
