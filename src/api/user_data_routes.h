#pragma once
// A user's own data (API.md, round 2): everything keyrelay holds about a user as one JSON document
// (user_export.h), and deleting the user with all their keys, tokens, usage, alerts and caps.
//   GET    /api/v1/users/{id}/export   admin
//   DELETE /api/v1/users/{id}          admin; 409 for the last admin
//   GET    /api/v1/me/export           the caller's own (keys:read)
//   DELETE /api/v1/me                  the caller itself (keys:write); 409 for the last admin
// Acting on behalf of a user (act_as) does neither: like tokens, the account is the user's own
// business. Both are audited (user.exported before the first byte, user.deleted with the delete).

#include "accounts/account_service.h"
#include "accounts/user_data_service.h"
#include "api/services.h"
#include "api/user_export.h"
#include "http/router.h"

namespace keyrelay::api {

struct UserDataDeps {
  accounts::AccountService& accounts;
  accounts::UserDataService& user_data;
  UserExportSources sources;
};

void add_user_data_routes(http::Router& router, Services& services, UserDataDeps deps);

}  // namespace keyrelay::api
