// The server's memory allocator: jemalloc when the build links it (see CMakeLists.txt), tuned for
// a small footprint — two arenas (the I/O threads share them through their per-thread caches),
// freed pages handed back to the kernel after a second, none kept "muzzy", and per-thread caches
// of at most 32 blocks per small size and 8 per large one (jemalloc's defaults, 200 and 20, kept
// ~1.2 MB more resident at the 64-connection peak across some twenty threads, for no measurable
// gain in instructions per call: BENCHMARKS.md, issue 14, sixth session). An operator may still
// override any of it with the MALLOC_CONF environment variable, which jemalloc reads after this.
#include "cli/allocator.h"

#ifdef KEYRELAY_WITH_JEMALLOC
#include <cstddef>

extern "C" {
// jemalloc reads this symbol at start-up (its documented compile-time configuration hook).
extern const char* malloc_conf;
const char* malloc_conf =
    "narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0,tcache_nslots_small_max:32,tcache_nslots_large:8";
int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen);
}
#endif

namespace keyrelay::cli {

std::string allocator_name() {
#ifdef KEYRELAY_WITH_JEMALLOC
  const char* version = nullptr;
  std::size_t size = sizeof version;
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr)
    return std::string("jemalloc ") + version;
  return "jemalloc";
#else
  return "glibc malloc";
#endif
}

}  // namespace keyrelay::cli
