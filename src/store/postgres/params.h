#pragma once
// Params: the parameters ($1, $2, …) of one statement, in order.
//
// Everything is sent as text except bytes, which are sent binary (no escaping, no hex doubling).
// Parameter types are left to the server (inferred from the statement); write an explicit cast
// where the statement alone does not tell ($1::text IS NULL, $2::bigint[]).
// Storage formats, shared with the SQLite engine so records read back identical:
//   time      bigint Unix milliseconds, UTC (sub-millisecond precision dropped, rounding down)
//   bool      boolean
//   optional  NULL when absent
// Value type; not thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "store/records.h"

namespace keyrelay::store::postgres {

// Unix milliseconds of `t`, rounded down.
std::int64_t to_unix_ms(TimePoint t) noexcept;
// The time point `ms` milliseconds after the Unix epoch.
TimePoint from_unix_ms(std::int64_t ms) noexcept;

class Params {
 public:
  Params& null();
  Params& text(std::string_view value);
  Params& text(const std::string& value) { return text(std::string_view(value)); }
  Params& text(const char* value) { return text(std::string_view(value)); }
  Params& text(const std::optional<std::string>& value);  // NULL when absent
  Params& integer(std::int64_t value);
  Params& boolean(bool value);
  Params& bytes(core::ByteView value);
  Params& time(TimePoint value);
  Params& time(const std::optional<TimePoint>& value);    // NULL when absent

  std::size_t size() const noexcept { return values_.size(); }

  // The arrays PQexecPrepared takes; valid while this object is unchanged.
  struct Arrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  Arrays arrays() const;

 private:
  struct Value {
    std::string data;
    bool is_null = false;
    bool binary = false;
  };
  std::vector<Value> values_;
};

// Array literals for `$n::text[]` and friends (one parameter carrying a whole batch).
// Elements are quoted and escaped as the array input syntax wants.
std::string text_array(const std::vector<std::string>& items);
std::string integer_array(const std::vector<std::int64_t>& items);
// Each element as hex text (decode(x, 'hex') in SQL turns it back into bytea).
std::string hex_array(const std::vector<core::Bytes>& items);

}  // namespace keyrelay::store::postgres
