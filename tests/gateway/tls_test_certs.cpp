#include "tls_test_certs.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace keyrelay::test {
namespace {

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("openssl failed: " + command);
}

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TestCerts make_test_certs(const std::filesystem::path& dir, const std::string& subject_alt_names) {
  TestCerts certs{dir / "ca.pem", dir / "server.pem", dir / "server.key"};
  const auto ca_key = dir / "ca.key", csr = dir / "server.csr", ext = dir / "server.ext";
  const std::string openssl = "/usr/bin/openssl";
  run(openssl + " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout " + q(ca_key) +
      " -out " + q(certs.ca_cert) + " -subj '/CN=keyrelay test CA'" +
      " -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'");
  run(openssl + " req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + q(certs.server_key) +
      " -out " + q(csr) + " -subj '/CN=keyrelay test server'");
  {
    std::ofstream out(ext);
    out << "subjectAltName=" << subject_alt_names << "\nbasicConstraints=CA:FALSE\n"
        << "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n";
  }
  run(openssl + " x509 -req -days 2 -in " + q(csr) + " -CA " + q(certs.ca_cert) + " -CAkey " + q(ca_key) +
      " -CAcreateserial -out " + q(certs.server_cert) + " -extfile " + q(ext));
  return certs;
}

}  // namespace keyrelay::test
