// keyrelay's own listener over TLS (issue 16 item 8), end to end through the real binary with
// certificates made by openssl at test time: TLS 1.2 and 1.3 with ALPN http/1.1, older versions
// and plain HTTP refused cleanly, the certificate reloaded on SIGHUP for new connections while
// established ones (keep-alive, a stream in progress) go on, a broken file on SIGHUP keeping the
// old certificate, a stalled handshake cut by the header timeout, start-up errors, and the warning
// for plain HTTP on a non-loopback address.

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <boost/json/serialize.hpp>
#include <csignal>
#include <filesystem>
#include <string>

#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/keyrelay_command.h"
#include "support/keyrelay_server.h"
#include "support/temp_dir.h"
#include "support/test_certificates.h"

namespace keyrelay::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kFirstSubject = "CN=keyrelay-test-server";
constexpr std::string_view kSecondSubject = "CN=keyrelay-test-server-2";

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

// Certificates made for one test, and the two files the server reads (copies, so a test can
// replace them as an operator would).
struct ServedCertificates {
  TempDir dir;
  TestCertificates made = make_test_certificates(dir.path());
  fs::path cert = dir / "served.pem";
  fs::path key = dir / "served.key";

  ServedCertificates() { serve(made.server_cert, made.server_key); }
  void serve(const fs::path& from_cert, const fs::path& from_key) const {
    fs::copy_file(from_cert, cert, fs::copy_options::overwrite_existing);
    fs::copy_file(from_key, key, fs::copy_options::overwrite_existing);
  }
  Environment env() const { return {{"KEYRELAY_TLS_CERT_FILE", cert.string()}, {"KEYRELAY_TLS_KEY_FILE", key.string()}}; }
};

// A raw connection that has done its TLS handshake with `options` (the CA filled in).
HttpConnection tls_connection(std::uint16_t port, const ServedCertificates& certs, TlsClientOptions options = {}) {
  options.ca_file = certs.made.ca;
  HttpConnection connection = HttpConnection::connect(port);
  connection.start_tls(options);
  return connection;
}

// The subject of the certificate a new connection is served.
std::string served_subject(std::uint16_t port, const ServedCertificates& certs) {
  return tls_connection(port, certs).tls()->peer_subject;
}

// SIGHUP, then waits until the server logged `line` one more time than before.
void sighup_and_wait_for(KeyrelayServer& server, std::string_view line) {
  const std::size_t before = occurrences(server.logs(), line);
  ASSERT_TRUE(server.send_signal(SIGHUP));
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return occurrences(server.logs(), line) > before; })) << server.logs();
}

class TlsListener : public ::testing::Test {
 protected:
  ServedCertificates certs;
};

TEST_F(TlsListener, ServesTls12AndTls13WithAlpnHttp11) {
  KeyrelayServer server({.env = certs.env(), .tls_ca = certs.made.ca});
  auto tls12 = tls_connection(server.port(), certs, {.max_version = TLS1_2_VERSION});
  EXPECT_EQ(tls12.tls()->version, "TLSv1.2");
  EXPECT_EQ(tls12.tls()->alpn, "http/1.1");
  EXPECT_EQ(tls12.tls()->peer_subject, kFirstSubject);
  EXPECT_EQ(tls12.request("GET", "/healthz").status, 200);

  auto tls13 = tls_connection(server.port(), certs, {.min_version = TLS1_3_VERSION});
  EXPECT_EQ(tls13.tls()->version, "TLSv1.3");
  EXPECT_EQ(tls13.tls()->alpn, "http/1.1");
  // Keep-alive over TLS: several requests on one connection.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(tls13.request("GET", "/readyz").status, 200);
  EXPECT_NE(server.logs().find("\"scheme\":\"https\""), std::string::npos) << server.logs();
}

TEST_F(TlsListener, RefusesTls11AndClientsThatDoNotSpeakHttp11) {
  KeyrelayServer server({.env = certs.env(), .tls_ca = certs.made.ca});
  EXPECT_THROW(tls_connection(server.port(), certs, {.min_version = TLS1_1_VERSION, .max_version = TLS1_1_VERSION}),
               HttpClientError);
  EXPECT_THROW(tls_connection(server.port(), certs, {.alpn = {"h2"}}), HttpClientError);
  // Without ALPN a client is served all the same.
  auto no_alpn = tls_connection(server.port(), certs, {.alpn = {}});
  EXPECT_EQ(no_alpn.tls()->alpn, "");
  EXPECT_EQ(no_alpn.request("GET", "/healthz").status, 200);
}

TEST_F(TlsListener, PlainHttpToTheTlsPortGetsA400SayingSoAndTheClose) {
  KeyrelayServer server({.env = certs.env(), .tls_ca = certs.made.ca});
  auto plain = HttpConnection::connect(server.port());
  const HttpResponse response = plain.request("GET", "/healthz");
  EXPECT_EQ(response.status, 400) << describe(response);
  EXPECT_NE(response.body.find("\"invalid_request\""), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("HTTPS"), std::string::npos) << response.body;
  EXPECT_TRUE(response.says_connection_close());
  EXPECT_TRUE(plain.wait_for_close(deadline_in(5s)));
  // The server is unharmed.
  EXPECT_EQ(server.get("/healthz").status, 200);
}

TEST_F(TlsListener, SighupServesTheNewCertificateToNewConnectionsWhileOpenOnesGoOn) {
  Gateway gw(VaultServer::Options{.env = certs.env(), .tls_ca = certs.made.ca});
  gw.add_key(gw.alice, "openai", "drip3000");
  KeyrelayServer& server = gw.vault.server();

  // Before the reload: a kept-alive connection, and a stream under way on another one.
  auto kept = tls_connection(server.port(), certs);
  ASSERT_EQ(kept.request("GET", "/healthz").status, 200);
  auto streaming = tls_connection(server.port(), certs);
  ASSERT_TRUE(streaming.send(format_request(
      "POST", "/v1/chat/completions",
      {{"Authorization", "Bearer " + gw.alice.token}, {"Content-Type", "application/json"}},
      boost::json::serialize(Gateway::chat_body("gpt-4o-mini", "hello", true)))));
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    streaming.read_available(100ms);
    return streaming.pending().find("data:") != std::string::npos;
  })) << streaming.pending();

  certs.serve(certs.made.server2_cert, certs.made.server2_key);
  sighup_and_wait_for(server, "TLS certificate loaded");
  EXPECT_EQ(served_subject(server.port(), certs), kSecondSubject);

  // The connections made before keep their session and go on.
  EXPECT_EQ(kept.tls()->peer_subject, kFirstSubject);
  EXPECT_EQ(kept.request("GET", "/healthz").status, 200);
  auto streamed = streaming.read_response();
  ASSERT_TRUE(streamed.has_value());
  EXPECT_EQ(streamed->status, 200) << describe(*streamed);
  const auto data = sse_data(streamed->body);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data.back(), "[DONE]") << streamed->body;
  EXPECT_FALSE(streamed_text(data).empty()) << streamed->body;
}

TEST_F(TlsListener, SighupWithABrokenFileKeepsTheCurrentCertificate) {
  KeyrelayServer server({.env = certs.env(), .tls_ca = certs.made.ca});
  auto kept = tls_connection(server.port(), certs);

  // A certificate file cut in the middle of a copy, then a key that belongs to another certificate.
  const std::string pem = read_file_or_empty(certs.made.server2_cert);
  certs.dir.write_file("served.pem", pem.substr(0, pem.size() / 2));
  sighup_and_wait_for(server, "TLS certificate not reloaded");
  EXPECT_EQ(served_subject(server.port(), certs), kFirstSubject);

  certs.serve(certs.made.server2_cert, certs.made.server_key);
  sighup_and_wait_for(server, "TLS certificate not reloaded");
  EXPECT_NE(server.logs().find("does not match"), std::string::npos) << server.logs();
  EXPECT_EQ(served_subject(server.port(), certs), kFirstSubject);
  EXPECT_EQ(kept.request("GET", "/healthz").status, 200);

  // Fixed files are taken at the next SIGHUP.
  certs.serve(certs.made.server2_cert, certs.made.server2_key);
  sighup_and_wait_for(server, "TLS certificate loaded");
  EXPECT_EQ(served_subject(server.port(), certs), kSecondSubject);
}

TEST_F(TlsListener, AHandshakeThatStallsIsCutByTheHeaderTimeout) {
  Environment env = certs.env();
  env["KEYRELAY_HTTP_HEADER_TIMEOUT"] = "1s";
  KeyrelayServer server({.env = env, .tls_ca = certs.made.ca});

  // Silent after connecting, and silent in the middle of a ClientHello (a record header announcing
  // 512 bytes, then a few of them).
  auto silent = HttpConnection::connect(server.port());
  auto partial = HttpConnection::connect(server.port());
  ASSERT_TRUE(partial.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
  const auto started = SteadyClock::now();
  EXPECT_TRUE(silent.wait_for_close(deadline_in(6s)));
  EXPECT_TRUE(partial.wait_for_close(deadline_in(6s)));
  EXPECT_GE(SteadyClock::now() - started, 800ms);
  EXPECT_EQ(served_subject(server.port(), certs), kFirstSubject);
}

TEST_F(TlsListener, StartStopsWithAClearMessageForMissingOrUnusableFiles) {
  TempDir data;
  auto serve = [&](Environment env) {
    env["KEYRELAY_LISTEN"] = "127.0.0.1:0";
    env["KEYRELAY_DATA_DIR"] = (data / "data").string();
    return run_keyrelay({"serve"}, env);
  };
  auto only_cert = serve({{"KEYRELAY_TLS_CERT_FILE", certs.cert.string()}});
  EXPECT_EQ(only_cert.exit_status, 1);
  EXPECT_NE(only_cert.output().find("KEYRELAY_TLS_KEY_FILE"), std::string::npos) << only_cert.output();

  auto only_key = serve({{"KEYRELAY_TLS_KEY_FILE", certs.key.string()}});
  EXPECT_EQ(only_key.exit_status, 1);
  EXPECT_NE(only_key.output().find("KEYRELAY_TLS_CERT_FILE"), std::string::npos) << only_key.output();

  auto missing = serve({{"KEYRELAY_TLS_CERT_FILE", (certs.dir / "none.pem").string()},
                        {"KEYRELAY_TLS_KEY_FILE", certs.key.string()}});
  EXPECT_EQ(missing.exit_status, 1);
  EXPECT_NE(missing.output().find("cannot read the TLS certificate file"), std::string::npos) << missing.output();

  auto mismatched = serve({{"KEYRELAY_TLS_CERT_FILE", certs.made.server2_cert.string()},
                           {"KEYRELAY_TLS_KEY_FILE", certs.made.server_key.string()}});
  EXPECT_EQ(mismatched.exit_status, 1);
  EXPECT_NE(mismatched.output().find("does not match the certificate"), std::string::npos) << mismatched.output();

  auto not_pem = serve({{"KEYRELAY_TLS_CERT_FILE", certs.dir.write_file("junk.pem", "not a certificate").string()},
                        {"KEYRELAY_TLS_KEY_FILE", certs.key.string()}});
  EXPECT_EQ(not_pem.exit_status, 1);
  EXPECT_NE(not_pem.output().find("as the TLS certificate chain"), std::string::npos) << not_pem.output();
}

constexpr std::string_view kPlainWarning = "serving plain HTTP on a non-loopback address";

TEST(ListenerWarning, PlainHttpOnANonLoopbackAddressIsWarnedAbout) {
  KeyrelayServer everywhere({.env = {{"KEYRELAY_LISTEN", "0.0.0.0:0"}}});
  EXPECT_TRUE(poll_until(deadline_in(5s), [&] { return everywhere.stderr_text().find(kPlainWarning) != std::string::npos; }))
      << everywhere.logs();

  KeyrelayServer loopback;
  EXPECT_EQ(loopback.stderr_text().find(kPlainWarning), std::string::npos) << loopback.logs();
}

TEST_F(TlsListener, TlsOnANonLoopbackAddressIsNotWarnedAbout) {
  Environment env = certs.env();
  env["KEYRELAY_LISTEN"] = "0.0.0.0:0";
  KeyrelayServer server({.env = env, .tls_ca = certs.made.ca});
  EXPECT_EQ(server.stderr_text().find(kPlainWarning), std::string::npos) << server.logs();
}

}  // namespace
}  // namespace keyrelay::test
