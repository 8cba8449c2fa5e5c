#pragma once
// An ordered list of header fields with case-insensitive lookup, kept flat: every name and value
// back to back in one buffer, with a small index of where each field lies — two allocations for a
// whole header set instead of up to two per field. Small (a few fields), so a linear scan beats a
// map; order is kept so responses go out as handlers wrote them.
//
// A header may hold a secret (an injected provider key): the buffer never leaves a copy behind when
// it grows (the old one is wiped first), and wipe() clears it all.

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyrelay::http {

bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
  struct Span {
    std::uint32_t name_at, name_size, value_at, value_size;
  };

 public:
  using Field = std::pair<std::string_view, std::string_view>;

  // The fields in order, as views into the headers (valid until they next change).
  class Fields {
   public:
    class iterator {
     public:
      using iterator_category = std::forward_iterator_tag;
      using value_type = Field;
      using difference_type = std::ptrdiff_t;
      using pointer = void;
      using reference = Field;
      iterator(const Headers* h, std::size_t i) : h_(h), i_(i) {}
      Field operator*() const { return h_->field(i_); }
      iterator& operator++() { ++i_; return *this; }
      iterator operator++(int) { auto old = *this; ++i_; return old; }
      bool operator==(const iterator& o) const noexcept { return i_ == o.i_; }
     private:
      const Headers* h_;
      std::size_t i_;
    };
    explicit Fields(const Headers& h) : h_(&h) {}
    iterator begin() const { return {h_, 0}; }
    iterator end() const { return {h_, h_->size()}; }
    Field operator[](std::size_t i) const { return h_->field(i); }
    std::size_t size() const noexcept { return h_->size(); }
   private:
    const Headers* h_;
  };

  Headers() = default;
  Headers(const Headers& other);
  Headers& operator=(const Headers& other);
  Headers(Headers&& other) noexcept;
  Headers& operator=(Headers&& other) noexcept;
  ~Headers();

  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
  // Replaces every field named `name` by one with `value`.
  void set(std::string_view name, std::string_view value);
  // Appends a field (for repeated headers such as Set-Cookie).
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  // Removes every field for which `drop(name, value)` is true, in place (no allocation).
  template <class Pred>
  void remove_if(Pred drop) {
    const std::string_view text(text_);
    const auto kept = std::remove_if(spans_.begin(), spans_.end(), [&](const Span& s) {
      return drop(text.substr(s.name_at, s.name_size), text.substr(s.value_at, s.value_size));
    });
    if (kept == spans_.end()) return;
    spans_.erase(kept, spans_.end());
    pack();
  }
  // Room for `fields` more fields of `bytes` more bytes in all, so that adding them allocates nothing.
  void reserve(std::size_t fields, std::size_t bytes);

  Fields fields() const noexcept { return Fields(*this); }
  Field field(std::size_t i) const noexcept {
    const Span& s = spans_[i];
    return {std::string_view(text_).substr(s.name_at, s.name_size),
            std::string_view(text_).substr(s.value_at, s.value_size)};
  }
  std::size_t size() const noexcept { return spans_.size(); }
  bool empty() const noexcept { return spans_.empty(); }

  // Overwrites every byte the headers hold (also of removed fields) and empties them.
  void wipe() noexcept;

 private:
  // Makes room for `more` bytes at the end of text_ without leaving the old bytes in freed memory.
  void grow(std::size_t more);
  // Moves the fields' bytes to the front after a removal and wipes what is left behind.
  void pack() noexcept;

  std::string text_;
  std::vector<Span> spans_;
};

}  // namespace keyrelay::http
