#pragma once
// FernetOpener: decrypts the secrets of a Fernet-encrypted store (shared/import-fernet.md) for
// `keyrelay import fernet`. Each user's Fernet key is PBKDF2-HMAC-SHA256(master secret, salt,
// iterations); in the envelope scheme that key unwraps the row's own data key, which opens the
// secret. A derivation is slow on purpose (100,000 iterations: tens of milliseconds), so each
// (salt, iterations) is derived once per opener and kept — in a Secret — for its other rows.
//
// Not thread-safe (one import runs rows in order). Holds the master secret and the derived keys
// until destroyed, wiped then.

#include <cstdint>
#include <map>
#include <utility>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "vault/fernet_row.h"

namespace keyrelay::vault {

class FernetOpener {
 public:
  // `master` is the PBKDF2 password exactly as the source system used it (read_master_secret()).
  FernetOpener(core::Secret master, FernetScheme scheme) : master_(std::move(master)), scheme_(scheme) {}

  // The row's plaintext secret. invalid_request naming the part at fault ("token: …", "data_key: …")
  // with crypto/fernet.h's reason: a wrong master secret, salt or iterations shows as an HMAC
  // mismatch. Never contains plaintext.
  core::Result<core::Secret> open(const FernetRow& row);

  // Derivations run so far (one per distinct salt and iteration count).
  std::size_t derivations() const noexcept { return keys_.size(); }

 private:
  core::Result<const core::Secret*> user_key(const FernetRow& row);

  core::Secret master_;
  FernetScheme scheme_;
  std::map<std::pair<core::Bytes, std::uint32_t>, core::Secret> keys_;
};

// The master secret as those systems hold it: the file's bytes with trailing whitespace (a final
// newline) removed, used as is (not base64-decoded). invalid_request when the file cannot be read
// or holds nothing but whitespace. The bytes go straight into a Secret.
core::Result<core::Secret> read_master_secret(const std::string& path);

}  // namespace keyrelay::vault
