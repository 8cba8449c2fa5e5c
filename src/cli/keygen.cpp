#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "core/encoding.h"
#include "core/secret.h"
#include "crypto/aead.h"
#include "crypto/random.h"

namespace keyrelay::cli {

int run_keygen(const GlobalOptions&) {
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
