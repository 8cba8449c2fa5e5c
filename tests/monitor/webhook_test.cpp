// The webhook signature a receiver checks, the back-off between attempts, the delivery log.

#include <gtest/gtest.h>

#include <openssl/hmac.h>

#include "core/encoding.h"
#include "monitor/webhook_deliveries.h"
#include "monitor/webhook_signature.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;
using sys = std::chrono::system_clock;

const core::Secret kSecret(std::string_view("whsec_0123456789abcdef0123456789abcdef"));

TEST(WebhookSignature, IsHmacSha256OfTimestampDotBody) {
  const auto at = sys::time_point(std::chrono::seconds(1'700'000'000));
  const std::string body = R"({"type":"alert.raised"})";
  // Computed independently with OpenSSL's one-shot HMAC.
  const std::string text = "1700000000." + body;
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.reveal().data(), static_cast<int>(kSecret.reveal().size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &len);
  EXPECT_EQ(sign_webhook(kSecret, at, body), "t=1700000000,v1=" + core::hex_encode({mac, len}));
}

TEST(WebhookSignature, VerifiesWithinTheToleranceOnlyAndNotAfterAnyChange) {
  const auto at = sys::now();
  const std::string body = R"({"alert":{"id":"a1"}})";
  const std::string header = sign_webhook(kSecret, at, body);
  EXPECT_TRUE(verify_webhook_signature(kSecret, header, body, at + 10s, 300s));
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, body, at + 301s, 300s)) << "a replay later is refused";
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, R"({"alert":{"id":"a2"}})", at, 300s));
  EXPECT_FALSE(verify_webhook_signature(core::Secret(std::string_view("another-secret-another-secret-0000")), header,
                                        body, at, 300s));
  std::string forged = header;
  forged[forged.find("t=") + 2] ^= 1;  // another timestamp with the old MAC
  EXPECT_FALSE(verify_webhook_signature(kSecret, forged, body, at, 1'000'000'000s));
  EXPECT_FALSE(verify_webhook_signature(kSecret, "v1=abc", body, at, 300s));
}

TEST(WebhookBackoff, DoublesFromTheBaseUpToTheCap) {
  EXPECT_EQ(webhook_backoff(1, 1000ms), 1000ms);
  EXPECT_EQ(webhook_backoff(2, 1000ms), 2000ms);
  EXPECT_EQ(webhook_backoff(4, 1000ms), 8000ms);
  EXPECT_EQ(webhook_backoff(40, 1000ms), std::chrono::milliseconds(std::chrono::minutes(10)));
}

TEST(WebhookDeliveryLog, KeepsPendingOnesLongestAndListsNewestFirst) {
  WebhookDeliveryLog log(3);
  for (int i = 0; i < 3; ++i) log.add({.id = "d" + std::to_string(i)});
  log.update("d1", [](WebhookDelivery& d) { d.state = DeliveryState::delivered; });
  log.add({.id = "d3"});  // over capacity: the finished d1 goes, not the pending d0
  const auto recent = log.recent(10);
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].id, "d3");
  EXPECT_EQ(recent[1].id, "d2");
  EXPECT_EQ(recent[2].id, "d0");
  EXPECT_EQ(log.pending(), 3u);
}

}  // namespace
}  // namespace keyrelay::monitor
