// SQLite engine specifics that the contract cannot express: files on disk, pragmas, locking,
// schema versions and storage formats.

#include "store/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/ids.h"
#include "raw_sqlite.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store_contract.h"
#include "support/temp_dir.h"
#include "test_sealer.h"

namespace keyrelay::store::test {
namespace {

using ::keyrelay::test::read_file_or_empty;
using ::keyrelay::test::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store_at(file_); }

  std::unique_ptr<SqliteStore> open_store_at(const std::filesystem::path& file,
                                             std::chrono::milliseconds busy = std::chrono::milliseconds{5000},
                                             std::size_t connections = 4) {
    SqliteOptions options;
    options.file = file;
    options.busy_timeout = busy;
    options.connections = connections;
    auto opened = SqliteStore::open(options, sealer_);
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return nullptr;
    auto migrated = (*opened)->migrate();
    EXPECT_TRUE(migrated) << migrated.error().message;
    return std::move(*opened);
  }

  UserRecord add_user(Store& store, std::string_view name) {
    UserRecord user;
    user.id = core::uuid_v7();
    user.name = std::string(name);
    user.salt = core::Bytes(16, 7);
    user.created_at = at(0);
    EXPECT_TRUE(store.create_user(user, event("user.created")));
    return user;
  }

  KeyRecord key_with_secret(const UserRecord& owner, std::string_view name, core::Bytes sealed) {
    KeyRecord key;
    key.id = core::uuid_v7();
    key.owner_id = owner.id;
    key.provider = "openai";
    key.name = std::string(name);
    key.hint = "…";
    key.fingerprint = core::Bytes(32);
    core::os_random(key.fingerprint.data(), key.fingerprint.size());
    key.wrapped_data_key = core::Bytes(60, 3);
    key.sealed_secret = std::move(sealed);
    key.master_version = 1;
    key.created_at = key.updated_at = at(1);
    return key;
  }

  AuditEvent event(std::string_view action) {
    AuditEvent e;
    e.id = core::uuid_v7();
    e.chain = "node/mgmt";
    e.time = at(2);
    e.action = std::string(action);
    return e;
  }

  // Everything on disk that belongs to the database.
  std::string disk_bytes() const {
    return read_file_or_empty(file_) + read_file_or_empty(file_.string() + "-wal") +
           read_file_or_empty(file_.string() + "-shm");
  }

  TempDir dir_;
  std::filesystem::path file_ = dir_ / "keyrelay.db";
  TestSealer sealer_;
  std::unique_ptr<SqliteStore> store_;
};

// A 64-byte canary nobody else writes: ASCII so a failure message can show it.
core::Bytes canary(char tag) {
  std::string text = "KEYRELAY-SEALED-SECRET-CANARY-";
  text += tag;
  text += "-";
  while (text.size() < 64) text += static_cast<char>('a' + text.size() % 26);
  return {text.begin(), text.end()};
}

std::string as_text(const core::Bytes& bytes) { return {bytes.begin(), bytes.end()}; }

TEST_F(SqliteStoreTest, DatabaseFilesAreOwnerOnly) {
  ASSERT_TRUE(store_);
  add_user(*store_, "alice");  // the WAL and its index exist once something was written
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat((file_.string() + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "keyrelay.db" << suffix;
  }
}

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  ASSERT_TRUE(store_);
  RawSqlite raw(file_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
}

// A group commit's savepoint journals hold old page images of the vault: in memory, never in a
// temporary file outside the data directory (which SQLite would also create and unlink per group).
// Every commit is synced, and deleted content is zeroed.
TEST(SqliteConnection, KeepsTemporaryDataInMemorySyncsEveryCommitAndZeroesDeletions) {
  TempDir dir;
  auto conn = sqlite::Connection::open(dir / "c.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn) << conn.error().message;
  auto pragma = [&](std::string_view name) -> std::int64_t {
    auto st = (*conn)->prepare("PRAGMA " + std::string(name));
    EXPECT_TRUE(st) << name;
    if (!st) return -1;
    auto row = st->step("reading a pragma");
    EXPECT_TRUE(row && *row) << name;
    return row && *row ? st->int_at(0) : -1;
  };
  EXPECT_EQ(pragma("temp_store"), 2);     // MEMORY
  EXPECT_EQ(pragma("synchronous"), 2);    // FULL
  EXPECT_EQ(pragma("secure_delete"), 1);  // on
}

TEST_F(SqliteStoreTest, DeletedKeyLeavesNoCopyOfItsSealedSecretOnDisk) {
  ASSERT_TRUE(store_);
  auto owner = add_user(*store_, "alice");
  const auto small = canary('S');
  const auto large_canary = canary('L');
  core::Bytes large(10000, 0x20);  // spans overflow pages; the canary sits near the end
  large.insert(large.end() - 100, large_canary.begin(), large_canary.end());
  auto inserted = store_->insert_key(key_with_secret(owner, "small", small), event("key.created"));
  ASSERT_TRUE(inserted) << inserted.error().message;
  inserted = store_->insert_key(key_with_secret(owner, "large", large), event("key.created"));
  ASSERT_TRUE(inserted) << inserted.error().message;
  {
    RawSqlite raw(file_);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  ASSERT_NE(disk_bytes().find(as_text(small)), std::string::npos) << "the test cannot see the secret at all";
  ASSERT_NE(disk_bytes().find(as_text(large_canary)), std::string::npos);

  auto keys = store_->keys_of_owner(owner.id);
  ASSERT_TRUE(keys);
  for (const auto& key : *keys) ASSERT_TRUE(store_->delete_key(owner.id, key.id, event("key.deleted")));

  EXPECT_EQ(disk_bytes().find(as_text(small)), std::string::npos) << "right after delete_key";
  EXPECT_EQ(disk_bytes().find(as_text(large_canary)), std::string::npos);
  {
    RawSqlite raw(file_);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  EXPECT_EQ(disk_bytes().find(as_text(small)), std::string::npos) << "after a checkpoint";
  EXPECT_EQ(disk_bytes().find(as_text(large_canary)), std::string::npos);
}

TEST_F(SqliteStoreTest, RotationLeavesNoCopyOfTheOldSealedSecretOnDisk) {
  ASSERT_TRUE(store_);
  auto owner = add_user(*store_, "alice");
  const auto old_secret = canary('O');
  auto key = key_with_secret(owner, "work", old_secret);
  ASSERT_TRUE(store_->insert_key(key, event("key.created")));
  {
    RawSqlite raw(file_);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  ASSERT_NE(disk_bytes().find(as_text(old_secret)), std::string::npos);

  auto rotated = store_->update_key(owner.id, key.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    k.sealed_secret = canary('N');
    k.version += 1;
    return event("key.rotated");
  });
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(disk_bytes().find(as_text(old_secret)), std::string::npos);
  EXPECT_NE(disk_bytes().find(as_text(canary('N'))), std::string::npos);
}

TEST_F(SqliteStoreTest, AReWrapLeavesNoCopyOfTheOldWrappedDataKeysOnDiskOnceItEnds) {
  ASSERT_TRUE(store_);
  auto owner = add_user(*store_, "alice");
  std::vector<KeyRecord> keys;
  for (char tag : {'1', '2', '3'}) {
    auto key = key_with_secret(owner, std::string("k") + tag, canary('S'));
    key.fingerprint = canary(tag);  // unique per key; not what is looked for
    const auto wrapped = canary(static_cast<char>(tag + 16));  // 'A', 'B', 'C'
    key.wrapped_data_key.assign(wrapped.begin(), wrapped.end());
    ASSERT_TRUE(store_->insert_key(key, event("key.created")));
    keys.push_back(key);
  }
  {
    RawSqlite raw(file_);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::vector<store::RewrappedKey> batch;
  for (const auto& key : keys) {
    ASSERT_NE(disk_bytes().find(as_text(key.wrapped_data_key)), std::string::npos) << "the test cannot see it at all";
    core::Bytes fingerprint(32);
    core::os_random(fingerprint.data(), fingerprint.size());
    batch.push_back({key.id, 1, key.version, 2, canary('N'), fingerprint});
  }
  auto changed = store_->rewrap_keys(batch);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, 3u);
  store_->end_rewrap();

  for (const auto& key : keys)
    EXPECT_EQ(disk_bytes().find(as_text(key.wrapped_data_key)), std::string::npos) << key.name;
  EXPECT_EQ(std::filesystem::file_size(file_.string() + "-wal"), 0u) << "the WAL is truncated";
  EXPECT_NE(disk_bytes().find(as_text(canary('N'))), std::string::npos);
}

TEST_F(SqliteStoreTest, BusyDatabaseIsUnavailableAndRecovers) {
  auto store = open_store_at(file_, std::chrono::milliseconds{100});
  ASSERT_TRUE(store);
  auto alice = add_user(*store, "alice");
  RawSqlite locker(file_);
  locker.exec("BEGIN IMMEDIATE");  // another process holds the write lock

  UserRecord bob = alice;
  bob.id = core::uuid_v7();
  bob.name = "bob";
  auto blocked = store->create_user(bob, event("user.created"));
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, core::Errc::unavailable);
  auto read = store->find_user(alice.id);  // WAL: readers are not blocked by the writer
  EXPECT_TRUE(read) << read.error().message;

  locker.exec("ROLLBACK");
  auto retried = store->create_user(bob, event("user.created"));
  EXPECT_TRUE(retried) << retried.error().message;
}

TEST_F(SqliteStoreTest, ReentrantWriteFromAChangeFailsInsteadOfDeadlocking) {
  auto store = open_store_at(dir_ / "single.db", std::chrono::milliseconds{100}, 1);
  ASSERT_TRUE(store);
  auto owner = add_user(*store, "alice");
  auto key = key_with_secret(owner, "work", canary('R'));
  ASSERT_TRUE(store->insert_key(key, event("key.created")));
  auto other = key_with_secret(owner, "spare", canary('S'));
  // Breaks the contract: the change runs inside the write group, which the inner write would
  // queue behind for ever.
  auto updated = store->update_key(owner.id, key.id, [&](KeyRecord&) -> core::Result<AuditEvent> {
    if (auto inner = store->insert_key(other, event("key.created")); !inner) return inner.error();
    return event("key.updated");
  });
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, core::Errc::internal);
  auto kept = store->get_key(owner.id, other.id);
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code, core::Errc::not_found);
}

TEST_F(SqliteStoreTest, DatabaseFromANewerKeyrelayIsRefused) {
  ASSERT_TRUE(store_);
  const int newer = sqlite::latest_schema_version() + 1;
  {
    RawSqlite raw(file_);
    raw.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (" + std::to_string(newer) + ", 0)");
  }
  auto migrated = store_->migrate();
  ASSERT_FALSE(migrated);
  EXPECT_NE(migrated.error().message.find("version " + std::to_string(newer)), std::string::npos)
      << migrated.error().message;
  auto reopened = SqliteStore::open(SqliteOptions{file_}, sealer_);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, core::Errc::unavailable) << "shown to the operator, not hidden as internal";
  EXPECT_NE(reopened.error().message.find("newer than this keyrelay knows"), std::string::npos)
      << reopened.error().message;
}

TEST_F(SqliteStoreTest, UnopenableFileIsUnavailableNamingIt) {
  const auto missing = dir_ / "no-such-dir" / "keyrelay.db";
  auto opened = SqliteStore::open(SqliteOptions{missing}, sealer_);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::Errc::unavailable);
  EXPECT_NE(opened.error().message.find(missing.string()), std::string::npos) << opened.error().message;
}

TEST_F(SqliteStoreTest, TimesAreStoredInMillisecondsRoundingDown) {
  ASSERT_TRUE(store_);
  UserRecord user;
  user.id = core::uuid_v7();
  user.name = "precise";
  user.salt = core::Bytes(16, 1);
  user.created_at = at(0) + std::chrono::microseconds{1999};
  ASSERT_TRUE(store_->create_user(user, event("user.created")));
  auto found = store_->find_user(user.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->created_at, at(0) + std::chrono::milliseconds{1});
  RawSqlite raw(file_);
  EXPECT_EQ(raw.integer("SELECT created_at FROM users WHERE name = 'precise'"),
            std::chrono::duration_cast<std::chrono::milliseconds>(at(0).time_since_epoch()).count() + 1);
}

TEST_F(SqliteStoreTest, ScopesAreStoredSpaceSeparatedAndMayNotContainSpaces) {
  ASSERT_TRUE(store_);
  auto user = add_user(*store_, "alice");
  TokenRecord token;
  token.id = core::uuid_v7();
  token.user_id = user.id;
  token.name = "cli";
  token.hash = core::Bytes(32, 9);
  token.scopes = {"keys:read", "gateway"};
  token.created_at = at(3);
  ASSERT_TRUE(store_->create_token(token, event("token.issued")));
  {
    RawSqlite raw(file_);
    EXPECT_EQ(raw.text("SELECT scopes FROM access_tokens"), "keys:read gateway");
  }
  token.id = core::uuid_v7();
  token.hash = core::Bytes(32, 10);
  token.scopes = {"keys:read gateway"};
  auto created = store_->create_token(token, event("token.issued"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, core::Errc::invalid_request);
}

TEST_F(SqliteStoreTest, EveryMigrationIsRecordedWithItsTime) {
  ASSERT_TRUE(store_);
  RawSqlite raw(file_);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM schema_migrations"), sqlite::latest_schema_version());
  EXPECT_GT(raw.integer("SELECT min(applied_at) FROM schema_migrations"), 1'700'000'000'000);
  EXPECT_EQ(raw.integer("SELECT generation FROM store_generation WHERE id = 1"), 0);
}

}  // namespace
}  // namespace keyrelay::store::test
