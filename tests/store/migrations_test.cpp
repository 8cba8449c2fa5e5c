#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>

#include "raw_sqlite.h"
#include "support/temp_dir.h"

namespace keyrelay::store::sqlite {
namespace {

TEST(SqliteMigrations, VersionsStartAtOneWithoutGaps) {
  int expected = 1;
  for (const auto& migration : migrations()) {
    EXPECT_EQ(migration.version, expected++);
    EXPECT_FALSE(migration.summary.empty());
    EXPECT_FALSE(migration.script.empty());
  }
  EXPECT_EQ(latest_schema_version(), expected - 1);
}

TEST(SqliteMigrations, CreateTheTablesOfTheArchitectureAndNothingMore) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn) << conn.error().message;
  auto before = read_schema_version(**conn);
  ASSERT_TRUE(before);
  EXPECT_EQ(*before, 0);
  auto applied = apply_migrations(**conn);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, latest_schema_version());
  auto again = apply_migrations(**conn);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);

  store::test::RawSqlite raw(dir / "m.db");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master "
                     "WHERE type = 'table' ORDER BY name)"),
            "access_tokens api_keys audit_log schema_migrations store_generation users");
  EXPECT_EQ(raw.integer("SELECT count(*) FROM store_generation"), 1);
}

TEST(SqliteMigrations, SchemaEnforcesTheRecordRules) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn);
  ASSERT_TRUE(apply_migrations(**conn));
  for (std::string_view bad : {
           "INSERT INTO users VALUES ('u2', 'n', 'root', NULL, x'00', 0)",                // unknown role
           "INSERT INTO access_tokens VALUES ('t', 'nobody', 'n', x'01', '', 0, NULL, NULL, NULL)",  // no user
           "INSERT INTO store_generation VALUES (2, 0)",                                   // one row only
       }) {
    EXPECT_FALSE((*conn)->exec(bad, "test")) << bad;
  }
  EXPECT_TRUE((*conn)->exec("INSERT INTO users VALUES ('u1', 'n', 'user', NULL, x'00', 0)", "test"));
  auto duplicate = (*conn)->exec("INSERT INTO users VALUES ('u3', 'n', 'user', NULL, x'00', 0)", "test");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, core::Errc::conflict);
}

}  // namespace
}  // namespace keyrelay::store::sqlite
