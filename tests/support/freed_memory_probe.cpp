#include "support/freed_memory_probe.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace keyrelay::test {
namespace {

constexpr std::size_t kMaxMarker = 256;
char g_marker[kMaxMarker];
std::size_t g_marker_size = 0;
std::atomic<bool> g_armed{false};
std::atomic<std::size_t> g_dirty{0};
std::atomic<std::size_t> g_freed{0};

void inspect(void* block) noexcept {
  if (block == nullptr || !g_armed.load(std::memory_order_acquire)) return;
  g_freed.fetch_add(1, std::memory_order_relaxed);
  const std::size_t size = ::malloc_usable_size(block);
  if (size >= g_marker_size && ::memmem(block, size, g_marker, g_marker_size) != nullptr)
    g_dirty.fetch_add(1, std::memory_order_relaxed);
}

void* allocate(std::size_t size) {
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

FreedMemoryProbe::FreedMemoryProbe(std::string_view marker) {
  g_marker_size = marker.size() < kMaxMarker ? marker.size() : kMaxMarker;
  std::memcpy(g_marker, marker.data(), g_marker_size);
  g_dirty = 0;
  g_freed = 0;
  g_armed.store(true, std::memory_order_release);
}

FreedMemoryProbe::~FreedMemoryProbe() { g_armed.store(false, std::memory_order_release); }

std::size_t FreedMemoryProbe::dirty_blocks() const { return g_dirty.load(); }
std::size_t FreedMemoryProbe::freed_blocks() const { return g_freed.load(); }

}  // namespace keyrelay::test

// The replaced global allocation functions (aligned variants keep the library's own).
void* operator new(std::size_t size) { return keyrelay::test::allocate(size); }
void* operator new[](std::size_t size) { return keyrelay::test::allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }
void operator delete(void* p) noexcept {
  keyrelay::test::inspect(p);
  std::free(p);
}
void operator delete[](void* p) noexcept {
  keyrelay::test::inspect(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  keyrelay::test::inspect(p);
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  keyrelay::test::inspect(p);
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  keyrelay::test::inspect(p);
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  keyrelay::test::inspect(p);
  std::free(p);
}
