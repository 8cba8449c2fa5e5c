#pragma once
// Which peers may tell us the real client address (KEYRELAY_TRUSTED_PROXIES, a comma list of CIDRs).
// X-Forwarded-For is believed only when the socket peer is one of them; the list is then walked from
// the right, skipping trusted hops, and the first untrusted address is the client. A header from
// anyone else is ignored, so a client cannot put an address of its choosing into the audit log.
//
// Immutable after parse(); safe to share between threads.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace keyrelay::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8, 192.168.1.7, ::1/128"; a bare address is a /32 or /128. invalid_request naming the
  // bad entry.
  static core::Result<TrustedProxies> parse(std::string_view list);

  bool empty() const noexcept { return networks_.empty(); }
  bool contains(std::string_view address) const;

  // The client address of a request from `peer` carrying `forwarded_for` (may be empty).
  std::string client_ip(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Network {
    std::vector<unsigned char> prefix;  // address bytes (4 or 16)
    unsigned bits = 0;
  };
  std::vector<Network> networks_;
};

}  // namespace keyrelay::http
