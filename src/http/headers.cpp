#include "http/headers.h"

#include <algorithm>
#include <cstring>

#include "core/secret.h"

namespace keyrelay::http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

Headers::Headers(const Headers& other) : spans_(other.spans_) {
  text_.reserve(other.text_.size());
  text_.append(other.text_);
}

Headers& Headers::operator=(const Headers& other) {
  if (this == &other) return *this;
  wipe();
  grow(other.text_.size());
  text_.append(other.text_);
  spans_ = other.spans_;
  return *this;
}

// A short buffer lives inside the string itself and is copied, not moved: clear the source's.
Headers::Headers(Headers&& other) noexcept : text_(std::move(other.text_)), spans_(std::move(other.spans_)) {
  core::wipe_memory(other.text_.data(), other.text_.capacity());
  other.text_.clear();
  other.spans_.clear();
}

Headers& Headers::operator=(Headers&& other) noexcept {
  if (this == &other) return *this;
  wipe();
  text_ = std::move(other.text_);
  spans_ = std::move(other.spans_);
  core::wipe_memory(other.text_.data(), other.text_.capacity());
  other.text_.clear();
  other.spans_.clear();
  return *this;
}

Headers::~Headers() { wipe(); }

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const auto [k, v] = field(i);
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

// A message's fields take a few hundred bytes: the first growth makes room for them at once
// instead of doubling from the string's inline 15 bytes (four reallocations per message).
constexpr std::size_t kFirstTextBytes = 256;
constexpr std::size_t kFirstFields = 8;

void Headers::grow(std::size_t more) {
  const std::size_t need = text_.size() + more;
  if (need <= text_.capacity()) return;
  std::string bigger;
  bigger.reserve(std::max({need, 2 * text_.capacity(), kFirstTextBytes}));
  bigger.append(text_);
  core::wipe_memory(text_.data(), text_.capacity());
  text_.swap(bigger);
}

void Headers::reserve(std::size_t fields, std::size_t bytes) {
  spans_.reserve(spans_.size() + fields);
  grow(bytes);
}

void Headers::add(std::string_view name, std::string_view value) {
  grow(name.size() + value.size());
  if (spans_.capacity() == 0) spans_.reserve(kFirstFields);
  const auto at = static_cast<std::uint32_t>(text_.size());
  text_.append(name);
  text_.append(value);
  spans_.push_back({at, static_cast<std::uint32_t>(name.size()), static_cast<std::uint32_t>(at + name.size()),
                    static_cast<std::uint32_t>(value.size())});
}

void Headers::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void Headers::remove(std::string_view name) {
  remove_if([name](std::string_view field_name, std::string_view) { return iequals(field_name, name); });
}

void Headers::pack() noexcept {
  // Pack what is left to the front, in place, and clear the tail: no removed value stays behind.
  std::size_t to = 0;
  for (Span& s : spans_) {
    std::memmove(text_.data() + to, text_.data() + s.name_at, s.name_size + s.value_size);
    const std::uint32_t shift = s.name_at - static_cast<std::uint32_t>(to);
    s.name_at -= shift;
    s.value_at -= shift;
    to += s.name_size + s.value_size;
  }
  core::wipe_memory(text_.data() + to, text_.size() - to);
  text_.resize(to);
}

void Headers::wipe() noexcept {
  if (text_.capacity() > 0) core::wipe_memory(text_.data(), text_.size());
  text_.clear();
  spans_.clear();
}

}  // namespace keyrelay::http
