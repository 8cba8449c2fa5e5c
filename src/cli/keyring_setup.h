#pragma once
// Finds the master keyring the server runs with: KEYRELAY_MASTER_KEY (one key), KEYRELAY_KEYRING_FILE,
// or the zero-config default `<data dir>/keyring.toml`, which is created on first start.

#include <memory>

#include "config/config.h"
#include "core/result.h"
#include "crypto/keyring.h"

namespace keyrelay::cli {

// Errors name the file or variable at fault and never contain key material.
core::Result<std::shared_ptr<const crypto::Keyring>> prepare_keyring(const config::Config& config);

}  // namespace keyrelay::cli
