// Envelope open: what the gateway pays to decrypt a user's provider key for one call (target
// <= 2 us with the derived-key cache warm, ARCHITECTURE.md). Seal happens once, outside the loop.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "core/bytes.h"
#include "core/secret.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"

namespace {

using namespace keyrelay;

const core::Bytes kSalt(16, 0xa5);
const crypto::SecretBinding kBinding{"0190f3c2-7e1a-7c3b-9a55-2f6e1d0c4b11", "0190f3c2-7e1a-7c3b-9a55-2f6e1d0c4b22",
                                     "openai", 1};

std::shared_ptr<const crypto::Keyring> fresh_keyring() {
  auto keyring = crypto::Keyring::generate(std::chrono::system_clock::now());
  if (!keyring) std::abort();
  return std::make_shared<const crypto::Keyring>(std::move(*keyring));
}

// A realistic key: an OpenAI project key is 164 characters.
core::Secret provider_key() { return core::Secret(std::string(164, 'k')); }

void open_loop(benchmark::State& state, const crypto::Envelope& envelope) {
  const auto sealed = envelope.seal(provider_key(), kBinding, kSalt);
  if (!sealed) {
    state.SkipWithError("seal failed");
    return;
  }
  for (auto _ : state) {
    auto opened = envelope.open(*sealed, kBinding, kSalt);
    if (!opened) {
      state.SkipWithError("open failed");
      break;
    }
    benchmark::DoNotOptimize(opened->reveal().data());
  }
}

// The hot path: the user's KEK is in the cache (every call after the user's first).
void BM_EnvelopeOpen(benchmark::State& state) {
  crypto::Envelope envelope(fresh_keyring());
  open_loop(state, envelope);
}
BENCHMARK(BM_EnvelopeOpen);

// The cache disabled: HKDF runs on every open (a user's first call, or after a keyring reload).
void BM_EnvelopeOpenNoKekCache(benchmark::State& state) {
  crypto::Envelope envelope(fresh_keyring(), 0);
  open_loop(state, envelope);
}
BENCHMARK(BM_EnvelopeOpenNoKekCache);

// For comparison: what storing a key costs (a fresh data key from the DRBG, two AEAD seals).
void BM_EnvelopeSeal(benchmark::State& state) {
  crypto::Envelope envelope(fresh_keyring());
  const auto key = provider_key();
  for (auto _ : state) {
    auto sealed = envelope.seal(key, kBinding, kSalt);
    if (!sealed) {
      state.SkipWithError("seal failed");
      break;
    }
    benchmark::DoNotOptimize(sealed->sealed_secret.data());
  }
}
BENCHMARK(BM_EnvelopeSeal);

}  // namespace
