#pragma once
// Keyset paging, as on SQLite (sqlite/paging.h): the query orders by a unique sort key ending in
// id, starts after the cursor's key and asks for one row more than the page holds, so the extra row
// tells whether a next page exists. Cursors are the SQLite engine's (sqlite/cursor.h: the same
// opaque format), so a client's cursor means the same on both engines. Pure helpers; thread-safe.

#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/result.h"
#include "store/postgres/rows.h"
#include "store/records.h"
#include "store/sqlite/cursor.h"

namespace keyrelay::store::postgres {

using sqlite::CursorReader;
using sqlite::CursorWriter;

// The LIMIT for a page of `limit` rows: limit + 1.
inline std::int64_t fetch_limit(std::size_t limit) noexcept {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max() - 1);
  return static_cast<std::int64_t>(limit > kMax ? kMax : limit) + 1;
}

// Reads up to `limit` rows with `read(const Row&) -> Result<T>`; when a further row exists,
// next_cursor is `cursor_of(last item)`. A page of limit 0 is empty and has no cursor.
template <class T, class Read, class CursorOf>
core::Result<Page<T>> read_page(const Rows& rows, std::size_t limit, Read&& read, CursorOf&& cursor_of) {
  Page<T> page;
  if (limit == 0) return page;
  for (int i = 0; i < rows.size(); ++i) {
    if (page.items.size() == limit) {
      page.next_cursor = cursor_of(page.items.back());
      break;
    }
    auto item = read(Row(rows, i));
    if (!item) return item.error();
    page.items.push_back(std::move(*item));
  }
  return page;
}

}  // namespace keyrelay::store::postgres
