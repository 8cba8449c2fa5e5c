#include "crypto/keyring.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/time_format.h"
#include "support/temp_dir.h"

namespace keyrelay::crypto {
namespace {

namespace fs = std::filesystem;
using State = KeyVersionInfo::State;

std::string key_text(std::uint8_t byte) { return core::base64_encode(core::Bytes(32, byte)); }

std::string entry(int version, std::string_view key, std::string_view state,
                  std::string_view created_at = "2026-11-23T18:57:00.000Z") {
  return "[[keys]]\nversion = " + std::to_string(version) + "\nkey = \"" + std::string(key) +
         "\"\ncreated_at = \"" + std::string(created_at) + "\"\nstate = \"" + std::string(state) +
         "\"\n";
}

// Writes `text` as a keyring file with mode 0600.
fs::path write_keyring(const test::TempDir& dir, std::string_view text,
                       std::string_view name = "keyring.toml") {
  auto path = dir.write_file(name, text);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return path;
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

core::Error load_error(const test::TempDir& dir, std::string_view text) {
  auto keyring = Keyring::load_file(write_keyring(dir, text));
  EXPECT_FALSE(keyring) << text;
  return keyring ? core::Error{} : keyring.error();
}

TEST(Keyring, FromMasterKeyHoldsOneActiveVersionThatCannotRotate) {
  auto keyring = Keyring::from_master_key(key_text(7));
  ASSERT_TRUE(keyring) << keyring.error().message;
  EXPECT_EQ(keyring->active_version(), 1u);
  EXPECT_FALSE(keyring->is_rotatable());
  auto key = keyring->key(1);
  ASSERT_TRUE(key);
  EXPECT_EQ(core::Bytes(key->begin(), key->end()), core::Bytes(32, 7));
  const auto versions = keyring->versions();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].version, 1u);
  EXPECT_EQ(versions[0].state, State::active);
}

TEST(Keyring, FromMasterKeyRejectsBadBase64WithoutEchoingIt) {
  for (const std::string& text :
       std::vector<std::string>{"c2VjcmV0LWtleS10ZXh0IQ==x", "not base64 at all!",
                                " " + key_text(7), key_text(7) + "\n"}) {
    auto keyring = Keyring::from_master_key(text);
    ASSERT_FALSE(keyring) << text;
    EXPECT_EQ(keyring.error().code, core::Errc::invalid_request);
    EXPECT_EQ(keyring.error().message.find(text), std::string::npos);
    EXPECT_EQ(keyring.error().message.find("c2VjcmV0"), std::string::npos);
  }
}

TEST(Keyring, FromMasterKeyRejectsKeysThatAreNot32BytesWithoutEchoingThem) {
  for (std::size_t size : {0u, 16u, 31u, 33u, 64u}) {
    const std::string text = core::base64_encode(core::Bytes(size, 0x5a));
    auto keyring = Keyring::from_master_key(text);
    ASSERT_FALSE(keyring) << size;
    EXPECT_EQ(keyring.error().code, core::Errc::invalid_request);
    if (!text.empty()) {
      EXPECT_EQ(keyring.error().message.find(text.substr(0, 8)), std::string::npos);
    }
  }
}

TEST(Keyring, KeyOfAMissingVersionNamesOnlyTheVersion) {
  auto keyring = Keyring::from_master_key(key_text(7));
  ASSERT_TRUE(keyring);
  auto key = keyring->key(42);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, core::Errc::not_found);
  EXPECT_NE(key.error().message.find("42"), std::string::npos);
  EXPECT_EQ(key.error().message.find(key_text(7)), std::string::npos);
}

TEST(Keyring, LoadFileReadsEveryVersion) {
  test::TempDir dir;
  auto keyring = Keyring::load_file(write_keyring(
      dir, "active = 2\n\n" + entry(1, key_text(1), "active", "2025-01-02T03:04:05Z") + "\n" +
               entry(3, key_text(3), "pending") + entry(2, key_text(2), "active")));
  ASSERT_TRUE(keyring) << keyring.error().message;
  EXPECT_EQ(keyring->active_version(), 2u);
  EXPECT_TRUE(keyring->is_rotatable());
  const auto versions = keyring->versions();
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version, 1u);
  EXPECT_EQ(versions[0].state, State::active);
  EXPECT_EQ(versions[0].created_at, "2025-01-02T03:04:05Z");
  EXPECT_EQ(versions[1].state, State::active);
  EXPECT_EQ(versions[2].version, 3u);
  EXPECT_EQ(versions[2].state, State::pending);
  for (std::uint8_t v = 1; v <= 3; ++v) {
    auto key = keyring->key(v);
    ASSERT_TRUE(key);
    EXPECT_EQ(core::Bytes(key->begin(), key->end()), core::Bytes(32, v));
  }
}

TEST(Keyring, LoadFileRefusesAFileThatGroupOrOthersCanAccess) {
  test::TempDir dir;
  const auto path = write_keyring(dir, "active = 1\n" + entry(1, key_text(1), "active"));
  for (unsigned mode : {0644u, 0640u, 0604u, 0660u, 0601u}) {
    fs::permissions(path, static_cast<fs::perms>(mode), fs::perm_options::replace);
    auto keyring = Keyring::load_file(path);
    ASSERT_FALSE(keyring) << std::oct << mode;
    EXPECT_EQ(keyring.error().code, core::Errc::forbidden);
    const std::string& message = keyring.error().message;
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    EXPECT_NE(message.find(octal), std::string::npos) << message;
    EXPECT_NE(message.find("chmod 600 " + path.string()), std::string::npos) << message;
  }
  fs::permissions(path, fs::perms::owner_read, fs::perm_options::replace);  // 0400 is fine
  EXPECT_TRUE(Keyring::load_file(path));
}

TEST(Keyring, LoadFileNamesAMissingFile) {
  test::TempDir dir;
  const auto path = dir / "absent.toml";
  auto keyring = Keyring::load_file(path);
  ASSERT_FALSE(keyring);
  EXPECT_EQ(keyring.error().code, core::Errc::not_found);
  EXPECT_NE(keyring.error().message.find(path.string()), std::string::npos);
}

TEST(Keyring, LoadFileNamesAnUnknownKey) {
  test::TempDir dir;
  auto top = load_error(dir, "active = 1\ncolour = \"blue\"\n" + entry(1, key_text(1), "active"));
  EXPECT_EQ(top.code, core::Errc::invalid_request);
  EXPECT_NE(top.message.find("colour"), std::string::npos) << top.message;
  auto inner = load_error(dir, "active = 1\n" + entry(1, key_text(1), "active") + "note = \"x\"\n");
  EXPECT_NE(inner.message.find("keys[0].note"), std::string::npos) << inner.message;
}

TEST(Keyring, LoadFileRejectsADuplicateVersion) {
  test::TempDir dir;
  auto error = load_error(
      dir, "active = 1\n" + entry(1, key_text(1), "active") + entry(1, key_text(2), "active"));
  EXPECT_EQ(error.code, core::Errc::invalid_request);
  EXPECT_NE(error.message.find("more than once"), std::string::npos) << error.message;
}

TEST(Keyring, LoadFileRejectsAnActiveThatIsNotTheActiveState) {
  test::TempDir dir;
  // `active` names a pending version.
  EXPECT_EQ(load_error(dir, "active = 2\n" + entry(1, key_text(1), "active") +
                                entry(2, key_text(2), "pending"))
                .code,
            core::Errc::invalid_request);
  // A pending version that is not the newest one.
  EXPECT_EQ(load_error(dir, "active = 2\n" + entry(1, key_text(1), "pending") +
                                entry(2, key_text(2), "active"))
                .code,
            core::Errc::invalid_request);
  // `active` names no version at all.
  EXPECT_EQ(load_error(dir, "active = 5\n" + entry(1, key_text(1), "retired")).code,
            core::Errc::invalid_request);
}

TEST(Keyring, LoadFileRejectsABadKeyWithoutEchoingIt) {
  test::TempDir dir;
  const std::string short_key = core::base64_encode(core::Bytes(16, 0x33));
  for (const std::string& key :
       std::vector<std::string>{"!!notbase64!!", short_key, key_text(1) + "AAAA"}) {
    auto error = load_error(dir, "active = 1\n" + entry(1, key, "active"));
    EXPECT_EQ(error.code, core::Errc::invalid_request);
    EXPECT_NE(error.message.find("keys[0].key"), std::string::npos) << error.message;
    EXPECT_EQ(error.message.find(key), std::string::npos) << error.message;
  }
}

TEST(Keyring, LoadFileRejectsInvalidTomlWithoutQuotingIt) {
  test::TempDir dir;
  auto error = load_error(dir, "active = 1\n[[keys]]\nversion = 1\nkey = \"" + key_text(9) + "\n");
  EXPECT_EQ(error.code, core::Errc::invalid_request);
  EXPECT_NE(error.message.find("not valid TOML"), std::string::npos) << error.message;
  EXPECT_EQ(error.message.find(key_text(9).substr(0, 8)), std::string::npos) << error.message;
}

TEST(Keyring, LoadFileRejectsMissingOrMistypedFields) {
  test::TempDir dir;
  const std::string k = key_text(1);
  for (const std::string& text : std::vector<std::string>{
           entry(1, k, "active"),                                // no active
           std::string("active = 1\n"),                          // no keys
           "active = \"1\"\n" + entry(1, k, "active"),           // active not an int
           "active = 1\n" + entry(0, k, "active"),               // version 0
           "active = 1\n" + entry(1, k, "enabled"),              // unknown state
           "active = 1\n" + entry(1, k, "active", "yesterday"),  // bad created_at
           "active = 1\n[[keys]]\nversion = 1\nkey = \"" + k +
               "\"\nstate = \"active\"\n",  // no created_at
           "active = 1\n[[keys]]\nversion = 1\ncreated_at = \"2026-01-01T00:00:00Z\"\nstate = "
           "\"active\"\n",
           "active = 1\nkeys = 3\n",
       }) {
    EXPECT_EQ(load_error(dir, text).code, core::Errc::invalid_request) << text;
  }
}

TEST(Keyring, GenerateMakesOneActiveRotatableVersion) {
  const auto now = std::chrono::system_clock::now();
  auto keyring = Keyring::generate(now);
  ASSERT_TRUE(keyring);
  EXPECT_TRUE(keyring->is_rotatable());
  EXPECT_EQ(keyring->active_version(), 1u);
  const auto versions = keyring->versions();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].created_at, core::format_rfc3339(now));
  auto other = Keyring::generate(now);
  ASSERT_TRUE(other);
  EXPECT_NE(core::Bytes(keyring->key(1)->begin(), keyring->key(1)->end()),
            core::Bytes(other->key(1)->begin(), other->key(1)->end()));
}

TEST(Keyring, SaveNewThenLoadFileRoundTripsWithMode0600) {
  test::TempDir dir;
  auto keyring = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(keyring);
  auto rotated = keyring->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_TRUE(rotated);
  const auto path = dir / "keyring.toml";
  const mode_t old_umask = ::umask(0);  // the file mode must not depend on the umask
  auto saved = rotated->save_new(path);
  ::umask(old_umask);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(mode_of(path), 0600u);
  // Only the keyring is left: the temporary file was removed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);

  auto loaded = Keyring::load_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->active_version(), rotated->active_version());
  const auto a = rotated->versions(), b = loaded->versions();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].version, b[i].version);
    EXPECT_EQ(a[i].created_at, b[i].created_at);
    EXPECT_EQ(a[i].state, b[i].state);
    auto ka = rotated->key(a[i].version), kb = loaded->key(b[i].version);
    ASSERT_TRUE(ka && kb);
    EXPECT_EQ(core::Bytes(ka->begin(), ka->end()), core::Bytes(kb->begin(), kb->end()));
  }
}

TEST(Keyring, SaveNewNeverOverwritesAnExistingFile) {
  test::TempDir dir;
  const auto path = dir.write_file("keyring.toml", "original");
  auto keyring = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(keyring);
  auto saved = keyring->save_new(path);
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().code, core::Errc::conflict);
  EXPECT_NE(saved.error().message.find(path.string()), std::string::npos);
  EXPECT_EQ(test::read_file_or_empty(path), "original");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(Keyring, SaveNewRefusesAKeyringFromASingleMasterKey) {
  test::TempDir dir;
  auto keyring = Keyring::from_master_key(key_text(1));
  ASSERT_TRUE(keyring);
  auto saved = keyring->save_new(dir / "keyring.toml");
  ASSERT_FALSE(saved);
  EXPECT_FALSE(fs::exists(dir / "keyring.toml"));
}

TEST(Keyring, SaveNewFailsInAMissingDirectory) {
  test::TempDir dir;
  auto keyring = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(keyring);
  auto saved = keyring->save_new(dir / "no" / "such" / "keyring.toml");
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().code, core::Errc::internal);
}

TEST(Keyring, WithNewPendingVersionAddsTheNextVersionAsPending) {
  auto keyring = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(keyring);
  auto next = keyring->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->active_version(), 1u);
  EXPECT_TRUE(next->is_rotatable());
  const auto versions = next->versions();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].state, State::active);
  EXPECT_EQ(versions[1].version, 2u);
  EXPECT_EQ(versions[1].state, State::pending);
  // Version 1 is the same key; version 2 is new; the original keyring is unchanged.
  EXPECT_EQ(core::Bytes(next->key(1)->begin(), next->key(1)->end()),
            core::Bytes(keyring->key(1)->begin(), keyring->key(1)->end()));
  EXPECT_NE(core::Bytes(next->key(2)->begin(), next->key(2)->end()),
            core::Bytes(next->key(1)->begin(), next->key(1)->end()));
  EXPECT_EQ(keyring->versions().size(), 1u);
}

TEST(Keyring, WithNewPendingVersionRefusesASecondPendingVersion) {
  auto keyring = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(keyring);
  auto next = keyring->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_TRUE(next);
  auto again = next->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
}

TEST(Keyring, WithNewPendingVersionFollowsTheHighestVersion) {
  test::TempDir dir;
  auto keyring = Keyring::load_file(write_keyring(
      dir, "active = 4\n" + entry(1, key_text(1), "active") + entry(4, key_text(4), "active")));
  ASSERT_TRUE(keyring) << keyring.error().message;
  auto next = keyring->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_TRUE(next);
  EXPECT_EQ(next->versions().back().version, 5u);
}

TEST(Keyring, ASingleMasterKeyCannotBeRotated) {
  auto keyring = Keyring::from_master_key(key_text(1));
  ASSERT_TRUE(keyring);
  auto next = keyring->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().code, core::Errc::invalid_request);
  EXPECT_NE(next.error().message.find("keyring file"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::crypto

namespace keyrelay::crypto {
namespace {

// Rotation: pending → active (the old version stays readable) → the old version retired.
TEST(KeyringRotation, ActivatingAPendingVersionMakesItSealWhileOldOnesStayReadable) {
  auto base = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(base);
  auto pending = base->with_new_pending_version(std::chrono::system_clock::now());
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->active_version(), 1u);
  auto active = pending->with_activated(2);
  ASSERT_TRUE(active) << active.error().message;
  EXPECT_EQ(active->active_version(), 2u);
  EXPECT_TRUE(active->key(1));
  EXPECT_TRUE(active->key(2));
  EXPECT_FALSE(active->with_activated(2)) << "only a pending version can be activated";
}

TEST(KeyringRotation, RetiringDropsTheMasterKeyAndKeepsTheAuditKey) {
  auto base = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(base);
  auto rotated = base->with_new_pending_version(std::chrono::system_clock::now())->with_activated(2);
  ASSERT_TRUE(rotated);
  const core::Bytes audit_key(32, 0x5a);
  EXPECT_FALSE(rotated->with_retired(2, audit_key)) << "the sealing version cannot be retired";
  EXPECT_FALSE(rotated->with_retired(1, core::Bytes(31, 0))) << "an audit key is 32 bytes";
  auto retired = rotated->with_retired(1, audit_key);
  ASSERT_TRUE(retired) << retired.error().message;
  EXPECT_FALSE(retired->key(1)) << "a retired master key is gone";
  auto kept = retired->retired_audit_key(1);
  ASSERT_TRUE(kept);
  EXPECT_EQ(core::Bytes(kept->begin(), kept->end()), audit_key);
  EXPECT_EQ(retired->versions()[0].state, KeyVersionInfo::State::retired);
  EXPECT_FALSE(retired->with_retired(1, audit_key)) << "already retired";
}

TEST(KeyringRotation, SaveReplacingRoundTripsARetiredKeyringWithMode0600) {
  test::TempDir dir;
  const auto path = dir.path() / "keyring.toml";
  auto base = Keyring::generate(std::chrono::system_clock::now());
  ASSERT_TRUE(base);
  ASSERT_TRUE(base->save_new(path));
  auto rotated = base->with_new_pending_version(std::chrono::system_clock::now())->with_activated(2);
  ASSERT_TRUE(rotated);
  auto retired = rotated->with_retired(1, core::Bytes(32, 0x11));
  ASSERT_TRUE(retired);
  EXPECT_FALSE(retired->save_new(path)) << "save_new never replaces";
  ASSERT_TRUE(retired->save_replacing(path));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto loaded = Keyring::load_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->active_version(), 2u);
  EXPECT_FALSE(loaded->key(1));
  EXPECT_TRUE(loaded->retired_audit_key(1));
  EXPECT_TRUE(loaded->key(2));
}

}  // namespace
}  // namespace keyrelay::crypto
