#pragma once
// Certificates for TLS tests, made with the openssl command line in a directory: a test CA, a
// server certificate it signed for 127.0.0.1 (and only that address: a test can connect by
// another name to see the name checked), a second one for the same address with another subject
// (a certificate replaced on a server), a client certificate it signed, and a second CA that
// signed nothing here (to see an untrusted server refused). P-256 keys, valid for two days.
// Throws std::runtime_error with openssl's output when it fails.

#include <filesystem>

namespace keyrelay::test {

struct TestCertificates {
  std::filesystem::path ca;                         // ca.pem
  std::filesystem::path server_cert, server_key;    // SAN IP:127.0.0.1, CN=keyrelay-test-server
  std::filesystem::path server2_cert, server2_key;  // SAN IP:127.0.0.1, CN=keyrelay-test-server-2
  std::filesystem::path client_cert, client_key;
  std::filesystem::path other_ca;                   // trusts nothing above
};

TestCertificates make_test_certificates(const std::filesystem::path& dir);

}  // namespace keyrelay::test
