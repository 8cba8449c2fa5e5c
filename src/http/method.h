#pragma once
// HTTP methods keyrelay routes on. Kept free of Beast so handlers and tests stay light.

#include <cstddef>
#include <optional>
#include <string_view>

namespace keyrelay::http {

enum class Method { get, head, post, put, patch, del, options };
inline constexpr std::size_t kMethodCount = 7;

std::string_view method_name(Method m) noexcept;   // "GET", "DELETE", ...
std::optional<Method> parse_method(std::string_view name) noexcept;

}  // namespace keyrelay::http
