#include "store/postgres/libpq.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace keyrelay::store::postgres::pq {
namespace {

constexpr const char* kLibrary = "libpq.so.5";  // the soname of every libpq since PostgreSQL 8.0

Api loaded_api;

core::Result<void> load_once() {
  // RTLD_LOCAL: libpq's symbols (and its GnuTLS, Kerberos …) stay out of the global namespace.
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return core::Error::unavailable(std::string("the PostgreSQL engine needs ") + kLibrary + " (Debian package libpq5): " +
                                    (why != nullptr ? why : "it cannot be loaded"));
  }
  Api api;
#define KEYRELAY_LIBPQ_RESOLVE(name)                                                              \
  api.name = reinterpret_cast<decltype(api.name)>(::dlsym(library, #name));                       \
  if (api.name == nullptr)                                                                        \
    return core::Error::unavailable(std::string(kLibrary) + " has no function " #name " (too old?)");
  KEYRELAY_LIBPQ_FUNCTIONS(KEYRELAY_LIBPQ_RESOLVE)
#undef KEYRELAY_LIBPQ_RESOLVE
  loaded_api = api;  // the library stays loaded for the life of the process
  return core::ok();
}

}  // namespace

core::Result<void> load() {
  static std::once_flag once;
  static core::Result<void> outcome = core::ok();
  std::call_once(once, [] { outcome = load_once(); });
  return outcome;
}

const Api& api() noexcept { return loaded_api; }

}  // namespace keyrelay::store::postgres::pq
