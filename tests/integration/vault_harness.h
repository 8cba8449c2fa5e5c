#pragma once
// A keyrelay vault for one test: a data dir initialized with `keyrelay init --json`, the real
// `keyrelay serve` on it, and the identities (users with access tokens) a test needs. Users and
// tokens are made with the command line, exactly as an operator would, while the server runs.
// Every response received through call()/send() is kept in a transcript, so a test can scan all
// of them afterwards (no stored secret may ever appear in one). Not thread-safe.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/keyrelay_command.h"
#include "support/keyrelay_server.h"
#include "support/temp_dir.h"

namespace keyrelay::test {

// A user and one access token of theirs.
struct Identity {
  std::string user_id;
  std::string name;
  std::string token;     // "kr_…", sent as the bearer
  std::string token_id;  // the Token resource id
};

class VaultServer {
 public:
  struct Options {
    // Extra server environment (KEYRELAY_JWT_SECRET …), added to the defaults below.
    Environment env;
    // Environment of the server AND of every cli() command: where the shared database, keyring
    // and Redis are when several nodes run on one store (KEYRELAY_DATABASE_URL …).
    Environment shared_env;
    // Another node of a store that is initialized already: skip `init` and act for its admin.
    std::optional<Identity> joins;
    // The server serves TLS (KEYRELAY_TLS_* in env) with a certificate from this CA: requests
    // go over TLS (KeyrelayServer::Options::tls_ca).
    std::optional<std::filesystem::path> tls_ca;
  };

  // Initializes a fresh data dir (admin user "admin" with an all-scopes token) — unless the
  // options join an initialized store — and starts the server on it. Throws std::runtime_error
  // with the output when either step fails.
  explicit VaultServer(Options options);
  VaultServer() : VaultServer(Options{}) {}

  KeyrelayServer& server() { return *server_; }
  bool is_running() const { return server_.has_value(); }
  const Identity& admin() const { return admin_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::filesystem::path database_file() const { return data_dir_ / "keyrelay.db"; }
  // Logs of every server this vault has run, the current one last.
  std::string logs() const;

  // SIGTERM and wait; the data dir stays. start() runs a new server on the same data.
  void stop();
  void start();

  // `keyrelay <args…>` against this data dir (the server may be running).
  CommandResult cli(const std::vector<std::string>& args) const;
  // The environment cli() runs commands in: the data dir and the shared store's settings.
  Environment cli_env() const;
  // `user add NAME [--admin] --json` + `token issue --user NAME [--scopes …] --json`.
  Identity add_user(const std::string& name, bool admin = false,
                    const std::optional<std::string>& scopes = std::nullopt) const;
  // Another token for an existing user.
  Identity issue_token(const Identity& user, const std::optional<std::string>& scopes) const;

  // One request with `who`'s bearer token, a JSON Content-Type when there is a body (unless
  // `extra` sets one) and a fixed User-Agent (unless `extra` sets one).
  HttpResponse call(const Identity& who, std::string_view method, std::string_view target, std::string_view body = {},
                    const HeaderList& extra = {});
  // One request with exactly `headers` (no token added).
  HttpResponse send(std::string_view method, std::string_view target, const HeaderList& headers,
                    std::string_view body = {});

  // Every response received so far, head and body, in order.
  const std::vector<std::string>& transcript() const { return transcript_; }

 private:
  HttpResponse record(HttpResponse response);

  TempDir root_;
  std::filesystem::path data_dir_;
  Environment shared_env_;
  Environment server_env_;
  std::optional<std::filesystem::path> tls_ca_;
  Identity admin_;
  std::optional<KeyrelayServer> server_;
  std::string old_logs_;
  std::vector<std::string> transcript_;
};

// The environment every vault server gets: generous rate limits (API.md defaults of 10
// mutations a minute would throttle these tests, which are about other things).
Environment vault_server_env();

// The User-Agent call() sends.
inline constexpr std::string_view kVaultTestUserAgent = "keyrelay-vault-tests/1.0";

// `text` as JSON; throws std::runtime_error naming it when it is not valid JSON.
boost::json::value json_of(std::string_view text);
// The body of `response` as a JSON object; throws when it is not one.
boost::json::object object_of(const HttpResponse& response);

// A JSON string literal for `text` (quotes and escapes included).
std::string quoted(std::string_view text);

// `length` random characters of the base64url alphabet.
std::string random_base64url(std::size_t length);
// A distinctive, valid-looking secret: `prefix` + 40 random base64url characters.
std::string make_secret(std::string_view prefix = "sk-proj-");

}  // namespace keyrelay::test
