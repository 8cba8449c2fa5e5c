#include "store/postgres/pg_error.h"

#include <string>

namespace keyrelay::store::postgres {

bool is_retryable_sqlstate(std::string_view sqlstate) noexcept {
  return sqlstate == "40001" || sqlstate == "40P01";
}

core::Error postgres_error(std::string_view sqlstate, std::string_view detail, bool connection_lost,
                           std::string_view doing) {
  if (connection_lost || sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03")
    return core::Error::unavailable("the database is unreachable; try again");
  if (is_retryable_sqlstate(sqlstate) || sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "53300")
    return core::Error::unavailable("the database is busy; try again");
  if (sqlstate == "23505" || sqlstate == "23P01")
    return core::Error::conflict("the record conflicts with an existing one");
  std::string message = "postgres";
  if (!sqlstate.empty()) message += " " + std::string(sqlstate);
  message += ": ";
  message += detail.empty() ? std::string_view("unknown error") : detail;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  message += " while ";
  message += doing;
  return core::Error::internal(std::move(message));
}

}  // namespace keyrelay::store::postgres
