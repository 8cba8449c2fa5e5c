#include "logging/log.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace keyrelay::logging {
namespace {

TEST(LogLine, JsonLineIsOneObjectWithTimeLevelAndMessage) {
  const std::string line = format_line(Level::info, "request", {{"status", 200}, {"route", "/healthz"}}, Format::json);
  const auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("level").as_string(), "info");
  EXPECT_EQ(v.at("msg").as_string(), "request");
  EXPECT_EQ(v.at("status").as_int64(), 200);
  EXPECT_EQ(v.at("route").as_string(), "/healthz");
  EXPECT_TRUE(v.contains("time"));
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogLine, JsonEscapesHostileText) {
  const std::string line = format_line(Level::warn, "x\"\n{forged}", {{"k", "a\nb\"c"}}, Format::json);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("msg").as_string(), "x\"\n{forged}");
  EXPECT_EQ(v.at("k").as_string(), "a\nb\"c");
}

TEST(LogLine, TextLineQuotesValuesWithSpacesAndNeverSplits) {
  const std::string line =
      format_line(Level::error, "failed\nforged line", {{"id", "abc-1"}, {"why", "two words"}, {"n", 3}}, Format::text);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find(" error failed forged line"), std::string::npos) << line;
  EXPECT_NE(line.find("id=abc-1"), std::string::npos) << line;
  EXPECT_NE(line.find("why=\"two words\""), std::string::npos) << line;
  EXPECT_NE(line.find("n=3"), std::string::npos) << line;
}

TEST(LogLevel, FiltersBelowTheMinimum) {
  init(Level::warn, Format::json);
  EXPECT_FALSE(enabled(Level::info));
  EXPECT_TRUE(enabled(Level::warn));
  EXPECT_TRUE(enabled(Level::error));
  init(Level::off, Format::json);
  EXPECT_FALSE(enabled(Level::error));
  shutdown();
}

}  // namespace
}  // namespace keyrelay::logging
