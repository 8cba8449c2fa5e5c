#include "bench_seed.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "accounts/account_service.h"
#include "audit/event_builder.h"
#include "core/ids.h"
#include "vault/key_rules.h"
#include "vault/sealed_key.h"

namespace keyrelay::bench {
namespace {

using Load = std::vector<std::pair<store::KeyRecord, store::AuditEvent>>;

// Seals key `index` for `owner` as KeyService::create would (same record, same event).
core::Result<std::pair<store::KeyRecord, store::AuditEvent>> sealed_key(const crypto::Envelope& envelope,
                                                                        const core::Clock& clock,
                                                                        const store::UserRecord& owner,
                                                                        std::size_t index, store::TimePoint created) {
  const core::Secret secret(std::string_view(bench_secret(index)));
  store::KeyRecord key;
  key.id = core::uuid_v7(created);  // one millisecond per key: ids ascend in creation order, as in life
  key.owner_id = owner.id;
  key.provider = "openai";
  key.name = "k" + std::to_string(index);
  key.hint = vault::secret_hint(secret);
  key.created_at = key.updated_at = created;
  auto sealed = envelope.seal(secret, vault::binding_of(key), owner.salt);
  if (!sealed) return sealed.error();
  auto fingerprint = envelope.fingerprint(secret, owner.salt, sealed->master_version);
  if (!fingerprint) return fingerprint.error();
  key.fingerprint.assign(fingerprint->begin(), fingerprint->end());
  key.wrapped_data_key = std::move(sealed->wrapped_data_key);
  key.sealed_secret = std::move(sealed->sealed_secret);
  key.master_version = sealed->master_version;
  store::AuditEvent event =
      audit::new_event(clock, "bench/mgmt", "key.created", store::Outcome::success, audit::Actor::cli());
  event.key_id = key.id;
  event.key_owner_id = key.owner_id;
  event.provider = key.provider;
  return std::pair{std::move(key), std::move(event)};
}

// Seals keys [first, first + count) into `load` with `threads` threads.
core::Result<void> seal_chunk(const crypto::Envelope& envelope, const core::Clock& clock,
                              const std::vector<store::UserRecord>& users, std::size_t first, std::size_t count,
                              std::size_t threads, store::TimePoint epoch, Load& load) {
  load.assign(count, {});
  std::vector<core::Result<void>> results(threads, core::ok());
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < count; i += threads) {
        const std::size_t index = first + i;
        auto made = sealed_key(envelope, clock, users[index % users.size()], index,
                               epoch + std::chrono::milliseconds(index));
        if (!made) {
          results[t] = made.error();
          return;
        }
        load[i] = std::move(*made);
      }
    });
  }
  for (auto& w : workers) w.join();
  for (auto& r : results)
    if (!r) return r;
  return core::ok();
}

}  // namespace

std::string bench_secret(std::size_t index) {
  std::string number = std::to_string(index);
  return "sk-bench-" + std::string(55 - number.size(), '0') + number;
}

core::Result<std::vector<std::string>> seed(store::Store& store, const crypto::Envelope& envelope,
                                            const core::Clock& clock, const SeedOptions& options) {
  accounts::AccountService accounts(store, store, clock, "bench/mgmt");
  std::vector<store::UserRecord> users;
  for (std::size_t u = 0; u < options.users; ++u) {
    auto user = accounts.create_user(audit::Actor::cli(), {"bench-user-" + std::to_string(u), store::Role::user});
    if (!user) return user.error();
    users.push_back(std::move(*user));
  }
  // Keys "created" one millisecond apart, ending now.
  const store::TimePoint epoch = clock.now() - std::chrono::milliseconds(options.keys);
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t first = 0; first < options.keys; first += options.rows_per_transaction) {
    const std::size_t count = std::min(options.rows_per_transaction, options.keys - first);
    Load load;
    if (auto sealed = seal_chunk(envelope, clock, users, first, count, options.threads, epoch, load); !sealed)
      return sealed.error();
    if (auto inserted = store.insert_keys(std::move(load)); !inserted) return inserted.error();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "\rseeded %zu / %zu keys (%.0f keys/s)", first + count, options.keys,
                 static_cast<double>(first + count) / seconds);
  }
  std::fprintf(stderr, "\n");
  std::vector<std::string> ids;
  for (const auto& user : users) ids.push_back(user.id);
  return ids;
}

}  // namespace keyrelay::bench
