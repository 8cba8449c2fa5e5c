#pragma once
// The dispatcher's ports wired to the rest of keyrelay: keys from the key cache (filled on the
// worker pool), secrets opened by the vault without blocking an I/O thread, and refused or missing
// keys reported through the alert service, the key's validation state and the re-check. Owned by
// the composition root, alive longer than the server.

#include "api/gateway/key_recheck.h"
#include "api/services.h"
#include "gateway/dispatcher_ports.h"
#include "vault/key_cache.h"

namespace keyrelay::api {

class VaultKeys final : public gateway::KeySource, public gateway::SecretOpener {
 public:
  VaultKeys(Services& services, vault::KeyCache& cache) : services_(services), cache_(cache) {}

  boost::asio::awaitable<core::Result<gateway::KeySet>> keys_of(const std::string& owner_id) override;
  boost::asio::awaitable<core::Result<core::Secret>> open(const gateway::Actor& actor,
                                                          const store::KeyRecord& key) override;

 private:
  Services& services_;
  vault::KeyCache& cache_;
};

class GatewayAlerts final : public gateway::AlertSink {
 public:
  // `recheck` null: refused keys are not re-validated (tests).
  GatewayAlerts(Services& services, KeyRecheck* recheck) : services_(services), recheck_(recheck) {}

  void no_usable_key(const gateway::Actor& actor, std::string_view provider, const std::string& why) override;
  boost::asio::awaitable<void> key_rejected(const gateway::Actor& actor, const catalog::Provider& provider,
                                            const store::KeyRecord& key, int http_status,
                                            const std::string& message) override;
  void key_suspected(const gateway::Actor& actor, const catalog::Provider& provider, const store::KeyRecord& key,
                     const boost::asio::any_io_executor& executor) override;

 private:
  Services& services_;
  KeyRecheck* recheck_;
};

}  // namespace keyrelay::api
