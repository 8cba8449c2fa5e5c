#pragma once
// libpq, loaded when the PostgreSQL engine is first used instead of linked into the binary.
//
// Why: Debian's libpq pulls in LDAP, GnuTLS, p11-kit, Kerberos, SASL and their own dependencies.
// Linked, they are loaded, relocated and initialised in every keyrelay process, SQLite deployments
// included: about 3 MB of resident memory and their start-up work for nothing (issue 14's RSS
// target). Loaded here, only a process that opens a PostgreSQL store pays for them.
//
// Use: pq::load() before the first call (Connection::open does); then pq::PQexec(…) and the others
// below, which forward to the library's functions of the same name and signature. The calls are
// qualified on purpose: an unqualified PQexec would also find libpq-fe.h's declaration by
// argument-dependent lookup. Thread-safe.

#include <libpq-fe.h>

#include "core/result.h"

namespace keyrelay::store::postgres::pq {

// The libpq functions keyrelay calls. X(name) for each.
#define KEYRELAY_LIBPQ_FUNCTIONS(X)                                                                 \
  X(PQbackendPID) X(PQclear) X(PQcmdTuples) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse) \
  X(PQconsumeInput) X(PQerrorMessage) X(PQescapeLiteral) X(PQexec) X(PQexecParams) X(PQexecPrepared) \
  X(PQfinish) X(PQfname) X(PQfreemem) X(PQftype) X(PQgetisnull) X(PQgetlength) X(PQgetvalue)         \
  X(PQnfields) X(PQnotifies) X(PQntuples) X(PQprepare) X(PQresultErrorField) X(PQresultStatus)       \
  X(PQsetNoticeProcessor) X(PQsocket) X(PQstatus) X(PQtransactionStatus)

struct Api {
#define KEYRELAY_LIBPQ_POINTER(name) decltype(&::name) name = nullptr;
  KEYRELAY_LIBPQ_FUNCTIONS(KEYRELAY_LIBPQ_POINTER)
#undef KEYRELAY_LIBPQ_POINTER
};

// Loads libpq.so.5 and resolves every function, once per process; later calls return the first
// outcome. Errc::unavailable naming the library or the missing function when it cannot.
core::Result<void> load();

// The resolved functions. Only after load() succeeded.
const Api& api() noexcept;

#define KEYRELAY_LIBPQ_FORWARD(name)                                                    \
  template <class... Args>                                                             \
  inline auto name(Args&&... args) -> decltype(::name(static_cast<Args&&>(args)...)) { \
    return api().name(static_cast<Args&&>(args)...);                                   \
  }
KEYRELAY_LIBPQ_FUNCTIONS(KEYRELAY_LIBPQ_FORWARD)
#undef KEYRELAY_LIBPQ_FORWARD

}  // namespace keyrelay::store::postgres::pq
