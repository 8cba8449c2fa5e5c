#pragma once
// UserExport: everything keyrelay holds about one user as one JSON document, produced piece by
// piece so that a user with a long history is never held in memory whole (nor twice):
//
//   {"format":"keyrelay.user-export.v1","exported_at":…,"user":User,
//    "tokens":[Token…],           access tokens' metadata (never a hash or the token)
//    "keys":[Key…],               keys' metadata and validation (never a secret, its sealed bytes,
//                                  wrapped data key or fingerprint)
//    "usage":[UsageRow…],         per day, provider, key and model (deleted keys' usage included)
//    "default_key_usage":[{"day","cost_usd"}…],  spend on the operator's default keys
//    "caps":[{"subject","subject_id","daily_usd","monthly_usd","updated_at"}…],
//    "alerts":[Alert…],
//    "audit":[AuditEvent…]}        newest first, chain fields as the audit API shows them
//
// Each member is named after store::user_tables()' export_section, so a new user table must be
// given a section here. Lists are read page by page (at most kPageSize records per piece); the
// pieces are not one snapshot: a change made during the export may or may not be in it.
//
// Blocking (store calls): call next() on a worker thread. Not thread-safe; one export per object.
// The stores must outlive it.

#include <cstddef>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/alert_store.h"
#include "store/audit_query_store.h"
#include "store/cap_store.h"
#include "store/key_store.h"
#include "store/token_store.h"
#include "store/usage_store.h"
#include "store/user_data_store.h"

namespace keyrelay::api {

// The store areas an export reads.
struct UserExportSources {
  store::TokenStore& tokens;
  store::KeyStore& keys;
  store::UsageStore& usage;
  store::UserDataStore& user_data;
  store::CapStore& caps;
  store::AlertStore& alerts;
  store::AuditQueryStore& audit;
};

class UserExport {
 public:
  static constexpr std::size_t kPageSize = 200;

  UserExport(UserExportSources sources, store::UserRecord user, store::TimePoint now);

  // The next piece of the document's text; nullopt once the document is complete. A store error
  // ends the export (the pieces written so far are not a whole document).
  core::Result<std::optional<std::string>> next();

 private:
  enum class Step { head, tokens, keys, usage, default_key_usage, caps, alerts, audit, done };

  core::Result<std::string> tokens_page();
  core::Result<std::string> keys_page();
  core::Result<std::string> audit_page();
  core::Result<std::string> alerts_page();
  core::Result<std::string> usage_rows();
  core::Result<std::string> default_key_usage();
  core::Result<std::string> caps();
  // Wraps one page's items (already joined by commas) into the member `name`: opens the array on
  // its first page, closes it (and moves to the next step) on its last.
  std::string section_piece(std::string_view name, std::string items, const std::optional<std::string>& next_cursor);

  UserExportSources sources_;
  store::UserRecord user_;
  store::TimePoint now_;
  Step step_ = Step::head;
  store::PageRequest page_;
  bool section_open_ = false;
  bool section_has_items_ = false;
};

}  // namespace keyrelay::api
