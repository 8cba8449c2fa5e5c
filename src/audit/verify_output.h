#pragma once
// How `keyrelay audit verify` prints a VerifyReport: text for people, JSON for scripts (API.md,
// "Command line"). Pure functions; thread-safe.

#include <boost/json/object.hpp>
#include <string>

#include "audit/verifier.h"

namespace keyrelay::audit {

// One line per chain, then a summary line, e.g.
//   a1b2c3d4e5f6/mgmt: 12 events, ok
//   a1b2c3d4e5f6/use: 40 events, first bad event seq 7 (0190…): hash mismatch
//   audit log NOT verified: 1 of 2 chains has a bad event
// or "audit log verified: 2 chains, 52 events". Ends with a newline.
std::string render_verify_text(const VerifyReport& report);

// {"ok": bool, "chains": [{"chain", "events", "first_bad": {"id", "seq", "reason"} | null}]}
boost::json::object render_verify_json(const VerifyReport& report);

}  // namespace keyrelay::audit
