#pragma once
// Everything a command (and the server) works with, opened the same way everywhere: the config,
// the master keyring, the envelope, the audit chain sealer, the store (migrated) and this
// process's audit chain. Owns them; destroy after every user of them has stopped.

#include <memory>
#include <string>

#include "accounts/account_service.h"
#include "accounts/user_data_service.h"
#include "accounts/session_tokens.h"
#include "audit/chain_sealer.h"
#include "cli/commands.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"
#include "logging/log.h"
#include "store/store.h"

namespace keyrelay::cli {

struct AppContext {
  config::Config config;
  core::SystemClock clock;
  std::shared_ptr<const crypto::Keyring> keyring;
  std::unique_ptr<crypto::Envelope> envelope;
  std::unique_ptr<audit::KeyringChainSealer> sealer;
  std::unique_ptr<store::Store> store;
  std::string writer_id;   // "node-…" for a server, "cli-…" for a command
  std::string mgmt_chain;
  std::unique_ptr<accounts::AccountService> accounts;
  std::unique_ptr<accounts::UserDataService> user_data;  // a user's export and deletion
  std::unique_ptr<accounts::SessionIssuer> sessions;  // POST /api/v1/sessions
};

enum class KeyringPolicy {
  existing_only,    // a missing keyring is an error (every command but init/serve)
  create_if_new,    // create one in the data dir when the database is brand new
};

// The keyring `config` names (KEYRELAY_MASTER_KEY, KEYRELAY_KEYRING_FILE, or the one in the data
// dir); with create_if_new, a new one is made in the data dir for a brand-new SQLite database.
core::Result<std::shared_ptr<const crypto::Keyring>> load_keyring(const config::Config& config, KeyringPolicy policy);

// Loads config (file + environment), keyring and store; applies migrations. Errors name the file or
// variable at fault and never contain key material.
core::Result<std::unique_ptr<AppContext>> open_app(const GlobalOptions& global, std::string_view writer_prefix,
                                                   KeyringPolicy policy);

// Writes a CLI error the way API.md asks: plain text, or the API error JSON with --json (stderr).
int report_failure(const GlobalOptions& global, std::string_view command, const core::Error& error);

// Runs `body(AppContext&)` with an opened app; turns errors into exit code 1 with a message.
template <class F>
int with_app(const GlobalOptions& global, std::string_view command, KeyringPolicy policy, F body) {
  logging::init(logging::Level::warn, logging::Format::text);
  auto app = open_app(global, "cli", policy);
  if (!app) {
    const int rc = report_failure(global, command, app.error());
    logging::shutdown();
    return rc;
  }
  auto result = body(**app);
  const int rc = result ? 0 : report_failure(global, command, result.error());
  logging::shutdown();
  return rc;
}

}  // namespace keyrelay::cli
