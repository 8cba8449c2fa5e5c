#include "store/sqlite/sqlite_error.h"

#include <sqlite3.h>

#include <string>

namespace keyrelay::store::sqlite {

core::Error sqlite_error(sqlite3* db, int rc, std::string_view doing) {
  switch (rc & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::Error::unavailable("the database is busy; try again");
    case SQLITE_CONSTRAINT:
      return core::Error::conflict("the record conflicts with an existing one");
    default:
      break;
  }
  std::string message = "sqlite: ";
  message += sqlite3_errstr(rc);
  // sqlite3_errmsg may describe the most recent failure on the connection in more detail
  // ("no such table: users"); it only says something useful when it refers to this code.
  if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff)) {
    message += " (";
    message += sqlite3_errmsg(db);
    message += ")";
  }
  message += " while ";
  message += doing;
  return core::Error::internal(std::move(message));
}

}  // namespace keyrelay::store::sqlite
