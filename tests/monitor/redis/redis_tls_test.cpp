// rediss://: the Redis client over TLS against a real redis-server with TLS on (tests/support/
// redis_server.h, certificates made for the test): commands and scripts work with the test CA and
// a client certificate; a server the CA did not sign, a name the certificate does not carry and a
// missing client certificate are each refused with a reason, never with the password.

#include <gtest/gtest.h>

#include "monitor/redis/redis_client.h"
#include "support/redis_server.h"
#include "support/redis_wire.h"

namespace keyrelay::monitor {
namespace {

using test::RedisServer;

RedisEndpoint endpoint(const std::string& url) {
  auto e = parse_redis_url(url);
  if (!e) throw std::runtime_error(e.error().message);
  return std::move(*e);
}

RedisClientOptions trusting(const test::TestCertificates& certs, bool with_client_certificate = true) {
  RedisClientOptions o;
  o.timeouts.connect = o.timeouts.command = std::chrono::milliseconds(2000);  // a TLS handshake under ASan
  o.tls.ca_file = certs.ca;
  if (with_client_certificate) {
    o.tls.cert_file = certs.client_cert;
    o.tls.key_file = certs.client_key;
  }
  return o;
}

TEST(RedisTls, CommandsAndScriptsRunOverTlsWithTheCaAndAClientCertificate) {
  RedisServer server(RedisServer::Options{.password = "tls-login-password", .tls = true});
  ASSERT_TRUE(server.url().starts_with("rediss://"));
  RedisClient redis(endpoint(server.url() + "/2"), trusting(server.certificates()));
  auto up = redis.check();
  ASSERT_TRUE(up) << up.error().message;
  ASSERT_TRUE(redis.command({"SET", redis.key("tls"), "41"}));
  const RedisScript incr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto r = redis.eval(incr, {redis.key("tls")}, {"1"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->as_int(), 42);
  // A reply bigger than one TLS record comes back whole.
  const std::string big(100'000, 'x');
  ASSERT_TRUE(redis.command({"SET", redis.key("big"), big}));
  auto got = redis.command({"GET", redis.key("big")});
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->text, big);
  // It went where the URL said: database 2, seen through the plain port.
  EXPECT_EQ(test::redis_exchange(server.port(), {{"AUTH", "tls-login-password"}, {"SELECT", "2"}, {"INCRBY", "keyrelay:tls", "0"}}),
            (std::vector<std::string>{"+OK", "+OK", ":42"}));
}

TEST(RedisTls, AServerTheCaDidNotSignIsRefused) {
  RedisServer server(RedisServer::Options{.password = "tls-login-password", .tls = true});
  auto options = trusting(server.certificates());
  options.tls.ca_file = server.certificates().other_ca;
  RedisClient redis(endpoint(server.url()), options);
  auto r = redis.check();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::unavailable);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("tls-login-password"), std::string::npos) << r.error().message;
}

TEST(RedisTls, ANameTheCertificateDoesNotCarryIsRefused) {
  RedisServer server(RedisServer::Options{.tls = true});  // its certificate names 127.0.0.1 only
  RedisClient redis(endpoint("rediss://localhost:" + std::to_string(server.tls_port())), trusting(server.certificates()));
  auto r = redis.check();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
}

TEST(RedisTls, AServerThatAsksForAClientCertificateRefusesAClientWithout) {
  RedisServer server(RedisServer::Options{.tls = true});
  RedisClient redis(endpoint(server.url()), trusting(server.certificates(), false));
  EXPECT_FALSE(redis.check());
}

TEST(RedisTls, PlainRedisToATlsPortFailsInsteadOfHanging) {
  RedisServer server(RedisServer::Options{.tls = true});
  RedisClientOptions options;
  options.timeouts.connect = options.timeouts.command = std::chrono::milliseconds(500);
  RedisClient redis(endpoint("redis://127.0.0.1:" + std::to_string(server.tls_port())), options);
  EXPECT_FALSE(redis.check());
}

}  // namespace
}  // namespace keyrelay::monitor
