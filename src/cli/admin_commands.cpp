// The operator's commands: init, user, token, migrate, audit verify, master-key status. They work
// on the same database as a running server (SQLite WAL allows it); a server sees their changes
// through the store generation within a second.

#include <CLI/CLI.hpp>

#include <iostream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "accounts/account_service.h"
#include "audit/pruner.h"
#include "audit/verifier.h"
#include "audit/verify_output.h"
#include "cli/app_context.h"
#include "cli/commands.h"
#include "cli/provider_catalog.h"
#include "core/duration.h"
#include "logging/log.h"

namespace keyrelay::cli {
namespace {

struct InitOptions {
  std::string admin = "admin";
  bool if_needed = false;
};

core::Result<void> init(AppContext& app, const GlobalOptions& global, const InitOptions& options) {
  auto empty = app.store->is_empty();
  if (!empty) return empty.error();
  if (!*empty) {
    if (options.if_needed) return core::ok();
    return core::Error::conflict("already initialized: the database has users");
  }
  if (auto r = app.accounts->ensure_system_user(); !r) return r.error();
  auto admin = app.accounts->create_user(audit::Actor::cli(), {options.admin, store::Role::admin});
  if (!admin) return admin.error();
  accounts::NewToken token_input;
  token_input.user_id = admin->id;
  token_input.name = "init";
  token_input.scopes = auth::all_scopes();
  auto token = app.accounts->issue_token(audit::Actor::cli(), token_input);
  if (!token) return token.error();
  if (global.json) {
    std::cout << boost::json::serialize(boost::json::object{
                     {"user", boost::json::parse(accounts::user_json(*admin))},
                     {"token", boost::json::parse(accounts::token_json(token->record, &token->text))}})
              << "\n";
  } else {
    std::cout << "keyrelay is initialized.\n"
              << "  server:       http://" << app.config.listen << "\n"
              << "  admin user:   " << admin->name << "\n"
              << "  access token: " << token->text.reveal_text() << "\n"
              << "The token is shown only this once; keep it somewhere safe.\n";
  }
  return core::ok();
}

// `keyrelay init`
void add_init_command(CLI::App& app, GlobalOptions& global, int& code) {
  auto init_options = std::make_shared<InitOptions>();
  auto* init_cmd = app.add_subcommand("init", "create the data dir, keyring, schema and an admin user; prints its token once");
  init_cmd->add_option("--admin", init_options->admin, "name of the admin user")->capture_default_str();
  init_cmd->add_flag("--if-needed", init_options->if_needed, "do nothing (exit 0) when already initialized");
  init_cmd->callback([&global, &code, init_options] {
    code = with_app(global, "init", KeyringPolicy::create_if_new,
                    [&](AppContext& a) { return init(a, global, *init_options); });
  });
}

// `keyrelay migrate`
void add_migrate_command(CLI::App& app, GlobalOptions& global, int& code) {
  app.add_subcommand("migrate", "apply schema migrations")->callback([&global, &code] {
    code = with_app(global, "migrate", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
      auto version = a.store->schema_version();
      if (!version) return version.error();
      if (global.json) std::cout << boost::json::serialize(boost::json::object{{"schema_version", *version}}) << "\n";
      else std::cout << "schema is at version " << *version << "\n";
      return core::ok();
    });
  });
}

// `keyrelay user add | list` (and export | delete: user_data_commands.cpp)
void add_user_commands(CLI::App& app, GlobalOptions& global, int& code) {
  auto* user = app.add_subcommand("user", "manage users")->require_subcommand(1);
  auto user_name = std::make_shared<std::string>();
  auto user_admin = std::make_shared<bool>(false);
  auto* user_add = user->add_subcommand("add", "create a user");
  user_add->add_option("NAME", *user_name, "unique user name")->required();
  user_add->add_flag("--admin", *user_admin, "make the user an administrator");
  user_add->callback([&global, &code, user_name, user_admin] {
    code = with_app(global, "user add", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
      auto created = a.accounts->create_user(audit::Actor::cli(), {*user_name, *user_admin ? store::Role::admin : store::Role::user});
      if (!created) return created.error();
      if (global.json) std::cout << accounts::user_json(*created) << "\n";
      else std::cout << "created user " << created->name << " (" << created->id << ")\n";
      return core::ok();
    });
  });
  user->add_subcommand("list", "list users")->callback([&global, &code] {
    code = with_app(global, "user list", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
      boost::json::array all;
      store::PageRequest page{.limit = 200, .cursor = std::nullopt};
      for (;;) {
        auto users = a.accounts->list_users(page);
        if (!users) return users.error();
        for (const auto& u : users->items) {
          if (u.role == store::Role::system) continue;
          if (global.json) all.push_back(boost::json::parse(accounts::user_json(u)));
          else std::cout << u.id << "  " << store::role_name(u.role) << "  " << u.name << "\n";
        }
        if (!users->next_cursor) break;
        page.cursor = users->next_cursor;
      }
      if (global.json) std::cout << boost::json::serialize(boost::json::object{{"data", all}, {"next_cursor", nullptr}}) << "\n";
      return core::ok();
    });
  });
  add_user_data_commands(*user, global, code);
}

// --reveal-providers "openai,anthropic": catalog providers, for a token with keys:reveal.
core::Result<std::vector<std::string>> reveal_providers_option(AppContext& a, const std::string& list) {
  std::vector<std::string> names;
  if (list.empty()) return names;
  auto catalog = load_catalog(a.config);
  if (!catalog) return catalog.error();
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = std::min(list.find(',', start), list.size());
    std::string name = list.substr(start, comma - start);
    std::erase(name, ' ');
    if (!name.empty()) {
      if ((*catalog)->find(name) == nullptr)
        return core::Error::invalid_request("--reveal-providers: provider '" + name + "' is not supported");
      names.push_back(std::move(name));
    }
    start = comma + 1;
  }
  return names;
}

// `keyrelay token issue | revoke`
void add_token_commands(CLI::App& app, GlobalOptions& global, int& code) {
  struct TokenArgs {
    std::string user;
    std::string scopes;
    std::string ttl;
    std::string name = "cli";
    std::string id;
    std::string reveal_providers;
  };
  auto token_args = std::make_shared<TokenArgs>();
  auto* token = app.add_subcommand("token", "manage access tokens")->require_subcommand(1);
  auto* issue = token->add_subcommand("issue", "issue a token (printed once)");
  issue->add_option("--user", token_args->user, "user name or id")->required();
  issue->add_option("--scopes", token_args->scopes, "comma list (default keys:read,keys:write,gateway,audit:read)");
  issue->add_option("--ttl", token_args->ttl, "lifetime such as 30d or 12h (default: no expiry)");
  issue->add_option("--name", token_args->name, "a label for the token")->capture_default_str();
  issue->add_option("--reveal-providers", token_args->reveal_providers,
                    "with --scopes keys:reveal: comma list of providers whose keys the token may reveal");
  issue->callback([&global, &code, token_args] {
    code = with_app(global, "token issue", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
      auto owner = a.accounts->find_user(token_args->user);
      if (!owner) return owner.error().code == core::Errc::not_found
                            ? core::Error::not_found("no user named '" + token_args->user + "'")
                            : owner.error();
      accounts::NewToken input;
      input.user_id = owner->id;
      input.name = token_args->name;
      if (!token_args->scopes.empty()) {
        auto scopes = auth::ScopeSet::parse(token_args->scopes);
        if (!scopes) return scopes.error();
        input.scopes = *scopes;
      }
      auto reveal = reveal_providers_option(a, token_args->reveal_providers);
      if (!reveal) return reveal.error();
      input.reveal_providers = std::move(*reveal);
      if (!token_args->ttl.empty()) {
        auto ttl = core::parse_duration(token_args->ttl);
        if (!ttl || ttl->count() <= 0) return core::Error::invalid_request("--ttl must be a duration such as 30d or 12h");
        input.expires_at = a.clock.now() + *ttl;
      }
      auto issued = a.accounts->issue_token(audit::Actor::cli(), input);
      if (!issued) return issued.error();
      if (global.json) std::cout << accounts::token_json(issued->record, &issued->text) << "\n";
      else std::cout << issued->text.reveal_text() << "\n";
      return core::ok();
    });
  });
  auto* revoke = token->add_subcommand("revoke", "revoke a token");
  revoke->add_option("ID", token_args->id, "token id")->required();
  revoke->callback([&global, &code, token_args] {
    code = with_app(global, "token revoke", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
      auto revoked = a.accounts->revoke_token(audit::Actor::cli(), token_args->id, std::nullopt);
      if (!revoked) return revoked.error();
      if (global.json) std::cout << accounts::token_json(*revoked) << "\n";
      else std::cout << "revoked token " << revoked->id << "\n";
      return core::ok();
    });
  });
}

// `keyrelay audit verify`
CLI::App* add_audit_verify_command(CLI::App& app, GlobalOptions& global, int& code) {
  auto* audit_cmd = app.add_subcommand("audit", "audit log tools")->require_subcommand(1);
  audit_cmd->add_subcommand("verify", "check every audit chain; exit 1 naming the first bad event")
      ->callback([&global, &code] {
        code = with_app(global, "audit verify", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
          auto report = audit::verify_audit(*a.store, *a.keyring);
          if (!report) return report.error();
          if (global.json) std::cout << boost::json::serialize(audit::render_verify_json(*report)) << "\n";
          else std::cout << audit::render_verify_text(*report);
          if (!report->ok) return core::Error::conflict("the audit log does not verify");
          return core::ok();
        });
      });
  return audit_cmd;
}

// `keyrelay audit prune`
void add_audit_prune_command(CLI::App* audit_cmd, GlobalOptions& global, int& code) {
  auto prune_age = std::make_shared<std::string>("30d");
  auto* prune = audit_cmd->add_subcommand(
      "prune", "delete key.used and auth.failed events older than --older-than (management events are kept); verify still passes");
  prune->add_option("--older-than", *prune_age, "age such as 30d, 12h (default 30d)");
  prune->callback([&global, &code, prune_age] {
    code = with_app(global, "audit prune", KeyringPolicy::existing_only, [&](AppContext& a) -> core::Result<void> {
      const auto age = core::parse_duration(*prune_age);
      if (!age || age->count() <= 0) return core::Error::invalid_request("--older-than: expected an age such as 30d");
      audit::PruneOptions options;
      options.older_than = *age;
      options.audit_chain = a.mgmt_chain;
      options.actor = audit::Actor::cli();
      auto summary = audit::prune_audit_log(*a.store, *a.store, a.clock, options);
      if (!summary) return summary.error();
      if (global.json) {
        boost::json::array chains;
        for (const auto& c : summary->chains)
          chains.push_back(boost::json::object{{"chain", c.chain}, {"pruned", c.pruned}, {"through_seq", c.through_seq}});
        std::cout << boost::json::serialize(boost::json::object{{"pruned", summary->pruned}, {"chains", chains}}) << "\n";
      } else {
        std::cout << "pruned " << summary->pruned << " key.used events from " << summary->chains.size() << " chain(s)\n";
      }
      return core::ok();
    });
  });
}

}  // namespace

void add_admin_commands(CLI::App& app, GlobalOptions& global, int& code) {
  add_init_command(app, global, code);
  add_migrate_command(app, global, code);
  add_user_commands(app, global, code);
  add_token_commands(app, global, code);
  add_audit_prune_command(add_audit_verify_command(app, global, code), global, code);
}

}  // namespace keyrelay::cli
