#include "vault/master_key_rules.h"

#include <algorithm>

namespace keyrelay::vault {

std::vector<store::NodeRecord> nodes_without_version(const std::vector<store::NodeRecord>& nodes,
                                                     std::uint32_t version) {
  std::vector<store::NodeRecord> out;
  for (const auto& node : nodes) {
    const auto& loaded = node.loaded_versions;
    if (std::find(loaded.begin(), loaded.end(), version) == loaded.end()) out.push_back(node);
  }
  return out;
}

std::vector<store::NodeRecord> nodes_not_sealing_with(const std::vector<store::NodeRecord>& nodes,
                                                      std::uint32_t version) {
  std::vector<store::NodeRecord> out;
  for (const auto& node : nodes)
    if (node.active_version != version) out.push_back(node);
  return out;
}

core::Result<void> check_retirable(std::uint32_t version, const store::MasterKeyFacts& facts) {
  const std::string v = std::to_string(version);
  if (auto it = facts.key_rows.find(version); it != facts.key_rows.end() && it->second > 0)
    return core::Error::conflict(std::to_string(it->second) + " keys still use master key version " + v +
                                 "; run `keyrelay master-key rotate` first");
  std::vector<store::NodeRecord> using_it;
  for (const auto& node : facts.live_nodes) {
    const bool only_version = node.loaded_versions.size() == 1 && node.loaded_versions[0] == version;
    if (node.active_version == version || only_version) using_it.push_back(node);
  }
  if (!using_it.empty())
    return core::Error::conflict("running servers still seal with master key version " + v + ": " +
                                 describe_nodes(using_it) +
                                 "; wait until they have loaded the current keyring (or stop them)");
  return core::ok();
}

std::string describe_nodes(const std::vector<store::NodeRecord>& nodes) {
  std::string out;
  for (const auto& node : nodes) {
    if (!out.empty()) out += ", ";
    out += node.id + " (" + node.hostname + ", pid " + std::to_string(node.pid) + ")";
  }
  return out;
}

}  // namespace keyrelay::vault
