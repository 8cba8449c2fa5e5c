#include "store/copy_schema.h"

namespace keyrelay::store {
namespace {

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

bool is_copy_bookkeeping(const std::string& table) {
  return table == "schema_migrations" || table == "store_generation" || table.starts_with("sqlite_");
}

std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

core::Result<std::vector<CopyTable>> parents_first(const std::map<std::string, CopyTable>& tables,
                                                   const std::map<std::string, std::set<std::string>>& parents) {
  std::vector<CopyTable> ordered;
  std::set<std::string> placed;
  while (ordered.size() < tables.size()) {
    bool progressed = false;
    for (const auto& [name, table] : tables) {
      if (placed.contains(name)) continue;
      bool ready = true;
      if (auto it = parents.find(name); it != parents.end()) {
        for (const auto& parent : it->second)
          ready = ready && (parent == name || placed.contains(parent) || !tables.contains(parent));
      }
      if (!ready) continue;
      placed.insert(name);
      ordered.push_back(table);
      progressed = true;
    }
    if (!progressed) return core::Error::internal("the schema has a foreign-key cycle; cannot order the copy");
  }
  return ordered;
}

core::Result<void> check_same_tables(const std::vector<CopyTable>& source, const SchemaColumns& target) {
  if (target.empty()) return core::Error::invalid_request("the target has no keyrelay schema; migrate it first");
  std::set<std::string> unknown_to_target, unknown_to_source;
  for (const auto& table : source) {
    auto it = target.find(table.name);
    if (it == target.end()) {
      unknown_to_target.insert(table.name);
      continue;
    }
    const std::set<std::string> columns(table.columns.begin(), table.columns.end());
    if (columns != it->second)
      return core::Error::invalid_request("table " + table.name +
                                          " has other columns on the target than on the source; are both "
                                          "migrated to the same keyrelay version?");
  }
  for (const auto& [name, columns] : target) {
    bool in_source = false;
    for (const auto& table : source) in_source = in_source || table.name == name;
    if (!in_source) unknown_to_source.insert(name);
  }
  if (!unknown_to_target.empty() || !unknown_to_source.empty())
    return core::Error::invalid_request(
        "the two stores have different tables (only on the source: " + joined(unknown_to_target) +
        "; only on the target: " + joined(unknown_to_source) + "); are both migrated to the same keyrelay version?");
  return core::ok();
}

}  // namespace keyrelay::store
