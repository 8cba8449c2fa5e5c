#include "cli/keyring_setup.h"

#include <filesystem>

#include "logging/log.h"

namespace keyrelay::cli {
namespace {

namespace fs = std::filesystem;

core::Result<std::shared_ptr<const crypto::Keyring>> share(core::Result<crypto::Keyring>&& r) {
  if (!r) return std::move(r).error();
  return std::make_shared<const crypto::Keyring>(std::move(*r));
}

}  // namespace

core::Result<std::shared_ptr<const crypto::Keyring>> prepare_keyring(const config::Config& config) {
  if (config.master_key) {
    auto r = crypto::Keyring::from_master_key(config.master_key->reveal_text());
    if (!r) return core::Error::invalid_request("KEYRELAY_MASTER_KEY: " + r.error().message);
    return share(std::move(r));
  }
  if (config.keyring_file) return share(crypto::Keyring::load_file(*config.keyring_file));

  // Zero-config default: a keyring beside the data. Convenient, but whoever copies the data dir
  // gets the key too, so say so.
  const fs::path path = config.data_dir / "keyring.toml";
  std::error_code ec;
  if (fs::exists(path, ec)) {
    logging::warn("using the keyring in the data directory; keep the keyring apart from the database in production",
                  {{"keyring_file", path.string()}});
    return share(crypto::Keyring::load_file(path));
  }
  fs::create_directories(config.data_dir, ec);
  if (ec) return core::Error::unavailable("cannot create the data directory " + config.data_dir.string() + ": " + ec.message());
  fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  auto generated = crypto::Keyring::generate(std::chrono::system_clock::now());
  if (!generated) return generated.error();
  if (auto saved = generated->save_new(path); !saved) return saved.error();
  logging::warn("created a new keyring in the data directory; keep the keyring apart from the database in production",
                {{"keyring_file", path.string()}});
  return share(std::move(generated));
}

}  // namespace keyrelay::cli
