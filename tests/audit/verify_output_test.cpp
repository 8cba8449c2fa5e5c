#include "audit/verify_output.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace keyrelay::audit {
namespace {

VerifyReport sample_report(bool with_bad) {
  VerifyReport report;
  report.chains.push_back({"a1/mgmt", 12, std::nullopt});
  report.chains.push_back({"a1/use", 40, std::nullopt});
  if (with_bad) {
    report.ok = false;
    report.chains[1].first_bad = BadEvent{"0190-x", 7, "hash mismatch"};
  }
  return report;
}

TEST(RenderVerifyJson, MatchesTheApiShape) {
  EXPECT_EQ(boost::json::serialize(render_verify_json(sample_report(false))),
            R"({"ok":true,"chains":[{"chain":"a1/mgmt","events":12,"first_bad":null},)"
            R"({"chain":"a1/use","events":40,"first_bad":null}]})");
  EXPECT_EQ(boost::json::serialize(render_verify_json(sample_report(true))),
            R"({"ok":false,"chains":[{"chain":"a1/mgmt","events":12,"first_bad":null},)"
            R"({"chain":"a1/use","events":40,"first_bad":{"id":"0190-x","seq":7,"reason":"hash mismatch"}}]})");
  EXPECT_EQ(boost::json::serialize(render_verify_json(VerifyReport{})), R"({"ok":true,"chains":[]})");
}

TEST(RenderVerifyText, SaysOkOrNamesTheFirstBadEvent) {
  EXPECT_EQ(render_verify_text(sample_report(false)),
            "a1/mgmt: 12 events, ok\n"
            "a1/use: 40 events, ok\n"
            "audit log verified: 2 chains, 52 events\n");
  EXPECT_EQ(render_verify_text(sample_report(true)),
            "a1/mgmt: 12 events, ok\n"
            "a1/use: 40 events, first bad event seq 7 (0190-x): hash mismatch\n"
            "audit log NOT verified: 1 of 2 chains has a bad event\n");
  EXPECT_EQ(render_verify_text(VerifyReport{}), "audit log verified: 0 chains, 0 events\n");
}

}  // namespace
}  // namespace keyrelay::audit
