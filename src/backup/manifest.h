#pragma once
// The manifest sealed at the end of every backup: what it holds, checked against the rows on
// verify and restore. JSON:
//   {"format_version": 1, "created_at": "…Z", "keyrelay_version": "0.1.0", "store": "sqlite",
//    "schema_version": 5, "tables": [{"name": "users", "rows": 3}, …],
//    "audit_chains": [{"chain": "node-…", "seq": 17, "hash": "<hex>"}, …]}
// An audit chain's head is its highest seq and that event's hash — or, for a chain pruned to
// nothing, its checkpoint's.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"
#include "store/store_copy.h"

namespace keyrelay::backup {

struct ChainHead {
  std::int64_t seq = 0;
  std::string hash;  // hex
  bool operator==(const ChainHead&) const = default;
};

// Row counts and audit chain heads, counted as rows go by (the writer's and the reader's view).
class RowTally {
 public:
  void add(const store::CopyTable& table, const std::vector<store::CopyRow>& rows);
  // Per table, in the order first seen; a table with no rows is counted once it is named here.
  void name_table(const std::string& table);
  const std::vector<std::pair<std::string, std::int64_t>>& tables() const noexcept { return tables_; }
  const std::map<std::string, ChainHead>& chains() const noexcept { return chains_; }

 private:
  std::int64_t& count_of(const std::string& table);
  std::vector<std::pair<std::string, std::int64_t>> tables_;
  std::map<std::string, ChainHead> chains_;
};

struct Manifest {
  int format_version = 0;
  std::string created_at;
  std::string keyrelay_version;
  std::string store;  // "sqlite" or "postgres": where the backup was taken
  int schema_version = 0;
  std::vector<std::pair<std::string, std::int64_t>> tables;
  std::map<std::string, ChainHead> audit_chains;

  std::int64_t total_rows() const;
};

boost::json::object manifest_json(const Manifest& manifest);
// invalid_request when `json` is not a manifest.
core::Result<Manifest> parse_manifest(std::string_view json);
// The manifest for people: one line per table and per audit chain.
std::string render_manifest_text(const Manifest& manifest);

// ok when the rows read (`tally`) are what the manifest says, table by table and chain by chain;
// invalid_request naming the first difference otherwise.
core::Result<void> check_manifest(const Manifest& manifest, const RowTally& tally);

}  // namespace keyrelay::backup
