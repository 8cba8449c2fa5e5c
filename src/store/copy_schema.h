#pragma once
// Helpers shared by the engines' copy sources and targets (store_copy.h): quoting the identifiers
// read from a schema, and checking that a target has exactly the tables and columns of the source.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store_copy.h"

namespace keyrelay::store {

// The tables a copy never carries: each store keeps its own schema bookkeeping.
bool is_copy_bookkeeping(const std::string& table);

// `name` quoted as an SQL identifier (names come from the schema, never from input).
std::string quoted_identifier(const std::string& name);

// Table name -> its column names, as a target lists them.
using SchemaColumns = std::map<std::string, std::set<std::string>>;

// `tables` ordered parents first: a table comes after every table its foreign keys name
// (`parents`: table -> the tables it references; names outside `tables` are ignored); names in
// order among equals, so the order is stable. internal on a foreign-key cycle.
core::Result<std::vector<CopyTable>> parents_first(const std::map<std::string, CopyTable>& tables,
                                                   const std::map<std::string, std::set<std::string>>& parents);

// ok when `target` has exactly the tables of `source`, each with the same columns (in any order).
// invalid_request naming the difference otherwise: the two stores are on different schema
// versions; also when `target` has no table at all (not migrated).
core::Result<void> check_same_tables(const std::vector<CopyTable>& source, const SchemaColumns& target);

}  // namespace keyrelay::store
