#pragma once
// Keyset paging over a SELECT: the query orders by a unique sort key (ending in id), starts after
// the cursor's key and asks for one row more than the page holds (fetch_limit), so the extra row
// tells whether a next page exists without counting. Pure helpers; thread-safe.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/records.h"
#include "store/sqlite/statement.h"

namespace keyrelay::store::sqlite {

// The LIMIT to bind for a page of `limit` rows: limit + 1.
inline std::int64_t fetch_limit(std::size_t limit) noexcept {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max() - 1);
  return static_cast<std::int64_t>(limit > kMax ? kMax : limit) + 1;
}

// Reads up to `limit` rows of `stmt` with `read(stmt) -> Result<T>`; when a further row exists,
// next_cursor is `cursor_of(last item)`. A page of limit 0 is empty and has no cursor.
template <class T, class Read, class CursorOf>
core::Result<Page<T>> read_page(Statement& stmt, std::size_t limit, std::string_view doing, Read&& read,
                                CursorOf&& cursor_of) {
  Page<T> page;
  if (limit == 0) return page;
  for (;;) {
    auto row = stmt.step(doing);
    if (!row) return row.error();
    if (!*row) break;
    if (page.items.size() == limit) {
      page.next_cursor = cursor_of(page.items.back());
      break;
    }
    auto item = read(stmt);
    if (!item) return item.error();
    page.items.push_back(std::move(*item));
  }
  return page;
}

}  // namespace keyrelay::store::sqlite
