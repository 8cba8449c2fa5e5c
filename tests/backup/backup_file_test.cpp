// The writer and reader together, over an in-memory store: what goes in comes out value for
// value; the key's errors; a manifest that disagrees with the rows; records out of order.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>

#include <boost/json/serialize.hpp>

#include "backup/backup_reader.h"
#include "backup/backup_writer.h"
#include "backup/chunk_stream.h"
#include "backup/records.h"
#include "support/temp_dir.h"

namespace keyrelay::backup {
namespace {

using store::CopyRow;
using store::CopyTable;

// A store in memory: two tables, the second with an audit chain.
class MemorySource : public store::CopySource {
 public:
  std::vector<CopyTable> schema{{"users", {"id", "salt", "score", "note"}}, {"audit_log", {"chain", "seq", "hash"}}};
  std::vector<std::vector<CopyRow>> rows{
      {{std::string("usr_1"), core::Bytes{1, 2, 3}, std::int64_t{-5}, std::monostate{}},
       {std::string("usr_2"), core::Bytes{}, std::int64_t{1} << 40, 2.5}},
      {{std::string("node-a"), std::int64_t{1}, core::Bytes{0xaa}}, {std::string("node-a"), std::int64_t{2}, core::Bytes{0xbb}},
       {std::string("cli-b"), std::int64_t{1}, core::Bytes{0xcc}}}};

  core::Result<std::vector<CopyTable>> tables() override { return schema; }
  core::Result<void> read(const CopyTable& table, std::size_t batch, const store::CopyRowSink& sink) override {
    const auto& all = rows[table.name == "users" ? 0 : 1];
    for (std::size_t at = 0; at < all.size(); at += batch) {
      std::vector<CopyRow> part(all.begin() + static_cast<std::ptrdiff_t>(at),
                                all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), at + batch)));
      if (auto r = sink(part); !r) return r;
    }
    return core::ok();
  }
  core::Result<int> schema_version() override { return 5; }
};

// Records what a restore would write, and whether it was committed.
class MemoryTarget : public store::CopyTarget {
 public:
  std::vector<CopyTable> tables;
  std::map<std::string, std::vector<CopyRow>> rows;
  bool committed = false, rolled_back = false;

  core::Result<void> begin(const std::vector<CopyTable>& t) override {
    tables = t;
    return core::ok();
  }
  core::Result<void> write(const CopyTable& table, const std::vector<CopyRow>& r) override {
    auto& all = rows[table.name];
    all.insert(all.end(), r.begin(), r.end());
    return core::ok();
  }
  core::Result<void> commit() override {
    committed = true;
    return core::ok();
  }
  void rollback() noexcept override { rolled_back = true; }
};

std::shared_ptr<const crypto::Keyring> new_keyring() {
  return std::make_shared<const crypto::Keyring>(crypto::Keyring::generate(std::chrono::system_clock::now()).value());
}

const BackupOrigin kOrigin{"sqlite", "test", std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))};

class BackupFile : public ::testing::Test {
 protected:
  std::filesystem::path write(const KeyMaterial& material, std::uint32_t chunk_size = kDefaultChunkSize) {
    auto key = new_sealing_key(material, chunk_size);
    EXPECT_TRUE(key) << key.error().message;
    auto manifest = write_backup(source, *key, kOrigin, file);
    EXPECT_TRUE(manifest) << manifest.error().message;
    return file;
  }
  core::Result<ReadBackup> read(const KeyMaterial& material) { return read_backup(file, material, target, 5); }

  test::TempDir dir;
  std::filesystem::path file = dir / "store.krb";
  MemorySource source;
  MemoryTarget target;
  KeyMaterial keyring_only{new_keyring(), std::nullopt};
};

TEST_F(BackupFile, EveryRowComesBackValueForValueWithItsManifest) {
  write(keyring_only, 64);  // small chunks: the body spans several
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir / "store.krb.tmp"));

  auto read = this->read(keyring_only);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_GT(read->chunks, 2u);
  EXPECT_TRUE(target.committed);
  EXPECT_EQ(target.tables.size(), 2u);
  EXPECT_EQ(target.rows["users"], source.rows[0]);
  EXPECT_EQ(target.rows["audit_log"], source.rows[1]);
  const auto& m = read->manifest;
  EXPECT_EQ(m.store, "sqlite");
  EXPECT_EQ(m.schema_version, 5);
  EXPECT_EQ(m.created_at, "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(m.tables, (std::vector<std::pair<std::string, std::int64_t>>{{"users", 2}, {"audit_log", 3}}));
  ASSERT_EQ(m.audit_chains.size(), 2u);
  EXPECT_EQ(m.audit_chains.at("node-a"), (ChainHead{2, "bb"}));
  EXPECT_EQ(m.audit_chains.at("cli-b"), (ChainHead{1, "cc"}));
}

TEST_F(BackupFile, APassphraseBackupOpensOnlyWithItsPassphrase) {
  KeyMaterial with_passphrase{keyring_only.keyring, core::Secret(std::string_view("correct horse"))};
  write(with_passphrase);
  ASSERT_TRUE(read(with_passphrase));

  KeyMaterial wrong{keyring_only.keyring, core::Secret(std::string_view("correct horse!"))};
  auto refused = read(wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "wrong passphrase for this backup");
  auto without = read(keyring_only);
  ASSERT_FALSE(without);
  EXPECT_NE(without.error().message.find("--passphrase-file"), std::string::npos);
}

TEST_F(BackupFile, AnotherKeyringOrOneWithoutTheVersionIsToldApart) {
  write(keyring_only);
  auto other = read({new_keyring(), std::nullopt});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("another keyring"), std::string::npos) << other.error().message;

  // Sealed under version 2 of a rotated keyring; a keyring holding only version 1 says so.
  auto rotated = keyring_only.keyring->with_new_pending_version(std::chrono::system_clock::now())->with_activated(2);
  ASSERT_TRUE(rotated);
  KeyMaterial on_two{std::make_shared<const crypto::Keyring>(std::move(*rotated)), std::nullopt};
  write(on_two);
  auto missing = read(keyring_only);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("master key version 2, which the keyring does not hold"), std::string::npos)
      << missing.error().message;
  EXPECT_TRUE(read(on_two));
}

// A backup sealed correctly whose manifest lies about the rows: the reader's own count catches it.
TEST_F(BackupFile, AManifestThatDisagreesWithTheRowsIsRefusedAndNothingCommits) {
  auto key = new_sealing_key(keyring_only).value();
  std::FILE* out = std::fopen(file.c_str(), "wb");
  const auto header = encode_header(key.header);
  std::fwrite(header.data(), 1, header.size(), out);
  ChunkWriter chunks(out, key.key.reveal(), crypto::sha256(header), key.header.chunk_size);
  ASSERT_TRUE(chunks.write(encode_schema(5, source.schema)));
  ASSERT_TRUE(chunks.write(encode_rows(0, source.rows[0])));
  Manifest lying;
  lying.format_version = 1;
  lying.schema_version = 5;
  lying.tables = {{"users", 3}, {"audit_log", 0}};
  ASSERT_TRUE(chunks.write(encode_manifest(boost::json::serialize(manifest_json(lying)))));
  ASSERT_TRUE(chunks.finish());
  std::fclose(out);

  auto read = this->read(keyring_only);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("does not match its manifest: table users has 2 rows"), std::string::npos)
      << read.error().message;
  EXPECT_FALSE(target.committed);
  EXPECT_TRUE(target.rolled_back);
}

TEST_F(BackupFile, AnotherSchemaVersionIsRefusedNamingBoth) {
  write(keyring_only);
  auto read = read_backup(file, keyring_only, target, 6);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("schema version 5; this keyrelay's is 6"), std::string::npos);
  EXPECT_FALSE(target.committed);
}

TEST_F(BackupFile, AFailedWriteLeavesNoFileAndKeepsTheOldOne) {
  write(keyring_only);
  const auto before = std::filesystem::file_size(file);
  struct FailingSource : MemorySource {
    core::Result<void> read(const CopyTable&, std::size_t, const store::CopyRowSink&) override {
      return core::Error::unavailable("the database went away");
    }
  } failing;
  auto key = new_sealing_key(keyring_only).value();
  auto written = write_backup(failing, key, kOrigin, file);
  ASSERT_FALSE(written);
  EXPECT_EQ(std::filesystem::file_size(file), before);
  EXPECT_TRUE(read(keyring_only));
  EXPECT_FALSE(std::filesystem::exists(dir / "store.krb.tmp"));
}

TEST(PassphraseFile, OneTrailingNewlineIsDroppedAndEmptyIsRefused) {
  test::TempDir dir;
  EXPECT_EQ(read_passphrase_file(dir.write_file("a", "secret words\n"))->reveal_text(), "secret words");
  EXPECT_EQ(read_passphrase_file(dir.write_file("b", "secret words\r\n"))->reveal_text(), "secret words");
  EXPECT_EQ(read_passphrase_file(dir.write_file("c", "two\n\n"))->reveal_text(), "two\n");
  EXPECT_EQ(read_passphrase_file(dir.write_file("d", "\n")).error().code, core::Errc::invalid_request);
  EXPECT_EQ(read_passphrase_file(dir.write_file("e", "")).error().code, core::Errc::invalid_request);
  EXPECT_EQ(read_passphrase_file(dir / "missing").error().code, core::Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::backup
