#pragma once
// What happens when a provider's verdict is that a key is not valid: its validation state becomes
// `invalid` (audited as key.validated in the same transaction) and its owner is alerted
// (key.invalid). Used by the fallback loop for a user's own key on /v1 and by the re-check
// (key_recheck.h) for every other refusal.

#include <string>
#include <string_view>

#include "api/services.h"
#include "audit/actor.h"
#include "catalog/catalog.h"
#include "store/records.h"

namespace keyrelay::api {

// Blocking (store): call it on the worker pool. The verdict is about `key.version`: a key rotated
// since keeps its new secret (nothing is written, no alert). `source` says who decided ("gateway",
// "recheck"); `message` is already redacted. Failures are logged: the key stays as it was.
void record_rejection(Services& services, const audit::Actor& caller, const catalog::Provider& provider,
                      const store::KeyRecord& key, int http_status, const std::string& message, std::string_view source);

}  // namespace keyrelay::api
