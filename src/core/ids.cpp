#include "core/ids.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/encoding.h"

namespace keyrelay::core {
namespace {

// 8-4-4-4-12 lowercase hex digits, written in place (several ids are made per gateway request).
std::string format_uuid(const std::array<std::uint8_t, 16>& b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t at = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dash already there
    out[at++] = kDigits[b[i] >> 4];
    out[at++] = kDigits[b[i] & 0x0f];
  }
  return out;
}

// Random bytes for ids, drawn from a per-thread buffer the kernel refills 512 bytes at a time: ids
// are made several times per gateway request, and one getrandom call each was a visible cost.
// The bytes are the kernel CSPRNG's all the same; the buffer is wiped as it is used.
void id_random(std::uint8_t* out, std::size_t size) {
  thread_local std::array<std::uint8_t, 512> pool{};
  thread_local std::size_t used = pool.size();
  while (size > 0) {
    if (used == pool.size()) {
      os_random(pool.data(), pool.size());
      used = 0;
    }
    const std::size_t n = std::min(size, pool.size() - used);
    std::memcpy(out, pool.data() + used, n);
    std::memset(pool.data() + used, 0, n);
    used += n;
    out += n;
    size -= n;
  }
}

}  // namespace

void os_random(void* data, std::size_t size) {
  auto* p = static_cast<std::uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = getrandom(p, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fputs("keyrelay: getrandom failed; refusing to continue without randomness\n", stderr);
      std::abort();
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::string uuid_v4() {
  std::array<std::uint8_t, 16> b{};
  id_random(b.data(), b.size());
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

std::string uuid_v7(std::chrono::system_clock::time_point now) {
  std::array<std::uint8_t, 16> b{};
  id_random(b.data(), b.size());
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

bool is_uuid(std::string_view t) noexcept {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace keyrelay::core
