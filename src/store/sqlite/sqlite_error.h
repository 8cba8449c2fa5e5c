#pragma once
// One mapping from SQLite result codes to keyrelay errors, so every engine call fails the same way:
//   SQLITE_BUSY / SQLITE_LOCKED  → unavailable  (another writer held the lock past busy_timeout)
//   SQLITE_CONSTRAINT            → conflict     (a generic message; callers that know which rule
//                                                collided check it first and say so)
//   anything else                → internal     (SQLite's own message and what we were doing; for
//                                                the log only, the HTTP layer never shows it)
// No message built here contains SQL text or bound values (so never a blob).

#include <string_view>

#include "core/error.h"

struct sqlite3;

namespace keyrelay::store::sqlite {

// The error for result code `rc`, returned by a call on `db` (may be null) while `doing`
// ("insert_key", "open /var/lib/keyrelay/keyrelay.db", ...).
core::Error sqlite_error(sqlite3* db, int rc, std::string_view doing);

}  // namespace keyrelay::store::sqlite
