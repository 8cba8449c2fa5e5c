#pragma once
// The rules master-key rotation and retirement follow about the servers sharing the store
// (ARCHITECTURE.md, "Rotation without a failed request"; docs/decisions.md). Pure functions over
// what the store reports; the command line orchestrates them.
//
// - A new version becomes the sealing one only once every live server has loaded it, so none meets
//   a key it cannot open.
// - Keys are re-wrapped once every live server seals with it, so none keeps adding keys under the
//   old version behind the re-wrap.
// - A version is retired only when no key is sealed under it and no live server seals with it or
//   holds nothing else.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"
#include "store/rotation_store.h"

namespace keyrelay::vault {

// The nodes of `nodes` that have not loaded master version `version`.
std::vector<store::NodeRecord> nodes_without_version(const std::vector<store::NodeRecord>& nodes,
                                                     std::uint32_t version);

// The nodes of `nodes` that do not seal with master version `version`.
std::vector<store::NodeRecord> nodes_not_sealing_with(const std::vector<store::NodeRecord>& nodes,
                                                      std::uint32_t version);

// ok when master version `version` may be retired given `facts`; otherwise conflict, naming how many
// keys still use it or which live servers seal with it (or hold nothing else).
core::Result<void> check_retirable(std::uint32_t version, const store::MasterKeyFacts& facts);

// "node-1a2b3c4d5e6f (host-a, pid 812), node-…": the servers, as an operator finds them.
std::string describe_nodes(const std::vector<store::NodeRecord>& nodes);

}  // namespace keyrelay::vault
