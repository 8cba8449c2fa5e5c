#include "store/store_copy.h"

namespace keyrelay::store {

std::int64_t CopyReport::total() const {
  std::int64_t sum = 0;
  for (const auto& [table, count] : rows) sum += count;
  return sum;
}

core::Result<CopyReport> copy_store(CopySource& from, CopyTarget& to, std::size_t batch) {
  auto tables = from.tables();
  if (!tables) return tables.error();
  if (auto begun = to.begin(*tables); !begun) {
    to.rollback();
    return begun.error();
  }
  CopyReport report;
  for (const auto& table : *tables) {
    std::int64_t count = 0;
    auto copied = from.read(table, batch, [&](const std::vector<CopyRow>& rows) -> core::Result<void> {
      count += static_cast<std::int64_t>(rows.size());
      return to.write(table, rows);
    });
    if (!copied) {
      to.rollback();
      return copied.error();
    }
    report.rows.emplace_back(table.name, count);
  }
  if (auto committed = to.commit(); !committed) {
    to.rollback();
    return committed.error();
  }
  return report;
}

}  // namespace keyrelay::store
