#include "support/test_certificates.h"

#include <fstream>
#include <stdexcept>

#include "support/deadline.h"
#include "support/process.h"

namespace keyrelay::test {
namespace {

constexpr const char* kScript = R"(set -e
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=keyrelay-test-ca
openssl req -x509 $ec -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=keyrelay-other-ca
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl req $ec -keyout server.key -out server.csr -subj /CN=keyrelay-test-server
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem
openssl req $ec -keyout server2.key -out server2.csr -subj /CN=keyrelay-test-server-2
openssl x509 -req -in server2.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server2.pem
openssl req $ec -keyout client.key -out client.csr -subj /CN=keyrelay-test-client
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out client.pem
chmod 644 *.key
)";

}  // namespace

TestCertificates make_test_certificates(const std::filesystem::path& dir) {
  const auto sh = find_on_path("sh");
  if (!sh || !find_on_path("openssl")) throw std::runtime_error("sh or openssl is not installed");
  Process run({sh->string(), "-c", kScript}, Environment{}, dir, dir);
  const auto status = run.wait_for_exit(deadline_in(std::chrono::seconds{30}));
  if (status != 0) throw std::runtime_error("making test certificates failed:\n" + run.output_text());
  return {.ca = dir / "ca.pem",
          .server_cert = dir / "server.pem",
          .server_key = dir / "server.key",
          .server2_cert = dir / "server2.pem",
          .server2_key = dir / "server2.key",
          .client_cert = dir / "client.pem",
          .client_key = dir / "client.key",
          .other_ca = dir / "other-ca.pem"};
}

}  // namespace keyrelay::test
