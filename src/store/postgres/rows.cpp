#include "store/postgres/rows.h"

#include "store/postgres/libpq.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <string_view>

#include "store/postgres/params.h"

namespace keyrelay::store::postgres {
namespace {

// Type OIDs (pg_type.dat); stable across PostgreSQL versions.
constexpr Oid kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
              kOid = 26, kJson = 114, kFloat4 = 700, kFloat8 = 701, kBpchar = 1042, kVarchar = 1043;

template <class T>
T read_big_endian(const char* data) noexcept {
  std::make_unsigned_t<T> value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<std::make_unsigned_t<T>>((value << 8) | static_cast<std::uint8_t>(data[i]));
  return static_cast<T>(value);
}

[[noreturn]] void wrong_type(const PGresult* r, int column, std::string_view wanted) {
  throw std::logic_error("postgres column " + std::to_string(column) + " (" + (pq::PQfname(r, column) ? pq::PQfname(r, column) : "?") +
                         ", type oid " + std::to_string(pq::PQftype(r, column)) + ") read as " + std::string(wanted));
}

}  // namespace

void ClearResult::operator()(pg_result* result) const noexcept { pq::PQclear(result); }

int Rows::size() const noexcept { return result_ ? pq::PQntuples(result_.get()) : 0; }

std::int64_t Rows::affected() const noexcept {
  if (!result_) return 0;
  const char* text = pq::PQcmdTuples(result_.get());
  return text && *text ? std::strtoll(text, nullptr, 10) : 0;
}

bool Rows::is_null(int row, int column) const noexcept { return pq::PQgetisnull(result_.get(), row, column) != 0; }

std::uint32_t Rows::type_oid(int column) const noexcept { return pq::PQftype(result_.get(), column); }

std::int64_t Rows::int_at(int row, int column) const {
  const PGresult* r = result_.get();
  if (pq::PQgetisnull(r, row, column)) return 0;
  const char* data = pq::PQgetvalue(r, row, column);
  switch (pq::PQftype(r, column)) {
    case kInt8: return read_big_endian<std::int64_t>(data);
    case kInt4: return read_big_endian<std::int32_t>(data);
    case kInt2: return read_big_endian<std::int16_t>(data);
    case kOid: return read_big_endian<std::uint32_t>(data);
    default: wrong_type(r, column, "an integer");
  }
}

double Rows::double_at(int row, int column) const {
  const PGresult* r = result_.get();
  if (pq::PQgetisnull(r, row, column)) return 0;
  const char* data = pq::PQgetvalue(r, row, column);
  switch (pq::PQftype(r, column)) {
    case kFloat8: return std::bit_cast<double>(read_big_endian<std::uint64_t>(data));
    case kFloat4: return std::bit_cast<float>(read_big_endian<std::uint32_t>(data));
    case kInt8:
    case kInt4:
    case kInt2: return static_cast<double>(int_at(row, column));
    default: wrong_type(r, column, "a number");
  }
}

bool Rows::bool_at(int row, int column) const {
  const PGresult* r = result_.get();
  if (pq::PQftype(r, column) != kBool) wrong_type(r, column, "a boolean");
  return !pq::PQgetisnull(r, row, column) && pq::PQgetvalue(r, row, column)[0] != 0;
}

std::string Rows::text_at(int row, int column) const {
  const PGresult* r = result_.get();
  switch (pq::PQftype(r, column)) {
    case kText:
    case kVarchar:
    case kBpchar:
    case kChar:
    case kName:
    case kJson: break;
    default: wrong_type(r, column, "text");
  }
  if (pq::PQgetisnull(r, row, column)) return {};
  return std::string(pq::PQgetvalue(r, row, column), static_cast<std::size_t>(pq::PQgetlength(r, row, column)));
}

std::optional<std::string> Rows::optional_text_at(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text_at(row, column);
}

core::Bytes Rows::bytes_at(int row, int column) const {
  const PGresult* r = result_.get();
  if (pq::PQftype(r, column) != kBytea) wrong_type(r, column, "bytes");
  if (pq::PQgetisnull(r, row, column)) return {};
  const auto* data = reinterpret_cast<const std::uint8_t*>(pq::PQgetvalue(r, row, column));
  return core::Bytes(data, data + pq::PQgetlength(r, row, column));
}

TimePoint Rows::time_at(int row, int column) const { return from_unix_ms(int_at(row, column)); }

std::optional<TimePoint> Rows::optional_time_at(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return time_at(row, column);
}

}  // namespace keyrelay::store::postgres
