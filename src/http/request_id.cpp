#include "http/request_id.h"

#include "core/ids.h"

namespace keyrelay::http {

bool is_valid_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string choose_request_id(std::string_view incoming) {
  if (is_valid_request_id(incoming)) return std::string(incoming);
  return core::uuid_v7();
}

}  // namespace keyrelay::http
