#include "http/method.h"

#include <array>
#include <utility>

namespace keyrelay::http {
namespace {
constexpr std::array<std::pair<Method, std::string_view>, kMethodCount> kNames{{
    {Method::get, "GET"}, {Method::head, "HEAD"}, {Method::post, "POST"}, {Method::put, "PUT"},
    {Method::patch, "PATCH"}, {Method::del, "DELETE"}, {Method::options, "OPTIONS"}}};
}  // namespace

std::string_view method_name(Method m) noexcept { return kNames[static_cast<std::size_t>(m)].second; }

std::optional<Method> parse_method(std::string_view name) noexcept {
  for (const auto& [m, n] : kNames)
    if (n == name) return m;
  return std::nullopt;
}

}  // namespace keyrelay::http
