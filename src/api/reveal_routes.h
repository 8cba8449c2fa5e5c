#pragma once
// POST /api/v1/keys/{id}/reveal (API.md, round 2): a trusted service that must hold a user's key
// itself gets the plaintext once per call — {"id","provider","secret"} — with a token that carries
// the keys:reveal scope and lists the key's provider (reveal_grant.h). Such a token is issued only
// by an admin and never by default. Each call is charged to the token's reveal limit
// (KEYRELAY_RATE_LIMIT_REVEALS), audited as key.revealed (never the secret), and raises a
// key.revealed alert to the key's owner.

#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_reveal_routes(http::Router& router, Services& services);

}  // namespace keyrelay::api
