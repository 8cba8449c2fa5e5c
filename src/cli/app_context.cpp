#include "cli/app_context.h"

#include <filesystem>
#include <iostream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "logging/log.h"
#include "store/open_store.h"

namespace keyrelay::cli {
namespace {

namespace fs = std::filesystem;

core::Result<std::shared_ptr<const crypto::Keyring>> share(core::Result<crypto::Keyring>&& r) {
  if (!r) return std::move(r).error();
  return std::make_shared<const crypto::Keyring>(std::move(*r));
}

// The SQLite file the configuration points at, if it is SQLite (used to tell a new database).
std::optional<fs::path> sqlite_file(const config::Config& c) {
  if (c.database_url.empty()) return c.data_dir / "keyrelay.db";
  constexpr std::string_view kScheme = "sqlite://";
  if (c.database_url.starts_with(kScheme)) return fs::path(c.database_url.substr(kScheme.size()));
  return std::nullopt;
}

// Sealed rows whose master version the keyring lacks would be unreadable: refuse to start.
core::Result<void> check_versions(store::RotationStore& store, const crypto::Keyring& keyring) {
  auto rows = store.rows_by_master_version();
  if (!rows) return rows.error();
  std::string missing;
  for (const auto& [version, count] : *rows) {
    if (count > 0 && !keyring.key(version)) missing += (missing.empty() ? "" : ", ") + std::to_string(version);
  }
  if (!missing.empty())
    return core::Error::invalid_request("the database holds data sealed under master key version(s) " + missing +
                                        ", which the keyring does not have");
  return core::ok();
}

}  // namespace

core::Result<std::shared_ptr<const crypto::Keyring>> load_keyring(const config::Config& config, KeyringPolicy policy) {
  if (config.master_key) {
    auto r = crypto::Keyring::from_master_key(config.master_key->reveal_text());
    if (!r) return core::Error::invalid_request("KEYRELAY_MASTER_KEY: " + r.error().message);
    return share(std::move(r));
  }
  if (config.keyring_file) return share(crypto::Keyring::load_file(*config.keyring_file));

  // Zero-config default: a keyring beside the data. Convenient, but whoever copies the data dir
  // gets the key too, so the log says so.
  const fs::path path = config.data_dir / "keyring.toml";
  std::error_code ec;
  if (fs::exists(path, ec)) {
    logging::info("using the keyring in the data directory; keep the keyring apart from the database in production",
                  {{"keyring_file", path.string()}});
    return share(crypto::Keyring::load_file(path));
  }
  // A keyring is created only for a brand-new database: data sealed under a lost keyring must
  // never be silently paired with a fresh one.
  const auto db = sqlite_file(config);
  const bool new_database = db && !fs::exists(*db, ec);
  if (policy != KeyringPolicy::create_if_new || !new_database)
    return core::Error::invalid_request("no keyring: set KEYRELAY_KEYRING_FILE or KEYRELAY_MASTER_KEY (looked for " +
                                        path.string() + ")");
  fs::create_directories(config.data_dir, ec);
  if (ec) return core::Error::unavailable("cannot create the data directory " + config.data_dir.string() + ": " + ec.message());
  fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  auto generated = crypto::Keyring::generate(std::chrono::system_clock::now());
  if (!generated) return generated.error();
  if (auto saved = generated->save_new(path); !saved) return saved.error();
  logging::warn("created a new keyring in the data directory; keep the keyring apart from the database in production",
                {{"keyring_file", path.string()}});
  return share(std::move(generated));
}

core::Result<std::unique_ptr<AppContext>> open_app(const GlobalOptions& global, std::string_view writer_prefix,
                                                   KeyringPolicy policy) {
  auto config = config::load_config(global.config_file, config::process_environment());
  if (!config) return config.error();
  // A misspelt name would be ignored without a word and its default apply; the value is never
  // logged (it may be a secret).
  for (const auto& name : config::unknown_setting_variables(config::environment_names()))
    logging::warn("unknown environment variable ignored", {{"variable", name}});
  auto app = std::make_unique<AppContext>();
  app->config = std::move(*config);

  auto keyring = load_keyring(app->config, policy);
  if (!keyring) return keyring.error();
  app->keyring = *keyring;
  app->envelope = std::make_unique<crypto::Envelope>(app->keyring);
  app->sealer = std::make_unique<audit::KeyringChainSealer>(app->keyring);
  store::StoreTuning tuning;
  tuning.pool_size = app->config.database.pool_size;
  auto store = store::open_store(app->config.database_url, app->config.data_dir, *app->sealer, tuning);
  if (!store) return store.error();
  app->store = std::move(*store);
  if (auto r = app->store->migrate(); !r) return r.error();
  if (auto r = check_versions(*app->store, *app->keyring); !r) return r.error();
  app->writer_id = audit::new_writer_id(writer_prefix);
  app->mgmt_chain = audit::mgmt_chain(app->writer_id);
  app->accounts = std::make_unique<accounts::AccountService>(*app->store, *app->store, app->clock, app->mgmt_chain);
  app->user_data = std::make_unique<accounts::UserDataService>(*app->store, *app->store, app->clock, app->mgmt_chain);
  app->sessions = std::make_unique<accounts::SessionIssuer>(*app->store, *app->store, app->clock, app->mgmt_chain);
  return app;
}

int report_failure(const GlobalOptions& global, std::string_view command, const core::Error& error) {
  const std::string message = error.code == core::Errc::internal ? "internal error (see the log)" : error.message;
  if (global.json) {
    std::cerr << boost::json::serialize(boost::json::object{
                     {"error", {{"code", core::errc_name(error.code)}, {"message", message}}}})
              << "\n";
  } else {
    std::cerr << "keyrelay " << command << ": " << message << "\n";
  }
  if (error.code == core::Errc::internal) logging::error("command failed", {{"command", command}, {"error", error.message}});
  return 1;
}

}  // namespace keyrelay::cli
