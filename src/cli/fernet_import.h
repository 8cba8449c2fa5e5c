#pragma once
// `keyrelay import fernet`: moves users and their provider keys in from a system that sealed them
// with Fernet (shared/import-fernet.md, normative). Reads the input (JSON lines), decrypts each row
// with the master secret (vault::FernetOpener), seals each key under keyrelay's keyring as the API
// does and stores all of it — new users, keys, their user.created and key.imported events — in one
// transaction (store::ImportStore), which reaches running servers like every CLI write (the store
// generation, and on PostgreSQL its change feed).
//
// All or nothing: one bad row and nothing is written, unless `skip_bad` leaves the bad rows out.
// A dry run checks every row the same way and writes nothing. The plaintext of a secret exists
// only in a core::Secret; no reason reported for a row contains it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cli/app_context.h"
#include "core/result.h"
#include "vault/fernet_row.h"

namespace keyrelay::cli {

struct FernetImportOptions {
  std::string master_secret_file;
  std::string input;
  vault::FernetScheme scheme = vault::FernetScheme::per_user_salt;
  std::uint32_t iterations = vault::kDefaultFernetIterations;  // rows without their own
  bool dry_run = false;
  bool skip_bad = false;
};

// A row that cannot be imported: its line (1-based) and why.
struct ImportProblem {
  std::size_t line = 0;
  std::string reason;
};

struct FernetImportReport {
  std::size_t rows = 0;           // non-blank lines read
  std::size_t imported = 0;       // keys stored (in a dry run: that would be)
  std::size_t users_created = 0;  // likewise
  std::vector<ImportProblem> problems;
  bool written = false;           // the load was committed
  // Whether the run did what was asked: something imported, and every row unless skip_bad.
  bool complete(bool skip_bad) const noexcept { return imported > 0 && (problems.empty() || skip_bad); }
};

// Runs the import on `app`'s store. Errors (not rows: an unreadable file, the store failing, a
// conflict with a key stored meanwhile) mean nothing was written.
core::Result<FernetImportReport> import_fernet(AppContext& app, std::shared_ptr<const catalog::Catalog> catalog,
                                               const FernetImportOptions& options);

}  // namespace keyrelay::cli
