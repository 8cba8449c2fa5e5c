#include "store/sqlite/sqlite_error.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

namespace keyrelay::store::sqlite {
namespace {

TEST(SqliteError, BusyAndLockedAreUnavailable) {
  for (int rc : {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED_SHAREDCACHE})
    EXPECT_EQ(sqlite_error(nullptr, rc, "x").code, core::Errc::unavailable) << rc;
}

TEST(SqliteError, ConstraintsAreConflictsWithAGenericMessage) {
  for (int rc : {SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_FOREIGNKEY}) {
    auto error = sqlite_error(nullptr, rc, "insert_key");
    EXPECT_EQ(error.code, core::Errc::conflict) << rc;
    EXPECT_EQ(error.message, "the record conflicts with an existing one");
  }
}

TEST(SqliteError, EverythingElseIsInternalAndSaysWhatFailed) {
  for (int rc : {SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_ERROR, SQLITE_NOMEM, SQLITE_READONLY}) {
    auto error = sqlite_error(nullptr, rc, "list_keys");
    EXPECT_EQ(error.code, core::Errc::internal) << rc;
    EXPECT_NE(error.message.find("while list_keys"), std::string::npos) << error.message;
  }
}

}  // namespace
}  // namespace keyrelay::store::sqlite
