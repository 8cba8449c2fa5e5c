#pragma once
// An ordered list of header fields with case-insensitive lookup. Small (a few fields), so a vector
// beats a map; order is kept so responses go out as handlers wrote them.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyrelay::http {

bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
  // Replaces every field named `name` by one with `value`.
  void set(std::string_view name, std::string value);
  // Appends a field (for repeated headers such as Set-Cookie).
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  void remove(std::string_view name);

  const std::vector<Field>& fields() const noexcept { return fields_; }
  std::size_t size() const noexcept { return fields_.size(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace keyrelay::http
