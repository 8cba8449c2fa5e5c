#include "vault/rewrapper.h"

#include <algorithm>
#include <deque>
#include <future>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/work_pool.h"
#include "vault/sealed_key.h"

namespace keyrelay::vault {
namespace {

using store::KeyRecord;
using store::RewrappedKey;

// One run's state: what failed so far, the owners' salts, the crypto threads.
class Run {
 public:
  Run(const audit::Actor& caller, std::uint32_t to, store::UserStore& users, const crypto::Envelope& envelope,
      KeyService& keys, std::size_t threads)
      : caller_(caller), to_(to), users_(users), envelope_(envelope), keys_(keys), pool_(threads) {}

  bool failed(const std::string& id) const { return failed_.contains(id); }
  std::size_t failed_count() const { return failed_.size(); }
  std::vector<std::string> take_failed_ids() { return std::move(failed_ids_); }

  // The moves for the rows of `page` that are not on the target version yet (failed ones left
  // out). A row that does not re-wrap goes the slow way (open_secret): tampered → recorded as
  // failed; anything else that does not clear → the run's error.
  core::Result<std::vector<RewrappedKey>> moves_for(const std::vector<KeyRecord>& page) {
    std::vector<const KeyRecord*> todo;
    for (const auto& key : page)
      if (key.master_version != to_ && !failed(key.id)) todo.push_back(&key);
    for (const KeyRecord* key : todo) {
      if (auto salt = load_salt(key->owner_id); !salt) return salt.error();
    }
    // The salts are all loaded: the workers only read the map.
    std::vector<std::optional<core::Result<crypto::VerifiedRewrap>>> done(todo.size());
    pool_.for_each_index(todo.size(), [&](std::size_t i) {
      const KeyRecord& key = *todo[i];
      done[i].emplace(envelope_.rewrap_verified(sealed_of(key), binding_of(key), salts_.at(key.owner_id), to_));
    });
    std::vector<RewrappedKey> moves;
    moves.reserve(todo.size());
    for (std::size_t i = 0; i < todo.size(); ++i) {
      const KeyRecord& key = *todo[i];
      auto& rewrapped = *done[i];
      if (!rewrapped) {
        auto retried = slow_path(key);
        if (!retried) return retried.error();
        if (!*retried) continue;  // tampered: recorded, left where it is
        rewrapped = std::move(**retried);
      }
      moves.push_back({key.id, key.master_version, key.version, to_, std::move(rewrapped->sealed.wrapped_data_key),
                       core::Bytes(rewrapped->fingerprint.begin(), rewrapped->fingerprint.end())});
    }
    return moves;
  }

 private:
  core::Result<void> load_salt(const std::string& owner_id) {
    if (salts_.contains(owner_id)) return core::ok();
    auto user = users_.find_user(owner_id);
    if (!user) return user.error();
    salts_.emplace(owner_id, std::move(user->salt));
    return core::ok();
  }

  // A key the fast path could not re-wrap. KeyService::open_secret decides what it was: tampered
  // (it audits key.decrypt_failed and marks the key invalid itself; nullopt here), a master
  // version this process had not loaded (it reloads the keyring), or a transient failure (the
  // run's error, as before). When it opens now, the re-wrap is tried once more.
  core::Result<std::optional<crypto::VerifiedRewrap>> slow_path(const KeyRecord& key) {
    auto secret = keys_.open_secret(caller_, key);
    if (!secret) {
      if (secret.error().code != core::Errc::internal) return secret.error();
      failed_.insert(key.id);
      failed_ids_.push_back(key.id);
      return std::optional<crypto::VerifiedRewrap>();
    }
    auto again = envelope_.rewrap_verified(sealed_of(key), binding_of(key), salts_.at(key.owner_id), to_);
    if (!again) return again.error();
    return std::optional<crypto::VerifiedRewrap>(std::move(*again));
  }

  const audit::Actor& caller_;
  const std::uint32_t to_;
  store::UserStore& users_;
  const crypto::Envelope& envelope_;
  KeyService& keys_;
  core::WorkPool pool_;
  std::unordered_map<std::string, core::Bytes> salts_;  // salts never change: one read per owner
  std::unordered_set<std::string> failed_;
  std::vector<std::string> failed_ids_;
};

}  // namespace

core::Result<RewrapReport> Rewrapper::run(const audit::Actor& caller, std::uint32_t to_version) {
  if (envelope_.keyring()->active_version() != to_version)
    return core::Error::invalid_request("version " + std::to_string(to_version) + " is not the sealing version");
  const std::size_t batch = std::max<std::size_t>(1, options_.batch_size);
  // However the run ends, the store lets go of what it held for it (after the futures below).
  struct EndRewrap {
    store::RotationStore& rotation;
    ~EndRewrap() { rotation.end_rewrap(); }
  } end_rewrap{rotation_};
  Run state(caller, to_version, users_, envelope_, keys_, options_.threads);
  RewrapReport report;

  // 1. The sweep: page k+1 is read while batch k's crypto runs, and up to `writers` earlier
  // batches are being written meanwhile (each on a connection of its own: PostgreSQL runs them on
  // several cores; SQLite queues them on its one writer). The futures are declared after
  // everything they use, so an early return waits for them first.
  using Page = core::Result<std::vector<KeyRecord>>;
  const auto read_after = [this, batch](std::optional<std::string> after) {
    return std::async(std::launch::async, [this, batch, after = std::move(after)]() -> Page {
      return inventory_.keys_after(after, batch);
    });
  };
  const std::size_t writers = std::max<std::size_t>(1, options_.writers);
  std::deque<std::future<core::Result<std::size_t>>> writing;
  // Waits for the oldest write in flight (all of them when `all`); the first error found.
  const auto settle = [&](bool all) -> core::Result<void> {
    core::Result<void> outcome = core::ok();
    while (!writing.empty() && (all || writing.size() >= writers)) {
      auto changed = writing.front().get();
      writing.pop_front();
      if (!changed && outcome) outcome = changed.error();
      if (changed) report.rewrapped += *changed;
    }
    return outcome;
  };
  std::future<Page> next = read_after(std::nullopt);
  for (;;) {
    auto page = next.get();
    if (!page) {
      (void)settle(true);
      return page.error();
    }
    const bool last = page->size() < batch;
    if (!last) next = read_after(page->back().id);
    auto moves = state.moves_for(*page);
    if (!moves) {
      (void)settle(true);
      return moves.error();
    }
    if (auto w = settle(false); !w) {
      (void)settle(true);
      return w.error();
    }
    if (!moves->empty()) {
      writing.push_back(
          std::async(std::launch::async, [this, m = std::move(*moves)] { return rotation_.rewrap_keys(m); }));
    }
    if (last) break;
  }
  if (auto w = settle(true); !w) return w.error();

  // 2. What the sweep left on another version: rows changed meanwhile, and keys a server still
  // sealing with the old version added behind it. Until only failed ones are left.
  for (;;) {
    auto rest = rotation_.keys_not_on_version(to_version, batch + state.failed_count());
    if (!rest) return rest.error();
    const bool any = std::any_of(rest->begin(), rest->end(), [&](const KeyRecord& k) { return !state.failed(k.id); });
    if (!any) break;
    auto moves = state.moves_for(*rest);
    if (!moves) return moves.error();
    auto changed = rotation_.rewrap_keys(*moves);
    if (!changed) return changed.error();
    report.rewrapped += *changed;
  }
  report.failed_key_ids = state.take_failed_ids();
  return report;
}

}  // namespace keyrelay::vault
