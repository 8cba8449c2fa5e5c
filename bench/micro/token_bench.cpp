// Token check: what the gateway pays to turn "Authorization: Bearer kr_…" into a Principal. The
// Authenticator runs against a real SQLite store in a temp dir; after the first request the token
// is served from its cache, which is the case every request but a token's first sees.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "accounts/account_service.h"
#include "audit/chain_sealer.h"
#include "auth/access_token.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "crypto/keyring.h"
#include "store/open_store.h"

namespace {

using namespace keyrelay;

[[noreturn]] void die(std::string_view what, const core::Error& error) {
  std::cerr << "token_bench: " << what << ": " << error.message << "\n";
  std::abort();
}

// A store with one user and one gateway token in a temp dir, removed at exit. Built once per
// process: opening SQLite and migrating is not what is measured.
class TokenWorld {
 public:
  TokenWorld() {
    std::string pattern = (std::filesystem::temp_directory_path() / "keyrelay-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto keyring = crypto::Keyring::generate(clock_.now());
    if (!keyring) die("keyring", keyring.error());
    sealer_ = std::make_unique<audit::KeyringChainSealer>(
        std::make_shared<const crypto::Keyring>(std::move(*keyring)));
    auto store = store::open_store("", dir_ / "data", *sealer_);
    if (!store) die("open store", store.error());
    store_ = std::move(*store);
    if (auto r = store_->migrate(); !r) die("migrate", r.error());

    accounts::AccountService accounts(*store_, *store_, clock_, "bench/mgmt");
    audit::Actor operator_caller = audit::Actor::cli();
    auto user = accounts.create_user(operator_caller, {"bench", store::Role::user});
    if (!user) die("create user", user.error());
    accounts::NewToken input;
    input.user_id = user->id;
    input.name = "bench";
    input.scopes = auth::ScopeSet{auth::Scope::gateway};
    auto issued = accounts.issue_token(operator_caller, input);
    if (!issued) die("issue token", issued.error());
    header_ = "Bearer " + std::string(issued->text.reveal_text());

    authenticator_ = std::make_unique<auth::Authenticator>(*store_, *store_, *store_, nullptr, clock_,
                                                           auth::AuthenticatorOptions{.audit_chain = "bench/mgmt"});
  }
  ~TokenWorld() {
    authenticator_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  auth::Authenticator& authenticator() { return *authenticator_; }
  const std::string& header() const { return header_; }
  std::string_view token() const { return std::string_view(header_).substr(7); }

 private:
  std::filesystem::path dir_;
  core::SystemClock clock_;
  std::unique_ptr<audit::KeyringChainSealer> sealer_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::string header_;  // "Bearer kr_…"
};

TokenWorld& world() {
  static TokenWorld w;
  return w;
}

// The gateway's check on a cache hit (Authenticator::try_cached, on the I/O thread): parse the
// header, shape check, SHA-256, hex, cache lookup under the mutex, expiry/revocation checks,
// last-use record, Principal copy.
void BM_TokenCheckCached(benchmark::State& state) {
  auto& w = world();
  const std::string_view header = w.header();
  if (!w.authenticator().authenticate(header, std::nullopt, {})) {  // loads the cache
    state.SkipWithError("token rejected");
    return;
  }
  for (auto _ : state) {
    auto principal = w.authenticator().try_cached(header, std::nullopt);
    if (!principal) {
      state.SkipWithError("token not served from the cache");
      break;
    }
    benchmark::DoNotOptimize(principal->user_id.data());
  }
}
BENCHMARK(BM_TokenCheckCached);

// The same through authenticate() (what management routes call, on a worker thread).
void BM_TokenAuthenticateCached(benchmark::State& state) {
  auto& w = world();
  const std::string_view header = w.header();
  const auth::RequestFacts facts;
  if (!w.authenticator().authenticate(header, std::nullopt, facts)) {
    state.SkipWithError("token rejected");
    return;
  }
  for (auto _ : state) {
    auto principal = w.authenticator().authenticate(header, std::nullopt, facts);
    if (!principal) {
      state.SkipWithError("token rejected");
      break;
    }
    benchmark::DoNotOptimize(principal->user_id.data());
  }
}
BENCHMARK(BM_TokenAuthenticateCached);

// Only the hash step: SHA-256 of the presented text and its hex form (the cache key).
void BM_TokenHash(benchmark::State& state) {
  const std::string_view token = world().token();
  for (auto _ : state) {
    const core::Bytes hash = auth::token_hash(token);
    std::string key = core::hex_encode(hash);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_TokenHash);

// A cache miss: the token and its user read from SQLite (a token's first request, or after the
// cache was dropped because another process changed data).
void BM_TokenCheckUncached(benchmark::State& state) {
  auto& w = world();
  const std::string_view header = w.header();
  const auth::RequestFacts facts;
  for (auto _ : state) {
    w.authenticator().clear_cache();
    auto principal = w.authenticator().authenticate(header, std::nullopt, facts);
    if (!principal) {
      state.SkipWithError("token rejected");
      break;
    }
    benchmark::DoNotOptimize(principal->user_id.data());
  }
}
BENCHMARK(BM_TokenCheckUncached);

}  // namespace
