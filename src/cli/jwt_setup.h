#pragma once
// JWT verification as the configuration asks for it: the verifier, and with KEYRELAY_JWT_JWKS_URL
// the remote key set and the thread that refreshes it. Built before the server; everything here
// outlives the authenticator that borrows the verifier.

#include <memory>

#include "auth/jwt_verifier.h"
#include "auth/remote_jwks.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/periodic_task.h"
#include "core/result.h"
#include "monitor/keyrelay_metrics.h"

namespace keyrelay::cli {

struct JwtSetup {
  std::shared_ptr<auth::RemoteJwks> url_jwks;      // null without a JWKS URL
  std::unique_ptr<auth::JwtVerifier> verifier;     // null when JWTs are not configured
  std::unique_ptr<core::PeriodicTask> refresher;   // last member: stopped first
};

// Fetches a JWKS URL's set now (a failure or an invalid set stops the start, saying why), loads a
// JWKS file, and starts the refresher; each fetch after the first is logged (a failure as a
// warning naming only the host) and counted in `metrics`, which must outlive the result.
core::Result<JwtSetup> make_jwt_setup(const config::Config& config, const core::Clock& clock,
                                      monitor::Metrics& metrics);

}  // namespace keyrelay::cli
