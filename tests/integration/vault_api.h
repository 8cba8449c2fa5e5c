#pragma once
// The vault's management API as the tests use it: create a key, walk a paginated collection,
// read the audit trail, and check the API.md shapes of Key, Provider and audit event.
// Helpers that need a particular answer throw std::runtime_error (with the response) otherwise;
// gtest reports that as a failure of the calling test.

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vault_harness.h"

namespace keyrelay::test {

// `o` serialized.
std::string body_of(const boost::json::object& o);

// `text` percent-encoded for a query value (everything but RFC 3986 unreserved characters).
std::string url_encode(std::string_view text);

// The string field `name` of `o`; "" when absent or not a string.
std::string str(const boost::json::object& o, std::string_view name);

// POST `path` {"provider","name","secret", …extra} → the created Key; throws unless 201.
boost::json::object create_key(VaultServer& vault, const Identity& who, std::string_view provider,
                               std::string_view name, std::string_view secret, const boost::json::object& extra = {},
                               std::string_view path = "/api/v1/keys");

// GET `target` as `who` → the Key; throws unless 200.
boost::json::object get_key(VaultServer& vault, const Identity& who, std::string_view target);

// Follows next_cursor from GET `target` (which may carry a query) until it is null and returns
// every item of every page in order. Throws on a non-200 answer, a malformed page, or a cursor
// loop (more than `max_pages` pages).
std::vector<boost::json::object> list_all(VaultServer& vault, const Identity& who, std::string_view target,
                                          std::size_t max_pages = 1000);

// The "data" of one GET `target` page; throws unless 200.
std::vector<boost::json::object> list_page(VaultServer& vault, const Identity& who, std::string_view target);

// The "id" of each object.
std::vector<std::string> ids_of(const std::vector<boost::json::object>& items);
bool contains_id(const std::vector<boost::json::object>& items, std::string_view id);

// Every audit event `who` may see with the given query ("action=key.read&…", may be empty).
std::vector<boost::json::object> audit_events(VaultServer& vault, const Identity& who, std::string_view query = {});

// The Key shape of API.md: exactly its fields (plus the `enabled` extension), each of its type,
// owner/status/validation.state from their sets, and never anything named like a secret.
::testing::AssertionResult is_key_shape(const boost::json::object& key);
// The Provider shape of API.md.
::testing::AssertionResult is_provider_shape(const boost::json::object& provider);
// The audit event shape of API.md's Contract details.
::testing::AssertionResult is_audit_event_shape(const boost::json::object& event);

// `{"data":[…],"next_cursor":string|null}`.
::testing::AssertionResult is_collection(const HttpResponse& response);

// A time `days` from now, as RFC 3339 UTC.
std::string rfc3339_in_days(int days);

}  // namespace keyrelay::test
