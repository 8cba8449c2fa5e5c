// "No response, log line or error message ever contains a stored secret" (API.md "Errors"), and
// the database holds them only sealed: after creating, rotating, failing and deleting keys with
// distinctive secrets, none of them appears — raw, base64, base64url or hex — in any response
// body or header, in the server's log output (at trace level), or in the raw bytes of
// keyrelay.db and its WAL, while the server runs and after it has stopped.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/encoding.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

// The forms a secret could leak in: itself, a middle piece of it (the hint legitimately shows the
// last four characters, nothing more), hex in both cases, and base64/base64url at each of the
// three alignments it could have inside a longer encoded blob.
std::vector<std::string> leak_forms(const std::string& secret) {
  std::vector<std::string> forms = {secret, secret.substr(4, 16)};
  const core::ByteView bytes(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  std::string lower = core::hex_encode(bytes);
  std::string upper = lower;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  forms.push_back(lower);
  forms.push_back(upper);
  for (std::size_t pad = 0; pad < 3; ++pad) {
    std::string shifted = std::string(pad, '\0') + secret;
    const core::ByteView shifted_bytes(reinterpret_cast<const std::uint8_t*>(shifted.data()), shifted.size());
    for (std::string encoded : {core::base64_encode(shifted_bytes), core::base64url_encode(shifted_bytes)}) {
      // Drop the characters the neighbouring bytes would change: the first group when shifted,
      // and the last group always.
      const std::size_t head = pad == 0 ? 0 : 4;
      if (encoded.size() > head + 8) forms.push_back(encoded.substr(head, encoded.size() - head - 4));
    }
  }
  return forms;
}

// Names each secret (by its index) that occurs in `haystack` in any form.
::testing::AssertionResult holds_no_secret(std::string_view haystack, const std::vector<std::string>& secrets,
                                           std::string_view where) {
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    for (const auto& form : leak_forms(secrets[i])) {
      if (haystack.find(form) != std::string_view::npos) {
        return ::testing::AssertionFailure() << where << " contains secret #" << i << " (as \"" << form << "\")";
      }
    }
  }
  return ::testing::AssertionSuccess();
}

class VaultSecrets : public ::testing::Test {
 protected:
  VaultServer vault{VaultServer::Options{{{"KEYRELAY_LOG_LEVEL", "trace"}}}};
  Identity alice = vault.add_user("alice");
  std::vector<std::string> secrets;  // every secret this test stored, current or replaced

  std::string remember(std::string secret) {
    secrets.push_back(secret);
    return secret;
  }

  // Creates, rotates, patches, reads, lists, fails in several ways and deletes; returns the
  // secret of the key deleted at the end.
  std::string exercise_the_vault() {
    auto openai = create_key(vault, alice, "openai", "main", remember(make_secret("sk-proj-")));
    auto anthropic = create_key(vault, alice, "anthropic", "main", remember(make_secret("sk-ant-api03-")));
    auto gemini = create_key(vault, alice, "gemini", "main", remember(make_secret("AIza")));
    create_key(vault, vault.admin(), "openai", "fallback", remember(make_secret("sk-proj-")), {},
               "/api/v1/default-keys");
    const std::string doomed_secret = remember(make_secret("sk-proj-"));
    auto doomed = create_key(vault, alice, "openai", "doomed", doomed_secret, {}, "/api/api-keys");

    for (const json::object* key : {&openai, &anthropic}) {
      for (int i = 0; i < 2; ++i) {
        auto r = vault.call(alice, "POST", "/api/v1/keys/" + str(*key, "id") + "/rotate",
                            body_of({{"secret", remember(make_secret("sk-rot-"))}}));
        if (r.status != 200) throw std::runtime_error("rotate: " + describe(r) + r.body);
      }
    }
    vault.call(alice, "PATCH", "/api/v1/keys/" + str(gemini, "id"), R"({"priority":1,"enabled":false})");
    get_key(vault, alice, "/api/v1/keys/" + str(openai, "id"));
    list_all(vault, alice, "/api/v1/keys");
    list_all(vault, alice, "/api/keys");
    audit_events(vault, alice);

    // Failures that carry a secret in the request: none may echo it.
    const std::string current_gemini = secrets[2];
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "gemini"}, {"name", "dup"}, {"secret", current_gemini}}));
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "gemini"}, {"name", "main"}, {"secret", remember(make_secret("AIza"))}}));
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "no-such-provider"}, {"secret", remember(make_secret("sk-proj-"))}}));
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "openai"}, {"secret", remember(make_secret("sk-proj-"))}, {"colour", "red"}}));
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "openai"}, {"name", "Bad Name"}, {"secret", remember(make_secret("sk-proj-"))}}));
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "openai"}, {"secret", remember(make_secret("sk-proj-"))}, {"priority", "high"}}));
    const std::string spaced = remember(make_secret("sk-proj-"));
    vault.call(alice, "POST", "/api/v1/keys", body_of({{"provider", "openai"}, {"secret", spaced + " tail"}}));
    vault.call(alice, "POST", "/api/v1/keys",
               "{\"provider\":\"openai\",\"secret\":\"" + remember(make_secret("sk-proj-")) + "\",");  // broken JSON
    vault.call(alice, "POST", "/api/v1/keys",
               body_of({{"provider", "openai"}, {"secret", remember(make_secret("sk-proj-"))}}),
               {{"Content-Type", "text/plain"}});
    vault.call(bob(), "POST", "/api/v1/keys/" + str(openai, "id") + "/rotate",
               body_of({{"secret", remember(make_secret("sk-proj-"))}}));

    auto deleted = vault.call(alice, "DELETE", "/api/v1/keys/" + str(doomed, "id"));
    if (deleted.status != 204) throw std::runtime_error("delete: " + describe(deleted) + deleted.body);
    return doomed_secret;
  }

  const Identity& bob() {
    if (!bob_) bob_ = vault.add_user("bob");
    return *bob_;
  }

  void expect_database_holds_no_secret(std::string_view when) {
    for (const char* file : {"keyrelay.db", "keyrelay.db-wal", "keyrelay.db-journal"}) {
      const auto path = vault.data_dir() / file;
      if (!std::filesystem::exists(path)) continue;
      const std::string bytes = read_file_or_empty(path);
      EXPECT_TRUE(holds_no_secret(bytes, secrets, std::string(file) + " " + std::string(when)));
    }
  }

 private:
  std::optional<Identity> bob_;
};

TEST_F(VaultSecrets, NoResponseEverContainsAStoredSecret) {
  exercise_the_vault();
  ASSERT_GT(vault.transcript().size(), 20u);
  for (std::size_t i = 0; i < vault.transcript().size(); ++i)
    EXPECT_TRUE(holds_no_secret(vault.transcript()[i], secrets, "response #" + std::to_string(i)))
        << vault.transcript()[i];
}

TEST_F(VaultSecrets, TheServerLogNeverContainsAStoredSecret) {
  exercise_the_vault();
  EXPECT_FALSE(vault.logs().empty());
  EXPECT_TRUE(holds_no_secret(vault.logs(), secrets, "the running server's log"));
  vault.stop();
  EXPECT_TRUE(holds_no_secret(vault.logs(), secrets, "the log after shutdown"));
}

TEST_F(VaultSecrets, TheDatabaseFilesNeverContainAStoredSecretWhileRunningOrAfterStop) {
  exercise_the_vault();
  ASSERT_TRUE(std::filesystem::exists(vault.database_file()));
  expect_database_holds_no_secret("while the server runs");
  vault.stop();
  expect_database_holds_no_secret("after the server stopped");
  // The other files in the data dir (the keyring) hold no plaintext secret either.
  for (const auto& entry : std::filesystem::directory_iterator(vault.data_dir())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_TRUE(holds_no_secret(read_file_or_empty(entry.path()), secrets, entry.path().filename().string()));
  }
}

TEST_F(VaultSecrets, ADeletedKeysSecretIsAbsentEverywhere) {
  const std::string deleted = exercise_the_vault();
  const std::vector<std::string> only_deleted = {deleted};
  for (const auto& response : vault.transcript()) EXPECT_TRUE(holds_no_secret(response, only_deleted, "a response"));
  EXPECT_TRUE(holds_no_secret(vault.logs(), only_deleted, "the log"));
  vault.stop();
  for (const char* file : {"keyrelay.db", "keyrelay.db-wal"}) {
    const auto path = vault.data_dir() / file;
    if (std::filesystem::exists(path)) {
      EXPECT_TRUE(holds_no_secret(read_file_or_empty(path), only_deleted, std::string(file) + " after delete"));
    }
  }
}

TEST_F(VaultSecrets, TheLeakScannerFindsASecretInEachForm) {
  // The scanner itself: a haystack holding an encoded secret is caught.
  const std::string secret = make_secret("sk-proj-");
  const core::ByteView bytes(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  const std::vector<std::string> secrets = {secret};
  EXPECT_FALSE(holds_no_secret("xx" + secret + "yy", secrets, "raw"));
  EXPECT_FALSE(holds_no_secret("xx" + core::hex_encode(bytes) + "yy", secrets, "hex"));
  EXPECT_FALSE(holds_no_secret(core::base64_encode(bytes), secrets, "base64"));
  const std::string inside = "ab" + secret;
  EXPECT_FALSE(holds_no_secret(
      core::base64url_encode(core::ByteView(reinterpret_cast<const std::uint8_t*>(inside.data()), inside.size())),
      secrets, "base64url inside a longer blob"));
  EXPECT_TRUE(holds_no_secret("\u2026" + secret.substr(secret.size() - 4), secrets, "the hint"));
}

}  // namespace
}  // namespace keyrelay::test
