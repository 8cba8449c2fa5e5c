#include "cli/fernet_import.h"

#include <fstream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/key_import_plan.h"
#include "vault/fernet_opener.h"
#include "vault/key_service.h"

namespace keyrelay::cli {
namespace {

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r") == std::string_view::npos; }

std::string_view scheme_name(vault::FernetScheme scheme) {
  return scheme == vault::FernetScheme::envelope ? "envelope" : "per-user-salt";
}

// One row through every check: shape, decryption, then the plan's rules.
core::Result<void> add_row(KeyImportPlan& plan, vault::FernetOpener& opener, std::string_view text, std::size_t line,
                           const FernetImportOptions& options) {
  auto row = vault::parse_fernet_row(text, line, options.scheme, options.iterations);
  if (!row) return row.error();
  auto secret = opener.open(*row);
  if (!secret) return secret.error();
  return plan.add(*row, std::move(*secret));
}

// Rows fail with invalid_request or conflict; anything else (the store) stops the import.
bool is_row_fault(const core::Error& error) {
  return error.code == core::Errc::invalid_request || error.code == core::Errc::conflict;
}

}  // namespace

core::Result<FernetImportReport> import_fernet(AppContext& app, std::shared_ptr<const catalog::Catalog> catalog,
                                               const FernetImportOptions& options) {
  auto master = vault::read_master_secret(options.master_secret_file);
  if (!master) return master.error();
  std::ifstream in(options.input, std::ios::binary);
  if (!in) return core::Error::invalid_request("cannot read the input file " + options.input);

  vault::FernetOpener opener(std::move(*master), options.scheme);
  vault::KeyService keys(*app.store, *app.store, *app.store, *app.envelope, std::move(catalog), app.clock,
                         app.mgmt_chain);
  const std::string source = boost::json::serialize(
      boost::json::object{{"source", "fernet"}, {"scheme", scheme_name(options.scheme)}});
  KeyImportPlan plan(*app.accounts, keys, *app.store, *app.store, source);
  FernetImportReport report;
  std::string text;
  for (std::size_t line = 1; std::getline(in, text); ++line) {
    if (is_blank(text)) continue;
    ++report.rows;
    auto added = add_row(plan, opener, text, line, options);
    if (added) continue;
    if (!is_row_fault(added.error())) return added.error();
    report.problems.push_back({line, added.error().message});
  }
  if (in.bad()) return core::Error::invalid_request("reading the input file " + options.input + " failed");
  if (!report.problems.empty() && !options.skip_bad) return report;  // all or nothing: nothing
  report.imported = plan.keys();
  report.users_created = plan.users_created();
  if (options.dry_run || report.imported == 0) return report;
  if (auto stored = app.store->insert_import(plan.take()); !stored) return stored.error();
  report.written = true;
  return report;
}

}  // namespace keyrelay::cli
