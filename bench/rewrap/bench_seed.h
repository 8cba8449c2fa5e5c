#pragma once
// Seeding the re-wrap benchmark: users, and keys sealed with the real envelope under the keyring's
// sealing version, loaded through the store in big transactions (store::KeyStore::insert_keys).
// Key i of the load is named "k<i>" and holds the secret bench_secret(i), so a check can open every
// key afterwards and compare.

#include <cstddef>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/envelope.h"
#include "store/store.h"

namespace keyrelay::bench {

struct SeedOptions {
  std::size_t keys = 1'000'000;
  std::size_t users = 1'000;
  std::size_t rows_per_transaction = 10'000;
  std::size_t threads = 2;  // sealing threads
};

// The plaintext of key number `index` (64 characters, like a real provider key).
std::string bench_secret(std::size_t index);

// Creates `options.users` users and `options.keys` keys spread evenly over them. Returns the
// users' ids. Prints progress to stderr.
core::Result<std::vector<std::string>> seed(store::Store& store, const crypto::Envelope& envelope,
                                            const core::Clock& clock, const SeedOptions& options);

}  // namespace keyrelay::bench
