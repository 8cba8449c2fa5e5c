#include "backup/manifest.h"

#include <algorithm>
#include <sstream>

#include <boost/json/parse.hpp>

#include "core/encoding.h"

namespace keyrelay::backup {
namespace {

std::ptrdiff_t column_index(const store::CopyTable& table, std::string_view column) {
  auto it = std::find(table.columns.begin(), table.columns.end(), column);
  return it == table.columns.end() ? -1 : it - table.columns.begin();
}

core::Error mismatch(const std::string& what) {
  return core::Error::invalid_request("the backup does not match its manifest: " + what);
}

}  // namespace

std::int64_t& RowTally::count_of(const std::string& table) {
  for (auto& [name, count] : tables_)
    if (name == table) return count;
  return tables_.emplace_back(table, 0).second;
}

void RowTally::name_table(const std::string& table) { (void)count_of(table); }

void RowTally::add(const store::CopyTable& table, const std::vector<store::CopyRow>& rows) {
  count_of(table.name) += static_cast<std::int64_t>(rows.size());
  if (table.name != "audit_log" && table.name != "audit_checkpoints") return;
  const auto chain = column_index(table, "chain"), seq = column_index(table, "seq"), hash = column_index(table, "hash");
  if (chain < 0 || seq < 0 || hash < 0) return;
  for (const auto& row : rows) {
    const auto* name = std::get_if<std::string>(&row[static_cast<std::size_t>(chain)]);
    const auto* number = std::get_if<std::int64_t>(&row[static_cast<std::size_t>(seq)]);
    const auto* bytes = std::get_if<core::Bytes>(&row[static_cast<std::size_t>(hash)]);
    if (name == nullptr || number == nullptr || bytes == nullptr) continue;
    auto& head = chains_[*name];
    if (*number > head.seq) head = {*number, core::hex_encode(*bytes)};
  }
}

std::int64_t Manifest::total_rows() const {
  std::int64_t sum = 0;
  for (const auto& [table, rows] : tables) sum += rows;
  return sum;
}

boost::json::object manifest_json(const Manifest& m) {
  boost::json::array tables, chains;
  for (const auto& [name, rows] : m.tables) tables.emplace_back(boost::json::object{{"name", name}, {"rows", rows}});
  for (const auto& [chain, head] : m.audit_chains)
    chains.emplace_back(boost::json::object{{"chain", chain}, {"seq", head.seq}, {"hash", head.hash}});
  return {{"format_version", m.format_version}, {"created_at", m.created_at}, {"keyrelay_version", m.keyrelay_version},
          {"store", m.store}, {"schema_version", m.schema_version}, {"tables", std::move(tables)},
          {"audit_chains", std::move(chains)}};
}

core::Result<Manifest> parse_manifest(std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return core::Error::invalid_request("the backup's manifest is not JSON");
  try {
    const auto& root = value.as_object();
    Manifest m;
    m.format_version = static_cast<int>(root.at("format_version").to_number<std::int64_t>());
    m.created_at = std::string(root.at("created_at").as_string());
    m.keyrelay_version = std::string(root.at("keyrelay_version").as_string());
    m.store = std::string(root.at("store").as_string());
    m.schema_version = static_cast<int>(root.at("schema_version").to_number<std::int64_t>());
    for (const auto& t : root.at("tables").as_array())
      m.tables.emplace_back(std::string(t.at("name").as_string()), t.at("rows").to_number<std::int64_t>());
    for (const auto& c : root.at("audit_chains").as_array())
      m.audit_chains[std::string(c.at("chain").as_string())] = {c.at("seq").to_number<std::int64_t>(),
                                                                std::string(c.at("hash").as_string())};
    return m;
  } catch (const std::exception&) {
    return core::Error::invalid_request("the backup's manifest lacks a field or has one of the wrong type");
  }
}

std::string render_manifest_text(const Manifest& m) {
  std::ostringstream out;
  out << "backup format " << m.format_version << ", made " << m.created_at << " by keyrelay " << m.keyrelay_version
      << " from " << m.store << " (schema version " << m.schema_version << ")\n";
  out << m.total_rows() << " rows:\n";
  for (const auto& [name, rows] : m.tables) out << "  " << name << ": " << rows << "\n";
  out << m.audit_chains.size() << " audit chains:\n";
  for (const auto& [chain, head] : m.audit_chains) out << "  " << chain << ": seq " << head.seq << ", head " << head.hash << "\n";
  return out.str();
}

core::Result<void> check_manifest(const Manifest& manifest, const RowTally& tally) {
  if (manifest.tables.size() != tally.tables().size())
    return mismatch("it lists " + std::to_string(manifest.tables.size()) + " tables, the backup holds " +
                    std::to_string(tally.tables().size()));
  for (std::size_t i = 0; i < manifest.tables.size(); ++i) {
    const auto& [name, rows] = manifest.tables[i];
    const auto& [seen_name, seen_rows] = tally.tables()[i];
    if (name != seen_name) return mismatch("table " + name + " is not where the manifest says");
    if (rows != seen_rows)
      return mismatch("table " + name + " has " + std::to_string(seen_rows) + " rows, the manifest says " +
                      std::to_string(rows));
  }
  for (const auto& [chain, head] : manifest.audit_chains) {
    auto it = tally.chains().find(chain);
    if (it == tally.chains().end()) return mismatch("audit chain " + chain + " is missing");
    if (it->second != head) return mismatch("audit chain " + chain + " does not end where the manifest says");
  }
  if (tally.chains().size() != manifest.audit_chains.size())
    return mismatch("the backup holds audit chains the manifest does not list");
  return core::ok();
}

}  // namespace keyrelay::backup
