// `keyrelay user export` and `keyrelay user delete`: a user's own data at the command line, the
// same export document and the same one-transaction delete as the API (api/user_export.h,
// accounts/user_data_service.h). A running server sees a delete through the store generation (or
// PostgreSQL's change feed) and drops its cached tokens and keys of the user within a second.

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/user_export.h"
#include "cli/app_context.h"
#include "cli/commands.h"

namespace keyrelay::cli {
namespace {

struct UserDataArgs {
  std::string user;                     // id or name
  std::optional<std::filesystem::path> out;
  bool yes = false;
};

// The user named by id or name; the operator's system user is not one.
core::Result<store::UserRecord> find_person(AppContext& a, const std::string& id_or_name) {
  auto user = a.accounts->find_user(id_or_name);
  if (!user && user.error().code == core::Errc::not_found) return core::Error::not_found("no user '" + id_or_name + "'");
  if (user && user->role == store::Role::system) return core::Error::invalid_request("the operator's system user has no export and cannot be deleted");
  return user;
}

// Writes every piece of `doc` to `fd`.
core::Result<void> write_export(api::UserExport& doc, int fd) {
  for (;;) {
    auto piece = doc.next();
    if (!piece) return piece.error();
    if (!*piece) return core::ok();
    std::string_view rest = **piece;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd, rest.data(), rest.size());
      if (n < 0) return core::Error::internal("cannot write the export: " + std::string(std::strerror(errno)));
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
}

// The export to `out` (created 0600, never over an existing file: it holds personal data) or to
// stdout. A failed export leaves no partial file behind.
core::Result<void> export_user(AppContext& a, const GlobalOptions& global, const UserDataArgs& args) {
  auto user = find_person(a, args.user);
  if (!user) return user.error();
  int fd = STDOUT_FILENO;
  if (args.out) {
    fd = ::open(args.out->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return core::Error::invalid_request("--out " + args.out->string() + ": " + std::strerror(errno));
  }
  auto recorded = a.user_data->record_export(audit::Actor::cli(), *user);
  store::Store& db = *a.store;
  api::UserExport doc({db, db, db, db, db, db, db}, *user, a.clock.now());
  core::Result<void> written = recorded ? write_export(doc, fd) : recorded;
  if (written && fd == STDOUT_FILENO && ::write(fd, "\n", 1) != 1) written = core::Error::internal("cannot write the export");
  if (args.out) {
    if (::fsync(fd) != 0 && written) written = core::Error::internal("cannot write the export: " + std::string(std::strerror(errno)));
    ::close(fd);
    if (!written) std::filesystem::remove(*args.out);
  }
  if (!written || !args.out) return written;
  if (global.json) std::cout << boost::json::serialize(boost::json::object{{"user_id", user->id}, {"file", args.out->string()}}) << "\n";
  else std::cout << "exported user " << user->name << " (" << user->id << ") to " << args.out->string() << "\n";
  return core::ok();
}

// Without --yes, the operator types the user's name (a terminal is needed: no input, no delete).
bool confirmed(const store::UserRecord& user) {
  std::cerr << "Delete user '" << user.name << "' (" << user.id
            << ") with all their keys, tokens, usage, alerts and caps? This cannot be undone.\n"
            << "Type the user name to confirm: " << std::flush;
  std::string answer;
  return static_cast<bool>(std::getline(std::cin, answer)) && answer == user.name;
}

core::Result<void> delete_user(AppContext& a, const GlobalOptions& global, const UserDataArgs& args) {
  auto user = find_person(a, args.user);
  if (!user) return user.error();
  if (!args.yes && !confirmed(*user)) return core::Error::invalid_request("not confirmed: nothing was deleted (pass --yes to skip the question)");
  auto removed = a.user_data->delete_user(audit::Actor::cli(), user->id);
  if (!removed) return removed.error();
  if (global.json) {
    boost::json::object rows;
    for (const auto& [table, n] : removed->deleted_rows) rows[table] = n;
    std::cout << boost::json::serialize(boost::json::object{{"user_id", user->id}, {"deleted_rows", std::move(rows)}}) << "\n";
  } else {
    std::cout << "deleted user " << user->name << " (" << user->id << "): " << removed->rows_of("api_keys") << " key(s), "
              << removed->rows_of("access_tokens") << " token(s)\n";
  }
  return core::ok();
}

}  // namespace

void add_user_data_commands(CLI::App& user, GlobalOptions& global, int& code) {
  auto args = std::make_shared<UserDataArgs>();
  auto* export_cmd = user.add_subcommand("export", "write everything keyrelay holds about a user as JSON (no secrets)");
  export_cmd->add_option("USER", args->user, "user id or name")->required();
  export_cmd->add_option("--out", args->out, "write to this new file (mode 0600) instead of stdout");
  export_cmd->callback([&global, &code, args] {
    code = with_app(global, "user export", KeyringPolicy::existing_only,
                    [&](AppContext& a) { return export_user(a, global, *args); });
  });
  auto* delete_cmd = user.add_subcommand("delete", "delete a user with all their keys, tokens, usage, alerts and caps");
  delete_cmd->add_option("USER", args->user, "user id or name")->required();
  delete_cmd->add_flag("--yes", args->yes, "do not ask for confirmation");
  delete_cmd->callback([&global, &code, args] {
    code = with_app(global, "user delete", KeyringPolicy::existing_only,
                    [&](AppContext& a) { return delete_user(a, global, *args); });
  });
}

}  // namespace keyrelay::cli
