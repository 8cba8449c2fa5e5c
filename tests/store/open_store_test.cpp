#include "store/open_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "postgres_test_database.h"
#include "test_sealer.h"

namespace keyrelay::store::test {
namespace {

using ::keyrelay::test::TempDir;

class OpenStoreTest : public ::testing::Test {
 protected:
  void expect_usable(core::Result<std::unique_ptr<Store>>& store) {
    ASSERT_TRUE(store) << store.error().message;
    auto migrated = (*store)->migrate();
    ASSERT_TRUE(migrated) << migrated.error().message;
    EXPECT_TRUE((*store)->ping());
  }

  TempDir dir_;
  TestSealer sealer_;
};

TEST_F(OpenStoreTest, EmptyUrlMeansSqliteInTheDataDirWhichIsCreatedPrivate) {
  const auto data_dir = dir_ / "nested" / "data";
  auto store = open_store("", data_dir, sealer_);
  expect_usable(store);
  EXPECT_TRUE(std::filesystem::exists(data_dir / "keyrelay.db"));
  struct stat st {};
  ASSERT_EQ(::stat(data_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(OpenStoreTest, ExistingDataDirIsLeftAsItIs) {
  const auto data_dir = dir_ / "data";
  std::filesystem::create_directory(data_dir);
  std::filesystem::permissions(data_dir, std::filesystem::perms(0750));
  auto store = open_store("", data_dir, sealer_);
  expect_usable(store);
  struct stat st {};
  ASSERT_EQ(::stat(data_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST_F(OpenStoreTest, AbsoluteSqliteUrl) {
  const auto file = dir_ / "abs.db";
  auto store = open_store("sqlite://" + file.string(), dir_ / "unused", sealer_);
  expect_usable(store);
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "unused")) << "an explicit URL does not use the data dir";
}

TEST_F(OpenStoreTest, RelativeSqliteUrlIsRelativeToTheWorkingDirectory) {
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  auto store = open_store("sqlite://relative.db", dir_ / "unused", sealer_);
  std::filesystem::current_path(previous);
  expect_usable(store);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "relative.db"));
}

TEST_F(OpenStoreTest, PostgresUrlsOpenThePostgresEngine) {
  const std::string url = postgres_database_url(dir_.path());
  for (const std::string& form : {url, "postgresql://" + url.substr(std::string("postgres://").size())}) {
    auto store = open_store(form, dir_ / "unused", sealer_);
    expect_usable(store);
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "unused")) << "a PostgreSQL URL does not use the data dir";
}

TEST_F(OpenStoreTest, UnreachablePostgresIsUnavailableWithoutThePassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  for (auto url : {"postgresql://keyrelay:s3cretpw@127.0.0.1:1/keyrelay?connect_timeout=2",
                   "postgres://keyrelay:s3cretpw@127.0.0.1:1/keyrelay?sslmode=disable"}) {
    auto store = open_store(url, dir_.path(), sealer_);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code, core::Errc::unavailable) << store.error().message;
    EXPECT_EQ(store.error().message.find("s3cretpw"), std::string::npos) << "never echo a password";
  }
}

TEST_F(OpenStoreTest, MalformedPostgresUrlIsInvalidWithoutThePassword) {
  auto store = open_store("postgres://keyrelay:s3cretpw@127.0.0.1:1/keyrelay?nosuchoption=1", dir_.path(), sealer_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Errc::invalid_request) << store.error().message;
  EXPECT_EQ(store.error().message.find("s3cretpw"), std::string::npos);
}

TEST_F(OpenStoreTest, OtherUrlsAreInvalid) {
  for (auto url : {"mysql://u:pw@host/db", "sqlite:", "sqlite://", "sqlite:///", "file.db", "sqlite:///x.db?mode=ro",
                   "SQLITE:///x.db"}) {
    auto store = open_store(url, dir_.path(), sealer_);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code, core::Errc::invalid_request) << url << ": " << store.error().message;
    EXPECT_EQ(store.error().message.find("pw"), std::string::npos);
  }
}

}  // namespace
}  // namespace keyrelay::store::test
