// The use path's writer: what booking one gateway call costs the usage thread (issue 14, item 6).
// Each call becomes one key.used audit event, sealed into the "use" chain and inserted into the
// audit log, and its counts are summed into usage_daily. Measured per use, in batches of the
// recorder's default size, against a real SQLite store in a temp dir (WAL, synchronous=FULL).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "audit/chain_sealer.h"
#include "audit/event_builder.h"
#include "catalog/price_table.h"
#include "core/clock.h"
#include "crypto/keyring.h"
#include "gateway/usage_recorder.h"
#include "store/open_store.h"

namespace {

using namespace keyrelay;

constexpr std::size_t kBatch = gateway::UsageRecorderOptions{}.batch_size;

[[noreturn]] void die(std::string_view what, const core::Error& error) {
  std::cerr << "usage_bench: " << what << ": " << error.message << "\n";
  std::abort();
}

// A migrated store in a temp dir, removed at exit.
class UsageWorld {
 public:
  UsageWorld() {
    std::string pattern = (std::filesystem::temp_directory_path() / "keyrelay-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto keyring = crypto::Keyring::generate(clock_.now());
    if (!keyring) die("keyring", keyring.error());
    sealer_ = std::make_unique<audit::KeyringChainSealer>(std::make_shared<const crypto::Keyring>(std::move(*keyring)));
    auto store = store::open_store("", dir_ / "data", *sealer_);
    if (!store) die("open store", store.error());
    store_ = std::move(*store);
    if (auto r = store_->migrate(); !r) die("migrate", r.error());
  }
  ~UsageWorld() {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  store::Store& store() { return *store_; }
  const core::Clock& clock() const { return clock_; }

 private:
  std::filesystem::path dir_;
  core::SystemClock clock_;
  std::unique_ptr<audit::KeyringChainSealer> sealer_;
  std::unique_ptr<store::Store> store_;
};

UsageWorld& world() {
  static UsageWorld w;
  return w;
}

// A gateway call as the chat route books it: a token-authenticated user, their own key.
gateway::KeyUse chat_use() {
  gateway::KeyUse use;
  use.caller.user_id = use.caller.actor_user_id = "0190f3c2-7e1a-7c3b-9a55-2f6e1d0c4b22";
  use.caller.token_id = "0190f3c2-7e1a-7c3b-9a55-2f6e1d0c4b33";
  use.caller.kind = store::ActorKind::token;
  use.caller.ip = "10.1.2.3";
  use.caller.user_agent = "OpenAI/Python 1.54.0";
  use.caller.request_id = "0190f3c2-7e1a-7c3b-9a55-2f6e1d0c4b44";
  use.key_id = "0190f3c2-7e1a-7c3b-9a55-2f6e1d0c4b11";
  use.key_owner_id = use.caller.user_id;
  use.provider = "openai";
  use.credential = "user";
  use.route = "chat";
  use.model = "gpt-4o-mini";
  use.http_status = 200;
  use.input_tokens = 12;
  use.output_tokens = 40;
  use.usage_reported = true;
  return use;
}

// Only the audit half: a batch of key.used events appended to the use chain in one transaction.
void BM_KeyUsedAppend(benchmark::State& state) {
  auto& w = world();
  const auto use = chat_use();
  for (auto _ : state) {
    std::vector<store::AuditEvent> events;
    events.reserve(kBatch);
    for (std::size_t i = 0; i < kBatch; ++i) {
      auto e = audit::new_event(w.clock(), "bench/use", "key.used", store::Outcome::success, use.caller);
      e.key_id = use.key_id;
      e.provider = use.provider;
      e.details_json = R"({"route":"chat","credential":"user","input_tokens":12,"output_tokens":40,"model":"gpt-4o-mini","http_status":200})";
      events.push_back(std::move(e));
    }
    if (auto r = w.store().append_audit(std::move(events)); !r) {
      state.SkipWithError("append failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_KeyUsedAppend)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The whole writer: record() a batch (of the argument's size) on this thread, then flush() it (pricing, summing, the usage
// upsert and the audit append), as the recorder's thread does.
void BM_UsageRecorderBatch(benchmark::State& state) {
  auto& w = world();
  const catalog::PriceTable prices;
  const auto batch = static_cast<std::size_t>(state.range(0));
  // One more than a batch: never full, so its own thread never flushes; flushed here only. (The
  // recorder reserves room for a batch, so "never" cannot be a huge number.)
  gateway::UsageRecorder recorder(w.store(), w.store(), w.clock(), prices, "bench/use",
                                  {.flush_interval = std::chrono::hours(1), .batch_size = batch + 1});
  const auto use = chat_use();
  for (auto _ : state) {
    for (std::size_t i = 0; i < batch; ++i) recorder.record(use);
    if (!recorder.flush()) {
      state.SkipWithError("flush failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
// The recorder's default batch, and smaller and larger ones for comparison.
BENCHMARK(BM_UsageRecorderBatch)->Arg(128)->Arg(kBatch)->Arg(2048)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
