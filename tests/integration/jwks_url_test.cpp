// JWT keys from a JWKS URL (KEYRELAY_JWT_JWKS_URL, issue 16 item 5) through the real binary,
// against a key set server the test owns (jwks_server.py) that rotates its key: a token signed
// with the new key is accepted after the rotation (the unknown kid makes keyrelay fetch the set
// again), the old key's tokens stop working once the set no longer has it, and the server going
// down keeps the last good set working. Keys and tokens are made by PyJWT.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "support/deadline.h"
#include "support/keyrelay_command.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kIssuer = "https://id.example.test/";
constexpr std::string_view kAudience = "keyrelay-jwks-tests";

// For each kid in argv[1] (JSON list): a fresh RSA key, its public JWK under that kid, and a token
// for subject "sub-<kid>" signed with it. A kid "forged-<x>" gets a token signed by a key that is
// published nowhere. Prints {"<kid>": {"jwk": {...}, "token": "..."}, ...}.
constexpr std::string_view kMintScript = R"py(
import json, sys, time
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
iss, aud, kids = sys.argv[2], sys.argv[3], json.loads(sys.argv[1])
now = int(time.time())
out = {}
for kid in kids:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    claims = {"iss": iss, "aud": aud, "sub": "sub-" + kid, "iat": now, "exp": now + 900}
    out[kid] = {"jwk": jwk, "token": jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})}
print(json.dumps(out))
)py";

struct SigningKey {
  json::object jwk;
  std::string token;
};

std::map<std::string, SigningKey> mint_keys(const std::vector<std::string>& kids) {
  TempDir dir;
  json::array list(kids.begin(), kids.end());
  Process python({"/usr/bin/python3", "-c", std::string(kMintScript), json::serialize(list), std::string(kIssuer),
                  std::string(kAudience)},
                 {}, dir.path(), dir.path());
  if (python.wait_for_exit(deadline_in(30s)) != 0) throw std::runtime_error("minting failed:\n" + python.output_text());
  std::map<std::string, SigningKey> keys;
  const json::value printed = json::parse(python.stdout_text());
  for (const auto& [kid, minted] : printed.as_object())
    keys[std::string(kid)] = {minted.at("jwk").as_object(), std::string(minted.at("token").as_string())};
  return keys;
}

// The key set server: jwks_server.py serving `keys.json` in its own temp dir.
class JwksServer {
 public:
  JwksServer() { publish({}); start(); }

  // Replaces the published set (atomically: a fetch never sees half a file).
  void publish(const std::vector<const SigningKey*>& keys) {
    json::array list;
    for (const auto* k : keys) list.push_back(k->jwk);
    publish_text(json::serialize(json::object{{"keys", std::move(list)}}));
  }
  void publish_text(std::string_view text) {
    dir_.write_file("keys.json.tmp", text);
    std::filesystem::rename(dir_ / "keys.json.tmp", dir_ / "keys.json");
  }
  void start() {
    std::filesystem::remove(dir_ / "port");
    process_.emplace(std::vector<std::string>{"/usr/bin/python3",
                                              std::string(KEYRELAY_INTEGRATION_DIR) + "/jwks_server.py",
                                              (dir_ / "keys.json").string(), (dir_ / "port").string()},
                     Environment{}, dir_.path(), dir_.path());
    if (!poll_until(deadline_in(10s), [&] { return !read_file_or_empty(dir_ / "port").empty(); }))
      throw std::runtime_error("the JWKS server did not start:\n" + process_->output_text());
    port_ = read_file_or_empty(dir_ / "port");
  }
  void stop() {
    process_->send_signal(SIGKILL);
    process_->wait_for_exit(deadline_in(10s));
  }
  std::string url(std::string_view path = "/jwks.json") const { return "http://127.0.0.1:" + port_ + std::string(path); }
  // GET requests served so far.
  int fetches() const {
    const std::string log = process_->stdout_text();
    int n = 0;
    for (auto at = log.find("GET /jwks.json"); at != std::string::npos; at = log.find("GET /jwks.json", at + 1)) ++n;
    return n;
  }

 private:
  TempDir dir_;
  std::optional<Process> process_;
  std::string port_;
};

Environment jwt_env(const JwksServer& jwks) {
  return {{"KEYRELAY_JWT_JWKS_URL", jwks.url()},
          {"KEYRELAY_JWT_ISSUER", std::string(kIssuer)},
          {"KEYRELAY_JWT_AUDIENCE", std::string(kAudience)}};
}

Identity bearer(const SigningKey& key) { return Identity{"", "", key.token, ""}; }

int status_with(VaultServer& vault, const SigningKey& key) {
  return vault.call(bearer(key), "GET", "/api/v1/keys").status;
}

TEST(JwksUrl, AnUnknownKidIsLookedUpAtMostOnceAMinute) {
  auto keys = mint_keys({"key-2026", "key-2027"});
  const SigningKey& old_key = keys.at("key-2026");
  const SigningKey& new_key = keys.at("key-2027");
  JwksServer jwks;
  jwks.publish({&old_key});
  VaultServer vault({.env = jwt_env(jwks)});
  EXPECT_EQ(jwks.fetches(), 1) << "fetched at start";
  EXPECT_NE(vault.logs().find("JWKS fetched"), std::string::npos) << vault.logs();

  ASSERT_EQ(status_with(vault, old_key), 200);
  EXPECT_EQ(status_with(vault, new_key), 401) << "not published yet";
  EXPECT_EQ(jwks.fetches(), 2) << "the unknown kid was looked up once";

  // The provider rotates: the set now holds only the new key. Within the minute of the last
  // unknown-kid fetch the new key is not looked up again...
  jwks.publish({&new_key});
  EXPECT_EQ(status_with(vault, new_key), 401);
  EXPECT_EQ(jwks.fetches(), 2) << "at most one unknown-kid fetch a minute";
  EXPECT_EQ(status_with(vault, old_key), 200) << "the set in use still has the old key";
}

TEST(JwksUrl, TokensOfTheNewKeyWorkRightAfterARotationAndTheOldKeysStop) {
  auto keys = mint_keys({"key-a", "key-b"});
  const SigningKey& old_key = keys.at("key-a");
  const SigningKey& new_key = keys.at("key-b");
  JwksServer jwks;
  jwks.publish({&old_key});
  VaultServer vault({.env = jwt_env(jwks)});
  ASSERT_EQ(status_with(vault, old_key), 200);

  jwks.publish({&new_key});
  EXPECT_EQ(status_with(vault, new_key), 200) << "the unknown kid fetched the rotated set";
  EXPECT_EQ(jwks.fetches(), 2);
  EXPECT_EQ(status_with(vault, old_key), 401) << "the set no longer has the old key";
  EXPECT_EQ(jwks.fetches(), 2) << "and asking again within the minute fetches nothing";

  // The key set server goes down: the last good set keeps working.
  jwks.stop();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(status_with(vault, new_key), 200);
  EXPECT_EQ(status_with(vault, old_key), 401);
}

TEST(JwksUrl, AFailedFetchKeepsTheLastGoodSetAndWarnsWithoutTheUrlPath) {
  auto keys = mint_keys({"kept", "forged"});
  JwksServer jwks;
  jwks.publish({&keys.at("kept")});
  VaultServer vault({.env = jwt_env(jwks)});
  ASSERT_EQ(status_with(vault, keys.at("kept")), 200);

  jwks.stop();
  // An unknown kid while the server is down: the fetch fails, the token is refused...
  EXPECT_EQ(status_with(vault, keys.at("forged")), 401);
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return vault.logs().find("keeping the last good key set") != std::string::npos; }))
      << vault.logs();
  // ...and the key that was there still works.
  EXPECT_EQ(status_with(vault, keys.at("kept")), 200);
  const std::string logs = vault.logs();
  const auto warning = logs.substr(logs.find("keeping the last good key set"));
  EXPECT_NE(warning.find("127.0.0.1"), std::string::npos) << "names the host";
  EXPECT_EQ(warning.substr(0, warning.find('\n')).find("/jwks.json"), std::string::npos) << "never the path";
}

TEST(JwksUrl, StartUpFailsClearlyWhenTheFirstFetchFailsOrTheSetIsInvalid) {
  JwksServer jwks;  // publishes an empty set
  Environment env = jwt_env(jwks);
  env["KEYRELAY_LISTEN"] = "127.0.0.1:0";
  auto empty = run_keyrelay({"serve"}, env);
  EXPECT_EQ(empty.exit_status, 1) << empty.output();
  EXPECT_NE(empty.output().find("KEYRELAY_JWT_JWKS_URL"), std::string::npos) << empty.output();
  EXPECT_NE(empty.output().find("key set has no keys"), std::string::npos) << empty.output();

  // A redirect is not followed, and a body over 1 MiB is not read.
  auto keys = mint_keys({"only"});
  jwks.publish({&keys.at("only")});
  Environment moved = env;
  moved["KEYRELAY_JWT_JWKS_URL"] = jwks.url("/moved");
  auto redirected = run_keyrelay({"serve"}, moved);
  EXPECT_EQ(redirected.exit_status, 1) << redirected.output();
  EXPECT_NE(redirected.output().find("answered HTTP 302"), std::string::npos) << redirected.output();
  jwks.publish_text(R"({"keys":[],"padding":")" + std::string(1 << 20, 'x') + R"("})");
  auto huge = run_keyrelay({"serve"}, env);
  EXPECT_EQ(huge.exit_status, 1) << huge.output();
  EXPECT_NE(huge.output().find("larger than"), std::string::npos) << huge.output();

  jwks.stop();
  auto down = run_keyrelay({"serve"}, env);
  EXPECT_EQ(down.exit_status, 1) << down.output();
  EXPECT_NE(down.output().find("KEYRELAY_JWT_JWKS_URL"), std::string::npos) << down.output();
  EXPECT_NE(down.output().find("127.0.0.1"), std::string::npos) << down.output();
}

TEST(JwksUrl, PlainHttpToAnotherHostAndAFileWithAUrlAreRefused) {
  Environment env = {{"KEYRELAY_LISTEN", "127.0.0.1:0"},
                     {"KEYRELAY_JWT_JWKS_URL", "http://id.example.com/tenant-secret/jwks.json"},
                     {"KEYRELAY_JWT_ISSUER", std::string(kIssuer)},
                     {"KEYRELAY_JWT_AUDIENCE", std::string(kAudience)}};
  auto plain = run_keyrelay({"serve"}, env);
  EXPECT_EQ(plain.exit_status, 1) << plain.output();
  EXPECT_NE(plain.output().find("use https://"), std::string::npos) << plain.output();
  EXPECT_EQ(plain.output().find("tenant-secret"), std::string::npos) << "only the origin is named";

  env["KEYRELAY_JWT_JWKS_URL"] = "https://id.example.com/jwks.json";
  env["KEYRELAY_JWT_JWKS_FILE"] = "/etc/keyrelay/jwks.json";
  auto both = run_keyrelay({"serve"}, env);
  EXPECT_EQ(both.exit_status, 1) << both.output();
  EXPECT_NE(both.output().find("KEYRELAY_JWT_JWKS_FILE and KEYRELAY_JWT_JWKS_URL are both set"), std::string::npos)
      << both.output();
}

}  // namespace
}  // namespace keyrelay::test
