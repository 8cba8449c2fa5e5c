#pragma once
// Which memory allocator the server runs on, for `keyrelay version` (jemalloc, or the C library's
// in builds without it such as the sanitizer build).

#include <string>

namespace keyrelay::cli {

std::string allocator_name();

}  // namespace keyrelay::cli
