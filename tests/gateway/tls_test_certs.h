#pragma once
// Test-time TLS material: a throw-away CA and a server certificate it signed, made with the openssl
// CLI into a directory the test owns.

#include <filesystem>
#include <string>

namespace keyrelay::test {

struct TestCerts {
  std::filesystem::path ca_cert;      // PEM, the trust anchor to hand to the client
  std::filesystem::path server_cert;  // PEM, signed by ca_cert
  std::filesystem::path server_key;   // PEM, unencrypted
};

// Creates a CA and a server certificate for `subject_alt_names` (openssl syntax, for example
// "DNS:localhost,IP:127.0.0.1") in `dir`. Throws std::runtime_error when openssl fails.
TestCerts make_test_certs(const std::filesystem::path& dir, const std::string& subject_alt_names);

}  // namespace keyrelay::test
