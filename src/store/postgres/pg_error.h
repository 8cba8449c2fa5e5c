#pragma once
// How PostgreSQL failures become keyrelay errors. One place decides what a caller may retry.
//
//   unique / exclusion violation (23505, 23P01)       conflict
//   serialization failure, deadlock (40001, 40P01)    unavailable ("busy"); the transaction helper
//                                                     retries these a few times first
//   lost connection, server shutting down, too many
//   connections, lock or statement timeout            unavailable
//   anything else                                     internal (the server's primary message and
//                                                     what we were doing, for the log)
// The server's DETAIL (which quotes the colliding values) is never used, and the connection
// password never reaches a message (Connection scrubs libpq's texts).

#include <string_view>

#include "core/error.h"

namespace keyrelay::store::postgres {

// True for the SQLSTATEs a whole transaction may simply be run again for.
bool is_retryable_sqlstate(std::string_view sqlstate) noexcept;

// The error for a statement that failed with `sqlstate` (empty when the connection broke before the
// server answered) and the server's primary message `detail`.
core::Error postgres_error(std::string_view sqlstate, std::string_view detail, bool connection_lost,
                           std::string_view doing);

}  // namespace keyrelay::store::postgres
