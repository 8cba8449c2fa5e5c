#pragma once
// An allocator that wipes every block before it goes back to the heap. For containers that may
// hold a secret and reallocate as they grow (a connection's read buffer, a chunked request body):
// the block a reallocation leaves behind would otherwise keep its bytes in freed memory.
// Stateless; interchangeable with any other WipingAllocator.

#include <cstddef>
#include <memory>

#include "core/secret.h"

namespace keyrelay::core {

template <class T>
struct WipingAllocator {
  using value_type = T;

  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    wipe_memory(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }

  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace keyrelay::core
