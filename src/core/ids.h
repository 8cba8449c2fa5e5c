#pragma once
// Identifiers: RFC 9562 UUIDs drawn from the OS random source (getrandom).
// v7 ids sort by creation time, which keeps database indexes and cursors cheap; v4 ids reveal nothing.

#include <chrono>
#include <string>
#include <string_view>

namespace keyrelay::core {

// A random (version 4) UUID in canonical lowercase form.
std::string uuid_v4();
// A time-ordered (version 7) UUID whose first 48 bits are `now` in Unix milliseconds.
std::string uuid_v7(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// True for a canonical lowercase 8-4-4-4-12 hex UUID of any version.
bool is_uuid(std::string_view text) noexcept;

// Fills `size` bytes from the OS random source; aborts if the kernel cannot supply them, which
// only happens on a broken system (there is no safe fallback for ids).
void os_random(void* data, std::size_t size);

}  // namespace keyrelay::core
