// The raw view of a server's database that tests use to look for secrets on disk: it must return
// every byte of a value, or a search for a leaked blob would look for the wrong bytes.

#include "raw_database.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

TEST(RawDatabase, ReadsABlobWholeEvenWhenItStartsWithOrHoldsZeroBytes) {
  TempDir dir;
  const auto file = dir / "raw.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE t (v); INSERT INTO t VALUES (x'00ab00cd'), (x'ab00'), ('text'), (NULL);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  RawDatabase raw(file);
  const auto values = raw.column("SELECT v FROM t ORDER BY rowid");
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], std::string("\x00\xab\x00\xcd", 4));
  EXPECT_EQ(values[1], std::string("\xab\x00", 2));
  EXPECT_EQ(values[2], "text");
  EXPECT_EQ(values[3], "");
}

}  // namespace
}  // namespace keyrelay::test
