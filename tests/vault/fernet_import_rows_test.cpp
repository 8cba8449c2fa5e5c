// The rows of `keyrelay import fernet` (vault/fernet_row.h) and how they open (vault/fernet_opener.h):
// the field rules, both schemes, one derivation per salt and iteration count, the reasons a row
// fails, and the master secret file as the source systems read it.

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "crypto/fernet.h"
#include "crypto/pbkdf2.h"
#include "support/temp_dir.h"
#include "vault/fernet_opener.h"
#include "vault/fernet_row.h"

namespace keyrelay::vault {
namespace {

constexpr std::uint32_t kFewIterations = 1000;  // the derivation is what the tests check, not its cost
const std::string kMaster = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const std::array<std::uint8_t, 16> kIv{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

core::Secret user_key(std::string_view master, const core::Bytes& salt) {
  return *crypto::pbkdf2_hmac_sha256(core::as_bytes(master), salt, kFewIterations, 32);
}

std::string seal(const core::Secret& key, std::string_view text) {
  return *crypto::fernet_encrypt(key, core::as_bytes(text), kIv, 1700000000);
}

FernetRow row_for(const core::Bytes& salt, std::string token) {
  FernetRow row;
  row.line = 1;
  row.user = "dave";
  row.provider = "openai";
  row.name = "main";
  row.salt = salt;
  row.token = std::move(token);
  row.iterations = kFewIterations;
  return row;
}

core::Result<FernetRow> parse(std::string_view text, FernetScheme scheme = FernetScheme::per_user_salt) {
  return parse_fernet_row(text, 7, scheme, 100000);
}

std::string reason(std::string_view text, FernetScheme scheme = FernetScheme::per_user_salt) {
  auto row = parse(text, scheme);
  return row ? "<accepted>" : row.error().message;
}

TEST(FernetRow, ReadsEveryField) {
  auto row = parse(R"({"user":"dave","provider":"openai","name":"main","salt":"c2FsdHNhbHQ=","token":"gAAA",)"
                   R"("created_at":"2024-03-01T10:00:00Z","expires_at":"2031-01-01T00:00:00+01:00","iterations":2000})");
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(row->line, 7u);
  EXPECT_EQ(row->user, "dave");
  EXPECT_EQ(core::as_chars(row->salt), "saltsalt");
  EXPECT_EQ(row->iterations, 2000u);
  ASSERT_TRUE(row->created_at && row->expires_at);
  EXPECT_EQ(row->expires_at->time_since_epoch(), std::chrono::seconds(1924988400));
  auto plain = parse(R"({"user":"d","provider":"p","name":"n","salt":"c2FsdA==","token":"t"})");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->iterations, 100000u) << "the command's default applies";
  EXPECT_FALSE(plain->created_at || plain->expires_at || plain->data_key);
}

TEST(FernetRow, NamesTheFieldAtFault) {
  const std::string base = R"("user":"d","provider":"p","name":"n","salt":"c2FsdA==","token":"t")";
  EXPECT_EQ(reason("{" + base.substr(base.find(",") + 1) + "}"), "missing field user");
  EXPECT_EQ(reason(R"({"user":"d","provider":"p","name":"n","salt":"c2FsdA==","token":""})"), "missing field token");
  EXPECT_EQ(reason("{" + base + R"(,"expire_at":"2030-01-01T00:00:00Z"})"), "unknown field expire_at");
  EXPECT_EQ(reason(R"({"user":"d","provider":"p","name":"n","salt":"c2F-dA==","token":"t"})"), "salt is not standard base64");
  EXPECT_EQ(reason("{" + base + R"(,"created_at":"yesterday"})"), "created_at is not an RFC 3339 time");
  EXPECT_EQ(reason("{" + base + R"(,"expires_at":"2030-02-30T00:00:00Z"})"), "expires_at is not an RFC 3339 time");
  EXPECT_EQ(reason("{" + base + R"(,"iterations":0})").find("iterations must be"), 0u);
  EXPECT_EQ(reason("{" + base + R"(,"iterations":"1000"})").find("iterations must be"), 0u);
  EXPECT_EQ(reason("{" + base + R"(,"iterations":18446744073709551615})").find("iterations must be"), 0u);
  EXPECT_EQ(reason(R"({"user":5,"provider":"p","name":"n","salt":"c2FsdA==","token":"t"})"), "user must be a string");
  EXPECT_EQ(reason("not json"), "not a JSON object");
  EXPECT_EQ(reason("[1,2]"), "not a JSON object");
  EXPECT_EQ(reason("{" + base + "}", FernetScheme::envelope), "missing field data_key");
  EXPECT_NE(reason("{" + base + R"(,"data_key":"x"})").find("scheme is per-user-salt"), std::string::npos);
  EXPECT_EQ(reason("{" + base + R"(,"data_key":"x"})", FernetScheme::envelope), "<accepted>");
}

TEST(FernetOpener, OpensPerUserSaltRowsDerivingOncePerSalt) {
  const core::Bytes salt(16, 0x11), other_salt(16, 0x22);
  FernetOpener opener(core::Secret(kMaster), FernetScheme::per_user_salt);
  for (int i = 0; i < 3; ++i) {
    auto secret = opener.open(row_for(salt, seal(user_key(kMaster, salt), "sk-proj-" + std::to_string(i))));
    ASSERT_TRUE(secret) << secret.error().message;
    EXPECT_EQ(secret->reveal_text(), "sk-proj-" + std::to_string(i));
  }
  EXPECT_EQ(opener.derivations(), 1u);
  auto other = opener.open(row_for(other_salt, seal(user_key(kMaster, other_salt), "sk-other")));
  ASSERT_TRUE(other) << other.error().message;
  auto more_iterations = row_for(salt, seal(*crypto::pbkdf2_hmac_sha256(core::as_bytes(kMaster), salt, 1001, 32), "x1"));
  more_iterations.iterations = 1001;
  ASSERT_TRUE(opener.open(more_iterations));
  EXPECT_EQ(opener.derivations(), 3u) << "one derivation per (salt, iterations)";
}

TEST(FernetOpener, OpensEnvelopeRowsThroughTheirDataKey) {
  const core::Bytes salt(16, 0x33);
  const core::Secret data_key(core::Bytes(32, 0x44));
  const std::string data_key_text = core::base64url_encode(data_key.reveal()) + "=";
  auto row = row_for(salt, seal(data_key, "sk-ant-api03-secret"));
  row.data_key = seal(user_key(kMaster, salt), data_key_text);
  FernetOpener opener(core::Secret(kMaster), FernetScheme::envelope);
  auto secret = opener.open(row);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(secret->reveal_text(), "sk-ant-api03-secret");

  row.data_key = seal(user_key("another master", salt), data_key_text);
  EXPECT_EQ(opener.open(row).error().message.find("data_key: Fernet token: HMAC mismatch"), 0u);
  row.data_key = seal(user_key(kMaster, salt), "not a fernet key");
  EXPECT_EQ(opener.open(row).error().message.find("data_key: a Fernet key must be"), 0u);
}

TEST(FernetOpener, AWrongMasterSaltOrIterationCountIsAnHmacMismatch) {
  const core::Bytes salt(16, 0x55);
  const std::string token = seal(user_key(kMaster, salt), "sk-proj-never-shown");
  FernetOpener wrong_master(core::Secret(std::string_view("not the master")), FernetScheme::per_user_salt);
  FernetOpener right(core::Secret(kMaster), FernetScheme::per_user_salt);
  auto wrong_salt = row_for(core::Bytes(16, 0x56), token);
  auto wrong_count = row_for(salt, token);
  wrong_count.iterations = kFewIterations + 1;
  std::vector<core::Result<core::Secret>> results;
  results.push_back(wrong_master.open(row_for(salt, token)));
  results.push_back(right.open(wrong_salt));
  results.push_back(right.open(wrong_count));
  for (const auto& result : results) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "token: Fernet token: HMAC mismatch (a wrong key, or a tampered token)");
  }
}

TEST(MasterSecretFile, DropsTrailingWhitespaceOnlyAndKeepsTheRestAsIs) {
  test::TempDir dir;
  auto secret = read_master_secret(dir.write_file("m", "  " + kMaster + " \n\r\n\t").string());
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(secret->reveal_text(), "  " + kMaster) << "used as the PBKDF2 password as is, not base64-decoded";
  EXPECT_FALSE(read_master_secret(dir.write_file("blank", " \n\n").string()));
  EXPECT_FALSE(read_master_secret((dir / "missing").string()));
  EXPECT_FALSE(read_master_secret(dir.write_file("big", std::string(70000, 'x')).string()));
}

}  // namespace
}  // namespace keyrelay::vault
