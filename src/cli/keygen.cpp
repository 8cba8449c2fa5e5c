#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "core/encoding.h"
#include "core/secret.h"
#include "crypto/aead.h"
#include "crypto/keyring.h"
#include "crypto/random.h"

namespace keyrelay::cli {

namespace {

int write_keyring(const std::filesystem::path& file) {
  auto keyring = crypto::Keyring::generate(std::chrono::system_clock::now());
  auto saved = keyring ? keyring->save_new(file) : core::Result<void>(keyring.error());
  if (!saved) {
    std::cerr << "keyrelay keygen: " << saved.error().message << "\n";
    return 1;
  }
  std::cout << "wrote a new keyring (version 1 active) to " << file.string() << "\n";
  return 0;
}

}  // namespace

int run_keygen(const GlobalOptions&, const std::optional<std::filesystem::path>& keyring_file) {
  if (keyring_file) return write_keyring(*keyring_file);
  auto key = crypto::random_secret(crypto::kAeadKeySize);
  if (!key) {
    std::cerr << "keyrelay keygen: " << key.error().message << "\n";
    return 1;
  }
  std::string text = core::base64_encode(key->reveal());
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  core::wipe_memory(text.data(), text.size());
  return 0;
}

}  // namespace keyrelay::cli
