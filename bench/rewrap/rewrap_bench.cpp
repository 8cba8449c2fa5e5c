// rewrap_bench: how fast `keyrelay master-key rotate` moves every stored key onto a new master
// version (issue 13, item 7; target: 1,000,000 keys in ≤ 60 s on the 2-core bench machine).
//
// Seeds N keys (sealed with the real envelope, loaded in big transactions through the store of
// the database URL), makes a new master version the sealing one, and times vault::Rewrapper — the
// same step the rotate command runs last. Then checks that every key is on the new version and
// opens to its secret with the fingerprint recomputed. Prints keys/s and the total; exits 1 when
// the check fails. The engine is whatever store::open_store makes of the URL (sqlite:///… now;
// postgres://… once that engine exists): the database must be empty.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "audit/chain_sealer.h"
#include "bench_seed.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"
#include "store/open_store.h"
#include "vault/key_service.h"
#include "vault/rewrapper.h"
#include "vault/sealed_key.h"

namespace keyrelay::bench {
namespace {

namespace fs = std::filesystem;
using Seconds = std::chrono::duration<double>;

struct Options {
  std::string database_url;  // empty: a fresh SQLite file in a temp dir, removed afterwards
  SeedOptions seed;
  vault::RewrapOptions rewrap;
  bool verify = true;
  bool keep = false;
};

int fail(const std::string& what, const core::Error& error) {
  std::fprintf(stderr, "rewrap_bench: %s: %s\n", what.c_str(), error.message.c_str());
  return 1;
}

double since(std::chrono::steady_clock::time_point start) {
  return Seconds(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds (user + system, every thread) this process used so far.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds the whole machine spent busy so far (/proc/stat: all but idle and iowait), to show
// how much of it other processes took during a phase.
double machine_busy_seconds() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (f == nullptr) return 0;
  unsigned long long v[8] = {};
  const int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                            &v[6], &v[7]);
  std::fclose(f);
  if (n != 8) return 0;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / ticks;
}

// Every key is on `version`, opens to the secret it was seeded with, and carries the fingerprint
// of that secret under `version`.
core::Result<void> verify(store::Store& store, const crypto::Envelope& envelope, std::uint32_t version,
                          std::size_t expected) {
  auto rows = store.rows_by_master_version();
  if (!rows) return rows.error();
  if (rows->size() != 1 || !rows->contains(version) || rows->at(version) != static_cast<std::int64_t>(expected))
    return core::Error::internal("keys are left on other master versions");
  std::map<std::string, core::Bytes> salts;
  std::optional<std::string> after;
  std::size_t checked = 0;
  for (;;) {
    auto page = store.keys_after(after, 10'000);
    if (!page) return page.error();
    if (page->empty()) break;
    for (const auto& key : *page) {
      auto& salt = salts[key.owner_id];
      if (salt.empty()) {
        auto user = store.find_user(key.owner_id);
        if (!user) return user.error();
        salt = user->salt;
      }
      auto secret = envelope.open(vault::sealed_of(key), vault::binding_of(key), salt);
      if (!secret) return core::Error::internal("key " + key.name + " does not open: " + secret.error().message);
      const std::size_t index = std::stoul(key.name.substr(1));
      if (!secret->equals(core::Secret(std::string_view(bench_secret(index)))))
        return core::Error::internal("key " + key.name + " opens to another secret");
      auto fingerprint = envelope.fingerprint(*secret, salt, version);
      if (!fingerprint || !std::equal(fingerprint->begin(), fingerprint->end(), key.fingerprint.begin(),
                                      key.fingerprint.end()))
        return core::Error::internal("key " + key.name + " has a stale fingerprint");
      ++checked;
    }
    after = page->back().id;
  }
  if (checked != expected) return core::Error::internal("found " + std::to_string(checked) + " keys");
  return core::ok();
}

int run(const Options& options) {
  core::SystemClock clock;
  auto generated = crypto::Keyring::generate(clock.now());
  if (!generated) return fail("keyring", generated.error());
  auto keyring = std::make_shared<const crypto::Keyring>(std::move(*generated));
  crypto::Envelope envelope(keyring);
  audit::KeyringChainSealer sealer(keyring);

  std::optional<fs::path> temp;
  std::string url = options.database_url;
  if (url.empty()) {
    temp = fs::temp_directory_path() / ("keyrelay-rewrap-bench-" + std::to_string(::getpid()));
    fs::create_directories(*temp);
    url = "sqlite://" + (*temp / "bench.db").string();
  }
  const auto cleanup = [&] {
    if (temp && !options.keep) fs::remove_all(*temp);
    else if (temp) std::fprintf(stderr, "kept %s\n", temp->c_str());
  };
  auto opened = store::open_store(url, {}, sealer);
  if (!opened) return cleanup(), fail("opening the store", opened.error());
  auto& store = **opened;
  if (auto migrated = store.migrate(); !migrated) return cleanup(), fail("migrating", migrated.error());
  if (auto empty = store.is_empty(); !empty || !*empty)
    return cleanup(), fail("the database", core::Error::conflict("it is not empty; give an empty one"));

  const std::string engine = url.substr(0, url.find(':'));
  std::printf("rewrap_bench: %zu keys of %zu users on %s, %u cores\n", options.seed.keys, options.seed.users,
              engine.c_str(), std::thread::hardware_concurrency());
  auto seed_start = std::chrono::steady_clock::now();
  if (auto seeded = seed(store, envelope, clock, options.seed); !seeded) return cleanup(), fail("seeding", seeded.error());
  const double seed_seconds = since(seed_start);
  std::printf("seed:    %zu keys in %.1f s (%.0f keys/s)\n", options.seed.keys, seed_seconds,
              static_cast<double>(options.seed.keys) / seed_seconds);

  // The rotation itself: version 2 becomes the sealing version (the command's steps 1–4, without
  // servers to wait for).
  auto pending = keyring->with_new_pending_version(clock.now());
  if (!pending) return cleanup(), fail("rotating", pending.error());
  const std::uint32_t to = pending->versions().back().version;
  auto active = pending->with_activated(to);
  if (!active) return cleanup(), fail("rotating", active.error());
  keyring = std::make_shared<const crypto::Keyring>(std::move(*active));
  envelope.replace_keyring(keyring);
  sealer.replace_keyring(keyring);

  auto catalog = catalog::Catalog::builtin();
  if (!catalog) return cleanup(), fail("catalog", catalog.error());
  vault::KeyService keys(store, store, store, envelope, std::make_shared<const catalog::Catalog>(std::move(*catalog)),
                         clock, "bench/mgmt");
  audit::Actor cli = audit::Actor::cli();
  vault::Rewrapper rewrapper(store, store, store, envelope, keys, options.rewrap);
  const auto rewrap_start = std::chrono::steady_clock::now();
  const double cpu_before = cpu_seconds();
  const double machine_before = machine_busy_seconds();
  auto report = rewrapper.run(cli, to);
  const double rewrap_seconds = since(rewrap_start);
  const double cpu = cpu_seconds() - cpu_before;
  const double others = std::max(0.0, machine_busy_seconds() - machine_before - cpu);
  if (!report) return cleanup(), fail("re-wrapping", report.error());
  const double rate = static_cast<double>(report->rewrapped) / rewrap_seconds;
  std::printf("rewrap:  %zu keys in %.2f s = %.0f keys/s (%.1f s per million; target <= 60 s: %s)\n",
              report->rewrapped, rewrap_seconds, rate, 1e6 / rate, 1e6 / rate <= 60.0 ? "met" : "NOT met");
  const double cores = std::thread::hardware_concurrency();
  std::printf("         batch %zu, %zu writers, %zu crypto threads; this process %.1f CPU s (%.1f us per key), other "
              "processes (a local database server included) %.0f %% of the machine meanwhile\n",
              options.rewrap.batch_size, options.rewrap.writers,
              options.rewrap.threads ? options.rewrap.threads : std::thread::hardware_concurrency(), cpu,
              report->rewrapped ? cpu * 1e6 / static_cast<double>(report->rewrapped) : 0.0,
              100.0 * others / (rewrap_seconds * cores));

  int status = 0;
  if (report->rewrapped != options.seed.keys || !report->failed_key_ids.empty()) {
    std::printf("rewrap:  expected %zu keys re-wrapped and none failed\n", options.seed.keys);
    status = 1;
  }
  if (options.verify) {
    const auto verify_start = std::chrono::steady_clock::now();
    if (auto checked = verify(store, envelope, to, options.seed.keys); !checked) {
      std::printf("verify:  FAILED: %s\n", checked.error().message.c_str());
      status = 1;
    } else {
      std::printf("verify:  every key opens under version %u with its fingerprint recomputed (%.1f s)\n", to,
                  since(verify_start));
    }
  }
  opened->reset();
  cleanup();
  return status;
}

}  // namespace
}  // namespace keyrelay::bench

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is measured, also into a file
  keyrelay::bench::Options options;
  CLI::App app{"Times the master-key re-wrap of N seeded keys (issue 13, item 7)", "rewrap_bench"};
  app.add_option("--keys", options.seed.keys, "keys to seed and re-wrap")->capture_default_str();
  app.add_option("--users", options.seed.users, "owners the keys are spread over")->capture_default_str();
  app.add_option("--database-url", options.database_url,
                 "an empty database (sqlite:///path, postgres://…); default: a temp SQLite file")
      ->envname("KEYRELAY_DATABASE_URL");
  app.add_option("--batch", options.rewrap.batch_size, "keys per re-wrap transaction")->capture_default_str();
  app.add_option("--threads", options.rewrap.threads, "re-wrap crypto threads")->capture_default_str();
  app.add_option("--writers", options.rewrap.writers, "re-wrap batches written at once")->capture_default_str();
  app.add_option("--seed-rows", options.seed.rows_per_transaction, "keys per seeding transaction")
      ->capture_default_str();
  app.add_flag("!--no-verify", options.verify, "skip opening every key afterwards");
  app.add_flag("--keep", options.keep, "keep the temp SQLite database");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (options.seed.keys == 0 || options.seed.users == 0) {
    std::fprintf(stderr, "rewrap_bench: --keys and --users must be positive\n");
    return 2;
  }
  return keyrelay::bench::run(options);
}
