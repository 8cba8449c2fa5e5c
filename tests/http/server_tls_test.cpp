#include "http/server_tls.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/process.h"
#include "support/temp_dir.h"
#include "support/test_certificates.h"

namespace keyrelay::http {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

class ServerTlsTest : public ::testing::Test {
 protected:
  TempDir dir;
  test::TestCertificates certs = test::make_test_certificates(dir.path());

  TlsFiles files(const fs::path& cert, const fs::path& key) const { return {cert, key}; }
};

TEST_F(ServerTlsTest, LoadsACertificateWithItsKey) {
  auto tls = ServerTls::load(files(certs.server_cert, certs.server_key));
  ASSERT_TRUE(tls) << tls.error().message;
  EXPECT_NE((*tls)->current(), nullptr);
}

TEST_F(ServerTlsTest, RefusesMissingFilesMismatchedKeysAndNonPemNamingTheFile) {
  auto missing = ServerTls::load(files(dir / "none.pem", certs.server_key));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("none.pem"), std::string::npos) << missing.error().message;

  auto mismatched = ServerTls::load(files(certs.server_cert, certs.server2_key));
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().message.find("does not match"), std::string::npos) << mismatched.error().message;

  auto not_a_key = ServerTls::load(files(certs.server_cert, certs.server_cert));
  ASSERT_FALSE(not_a_key);
  EXPECT_NE(not_a_key.error().message.find("private key"), std::string::npos) << not_a_key.error().message;
}

// OpenSSL's default would ask for the passphrase on the terminal and hang a service; it is refused.
TEST_F(ServerTlsTest, RefusesAKeyProtectedByAPassphraseWithoutAsking) {
  const auto openssl = test::find_on_path("openssl");
  ASSERT_TRUE(openssl);
  test::Process encrypt({openssl->string(), "pkey", "-in", certs.server_key.string(), "-aes256", "-passout", "pass:secret",
                         "-out", (dir / "locked.key").string()},
                        {}, dir.path(), dir.path());
  ASSERT_EQ(encrypt.wait_for_exit(test::deadline_in(std::chrono::seconds(20))), 0) << encrypt.output_text();
  auto locked = ServerTls::load(files(certs.server_cert, dir / "locked.key"));
  ASSERT_FALSE(locked);
  EXPECT_NE(locked.error().message.find("without a passphrase"), std::string::npos) << locked.error().message;
}

TEST_F(ServerTlsTest, AReloadSwapsInANewContextOnlyWhenTheFilesAreGood) {
  const fs::path cert = dir / "served.pem";
  const fs::path key = dir / "served.key";
  fs::copy_file(certs.server_cert, cert);
  fs::copy_file(certs.server_key, key);
  auto tls = ServerTls::load(files(cert, key));
  ASSERT_TRUE(tls) << tls.error().message;
  const auto first = (*tls)->current();

  std::ofstream(cert, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\ncut off";
  EXPECT_FALSE((*tls)->reload());
  EXPECT_EQ((*tls)->current(), first);

  fs::copy_file(certs.server2_cert, cert, fs::copy_options::overwrite_existing);
  fs::copy_file(certs.server2_key, key, fs::copy_options::overwrite_existing);
  ASSERT_TRUE((*tls)->reload());
  EXPECT_NE((*tls)->current(), first);
  // The server let go of the old context; a connection made with it (here: `first`) keeps it alive.
  EXPECT_EQ(first.use_count(), 1);
}

}  // namespace
}  // namespace keyrelay::http
