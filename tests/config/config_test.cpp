#include "config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "config/settings.h"
#include "core/ids.h"

namespace keyrelay::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("keyrelay-config-" + core::uuid_v4());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    const fs::path p = dir_ / "keyrelay.toml";
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

TEST(Config, DefaultsMatchTheApiContract) {
  auto c = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen, "127.0.0.1:8080");
  EXPECT_EQ(c->data_dir, fs::path("./data"));
  EXPECT_EQ(c->log_level, LogLevel::info);
  EXPECT_EQ(c->log_format, LogFormat::json);
  EXPECT_EQ(c->http.max_header_bytes, 16u * 1024);
  EXPECT_EQ(c->http.max_body_bytes, 1024u * 1024);
  EXPECT_FALSE(c->master_key);
}

TEST(Config, ReadsEveryLimitFromTheEnvironment) {
  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_LISTEN", "0.0.0.0:0"},
                                             {"KEYRELAY_HTTP_MAX_BODY_BYTES", "1000"},
                                             {"KEYRELAY_HTTP_MAX_HEADER_BYTES", "4096"},
                                             {"KEYRELAY_HTTP_HEADER_TIMEOUT", "1s"},
                                             {"KEYRELAY_HTTP_IDLE_TIMEOUT", "250ms"},
                                             {"KEYRELAY_HTTP_MAX_CONNECTIONS", "50"},
                                             {"KEYRELAY_HTTP_SHUTDOWN_TIMEOUT", "2m"},
                                             {"KEYRELAY_HTTP_THREADS", "3"},
                                             {"KEYRELAY_LOG_LEVEL", "debug"},
                                             {"KEYRELAY_LOG_FORMAT", "text"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen, "0.0.0.0:0");
  EXPECT_EQ(c->http.max_body_bytes, 1000u);
  EXPECT_EQ(c->http.max_header_bytes, 4096u);
  EXPECT_EQ(c->http.header_timeout, 1s);
  EXPECT_EQ(c->http.idle_timeout, 250ms);
  EXPECT_EQ(c->http.max_connections, 50u);
  EXPECT_EQ(c->http.shutdown_timeout, 2min);
  EXPECT_EQ(c->http.threads, 3u);
  EXPECT_EQ(c->log_level, LogLevel::debug);
  EXPECT_EQ(c->log_format, LogFormat::text);
}

TEST(Config, ConnectionCapsHaveTheirDefaultsAndBothSpellings) {
  auto defaults = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->http.max_connections_per_client, 256u);
  EXPECT_FALSE(defaults->http.cap_loopback_clients) << "the host's own reverse proxy is not capped by default";
  EXPECT_EQ(defaults->upstream.max_connections_per_origin, 0u) << "0: derived from the open-file limit at start";
  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_HTTP_MAX_CONNECTIONS_PER_CLIENT", "0"},
                                             {"KEYRELAY_HTTP_CAP_LOOPBACK_CLIENTS", "true"},
                                             {"KEYRELAY_UPSTREAM_MAX_CONNECTIONS_PER_ORIGIN", "8"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.max_connections_per_client, 0u);
  EXPECT_TRUE(c->http.cap_loopback_clients);
  EXPECT_EQ(c->upstream.max_connections_per_origin, 8u);
}

TEST(Config, DatabasePoolSizeHasADefaultAndBothSpellings) {
  auto defaults = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->database.pool_size, 8u);
  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_DATABASE_URL", "postgres://kr:pw@db:5432/keyrelay?sslmode=require"},
                                             {"KEYRELAY_DATABASE_POOL_SIZE", "20"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->database.pool_size, 20u);
  EXPECT_EQ(c->database_url, "postgres://kr:pw@db:5432/keyrelay?sslmode=require");
  EXPECT_FALSE(load_config(std::nullopt, env_of({{"KEYRELAY_DATABASE_POOL_SIZE", "0"}})));
}

// Master-key rotation waits on the servers' keyring reloads and heartbeats: tests and operators
// tune them; the node timeout follows the heartbeat unless it is set.
TEST(Config, KeyringReloadAndHeartbeatIntervals) {
  auto defaults = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->keyring.reload_interval, 2s);
  EXPECT_EQ(defaults->keyring.heartbeat_interval, 5s);
  EXPECT_EQ(defaults->keyring.effective_node_timeout(), 15s);

  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_KEYRING_RELOAD_INTERVAL", "100ms"},
                                             {"KEYRELAY_KEYRING_HEARTBEAT_INTERVAL", "250ms"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->keyring.reload_interval, 100ms);
  EXPECT_EQ(c->keyring.heartbeat_interval, 250ms);
  EXPECT_EQ(c->keyring.effective_node_timeout(), 750ms);
  auto timeout = load_config(std::nullopt, env_of({{"KEYRELAY_KEYRING_NODE_TIMEOUT", "5s"}}));
  ASSERT_TRUE(timeout) << timeout.error().message;
  EXPECT_EQ(timeout->keyring.effective_node_timeout(), 5s);
  auto bad = load_config(std::nullopt, env_of({{"KEYRELAY_KEYRING_HEARTBEAT_INTERVAL", "0s"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("KEYRELAY_KEYRING_HEARTBEAT_INTERVAL"), std::string::npos);
}

TEST(Config, MalformedEnvironmentValueNamesTheVariable) {
  for (const auto& [name, value] : std::map<std::string, std::string>{{"KEYRELAY_HTTP_MAX_BODY_BYTES", "abc"},
                                                                      {"KEYRELAY_HTTP_HEADER_TIMEOUT", "10"},
                                                                      {"KEYRELAY_LOG_LEVEL", "loud"},
                                                                      {"KEYRELAY_LISTEN", "nowhere"},
                                                                      {"KEYRELAY_DATABASE_URL", "mysql://x"}}) {
    auto c = load_config(std::nullopt, env_of({{name, value}}));
    ASSERT_FALSE(c) << name;
    EXPECT_EQ(c.error().code, core::Errc::invalid_request);
    EXPECT_NE(c.error().message.find(name), std::string::npos) << c.error().message;
  }
}

TEST(Config, MasterKeyValueIsNeverEchoedInErrors) {
  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_MASTER_KEY", "super-secret-master"},
                                             {"KEYRELAY_KEYRING_FILE", "/tmp/k.toml"}}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message.find("super-secret-master"), std::string::npos);
}

TEST_F(ConfigFile, ReadsSectionsAndTopLevelKeys) {
  auto c = load_config(write("listen = \"127.0.0.1:0\"\n[http]\nmax_body_bytes = 1000\nheader_timeout = \"2s\"\n"
                             "[log]\nformat = \"text\"\n"),
                       env_of({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen, "127.0.0.1:0");
  EXPECT_EQ(c->http.max_body_bytes, 1000u);
  EXPECT_EQ(c->http.header_timeout, 2s);
  EXPECT_EQ(c->log_format, LogFormat::text);
}

TEST_F(ConfigFile, DatabaseSectionSitsBesideTheDatabaseUrl) {
  auto c = load_config(write("database_url = \"postgresql://db/keyrelay\"\n[database]\npool_size = 3\n"), env_of({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->database_url, "postgresql://db/keyrelay");
  EXPECT_EQ(c->database.pool_size, 3u);
}

TEST_F(ConfigFile, KeyringSectionSitsBesideTheKeyringFile) {
  auto c = load_config(write("keyring_file = \"/etc/keyrelay/keyring.toml\"\n[keyring]\nheartbeat_interval = \"1s\"\n"
                             "node_timeout = \"4s\"\n"),
                       env_of({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->keyring_file, fs::path("/etc/keyrelay/keyring.toml"));
  EXPECT_EQ(c->keyring.heartbeat_interval, 1s);
  EXPECT_EQ(c->keyring.effective_node_timeout(), 4s);
}

TEST_F(ConfigFile, EnvironmentOverridesTheFile) {
  auto c = load_config(write("[http]\nmax_body_bytes = 1000\n"), env_of({{"KEYRELAY_HTTP_MAX_BODY_BYTES", "2000"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.max_body_bytes, 2000u);
}

TEST_F(ConfigFile, UnknownKeyIsNamed) {
  auto c = load_config(write("lisen = \"x\"\n"), env_of({}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("unknown key 'lisen'"), std::string::npos) << c.error().message;

  auto nested = load_config(write("[http]\nmax_bodybytes = 3\n"), env_of({}));
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("'http.max_bodybytes'"), std::string::npos) << nested.error().message;
}

TEST_F(ConfigFile, MalformedValueNamesTheKey) {
  auto c = load_config(write("[http]\nmax_body_bytes = \"lots\"\n"), env_of({}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("http.max_body_bytes"), std::string::npos) << c.error().message;

  auto wrong_type = load_config(write("[http]\nmax_body_bytes = 1.5\n"), env_of({}));
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("http.max_body_bytes"), std::string::npos);
}

TEST_F(ConfigFile, SyntaxErrorGivesTheLine) {
  auto c = load_config(write("listen = \"a\"\n[http\n"), env_of({}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("line 2"), std::string::npos) << c.error().message;
}

TEST_F(ConfigFile, MissingFileIsAnError) {
  auto c = load_config(dir_ / "absent.toml", env_of({}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("absent.toml"), std::string::npos);
}

TEST(ServingChecks, JwtVerificationNeedsAnIssuerAndAnAudience) {
  Config c;
  EXPECT_TRUE(check_for_serving(c)) << "JWTs off: nothing to check";
  c.jwt_secret.emplace("an-hs256-secret-of-at-least-32-bytes!!");
  auto no_issuer = check_for_serving(c);
  ASSERT_FALSE(no_issuer);
  EXPECT_NE(no_issuer.error().message.find("KEYRELAY_JWT_ISSUER"), std::string::npos) << no_issuer.error().message;
  c.jwt_issuer = "https://id.example/";
  auto no_audience = check_for_serving(c);
  ASSERT_FALSE(no_audience);
  EXPECT_NE(no_audience.error().message.find("KEYRELAY_JWT_AUDIENCE"), std::string::npos);
  c.jwt_audience = "keyrelay";
  EXPECT_TRUE(check_for_serving(c));
  c.jwt_secret.reset();
  c.jwt_jwks_file = "/etc/keyrelay/jwks.json";
  c.jwt_issuer.clear();
  EXPECT_FALSE(check_for_serving(c)) << "a JWKS file needs them as much";
}

TEST(ConfigEnv, JwksUrlIsReadFromTheEnvironmentAndMustBeHttp) {
  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_JWT_JWKS_URL", "https://id.example/jwks.json"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->jwt_jwks_url, "https://id.example/jwks.json");
  EXPECT_FALSE(load_config(std::nullopt, env_of({{"KEYRELAY_JWT_JWKS_URL", "file:///etc/jwks.json"}})));
  EXPECT_FALSE(load_config(std::nullopt, env_of({}))->jwt_jwks_url);
}

TEST(ServingChecks, AJwksUrlIsHttpsOrLoopbackAndNotWithAFile) {
  Config c;
  c.jwt_issuer = "https://id.example/";
  c.jwt_audience = "keyrelay";
  for (const char* ok : {"https://id.example/.well-known/jwks.json", "http://127.0.0.1:8080/jwks.json",
                         "http://localhost/jwks", "http://[::1]:9/jwks"}) {
    c.jwt_jwks_url = ok;
    EXPECT_TRUE(check_for_serving(c)) << ok;
  }
  for (const char* refused : {"http://id.example/tenant-key/jwks.json", "http://10.0.0.5/jwks",
                              "http://localhost.evil.example/jwks"}) {
    c.jwt_jwks_url = refused;
    auto r = check_for_serving(c);
    ASSERT_FALSE(r) << refused;
    EXPECT_NE(r.error().message.find("KEYRELAY_JWT_JWKS_URL"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("https://"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("tenant-key"), std::string::npos) << "only the origin is named";
  }
  c.jwt_jwks_url = "https://id.example/jwks.json";
  c.jwt_jwks_file = "/etc/keyrelay/jwks.json";
  auto both = check_for_serving(c);
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("KEYRELAY_JWT_JWKS_FILE and KEYRELAY_JWT_JWKS_URL"), std::string::npos);
  c.jwt_jwks_file.reset();
  c.jwt_issuer.clear();
  EXPECT_FALSE(check_for_serving(c)) << "a URL needs an issuer like any key source";
}

TEST(ServingChecks, PlainHttpWebhooksOnlyToLoopbackUnlessAllowed) {
  for (const char* ok : {"https://hooks.example.com/x", "http://127.0.0.1:9000/x", "http://127.1.2.3/x",
                         "http://localhost:8080/x", "http://LOCALHOST/x", "http://[::1]:9/x", "http://[::1]"}) {
    Config c;
    c.alerts.webhook_urls = {ok};
    EXPECT_TRUE(check_for_serving(c)) << ok;
  }
  for (const char* refused : {"http://hooks.example.com/T0/B1/secret", "http://127.evil.example/x",
                              "http://10.0.0.5/x", "http://[2001:db8::1]/x", "http://localhost.evil.example/x",
                              "http://127.0.0.1@hooks.example.com/x"}) {
    Config c;
    c.alerts.webhook_urls = {"https://fine.example.com", refused};
    auto r = check_for_serving(c);
    ASSERT_FALSE(r) << refused;
    EXPECT_NE(r.error().message.find("KEYRELAY_ALERTS_WEBHOOK_ALLOW_HTTP"), std::string::npos);
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos) << "only the origin is named";
    c.alerts.webhook_allow_http = true;
    EXPECT_TRUE(check_for_serving(c)) << refused;
  }
}

TEST(UnknownVariables, AreTheKeyrelayNamesNoSettingReads) {
  const std::vector<std::string> names = {"PATH", "HOME", "KEYRELAY_LISTEN", "KEYRELAY_RATE_LIMIT_MUTATIONS",
                                          "KEYRELAY_RATE_LIMT_MUTATIONS", "KEYRELAY_MASTERKEY",
                                          "KEYRELAY_PROVIDER_OPENAI_BASE_URL", "KEYRELAY_PROVIDER_OPENIA_BASE_URL",
                                          "KEYRELAY_PROVIDER_GOOGLE_MAPS_BASE_URL", "KEYRELAY_"};
  EXPECT_EQ(unknown_setting_variables(names),
            (std::vector<std::string>{"KEYRELAY_RATE_LIMT_MUTATIONS", "KEYRELAY_MASTERKEY", "KEYRELAY_"}));
  EXPECT_EQ(unknown_provider_variables(names, {"openai", "google-maps"}),
            (std::vector<std::string>{"KEYRELAY_PROVIDER_OPENIA_BASE_URL"}));
}

TEST(UnknownVariables, TheProcessEnvironmentIsListedByName) {
  ::setenv("KEYRELAY_TEST_ONLY_VARIABLE", "value=with=equals", 1);
  const auto names = environment_names();
  ::unsetenv("KEYRELAY_TEST_ONLY_VARIABLE");
  EXPECT_NE(std::find(names.begin(), names.end(), "KEYRELAY_TEST_ONLY_VARIABLE"), names.end());
  for (const auto& n : names) EXPECT_EQ(n.find('='), std::string::npos) << n;
}

TEST(Settings, EnvironmentNamesFollowTheSectionRule) {
  EXPECT_EQ(env_name("listen"), "KEYRELAY_LISTEN");
  EXPECT_EQ(env_name("http.max_body_bytes"), "KEYRELAY_HTTP_MAX_BODY_BYTES");
  EXPECT_EQ(env_name("log.level"), "KEYRELAY_LOG_LEVEL");
}

TEST(Settings, EveryNameIsUnique) {
  std::set<std::string_view> names;
  for (const auto& s : all_settings()) EXPECT_TRUE(names.insert(s.name).second) << s.name;
}

}  // namespace
}  // namespace keyrelay::config

namespace keyrelay::config {
namespace {

// [redis] url ⇔ KEYRELAY_REDIS_URL (issue 13 item 6); the environment wins; unset, nothing is shared.
TEST_F(ConfigFile, RedisSectionReadsTheUrlAndTheTimeout) {
  auto defaults = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->redis.url.empty());
  EXPECT_EQ(defaults->redis.timeout, 200ms);

  auto c = load_config(write("[redis]\nurl = \"redis://:pw@cache:6380/2\"\ntimeout = \"50ms\"\n"), env_of({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->redis.url, "redis://:pw@cache:6380/2");
  EXPECT_EQ(c->redis.timeout, 50ms);

  auto env = load_config(write("[redis]\nurl = \"redis://file:6379\"\n"),
                         env_of({{"KEYRELAY_REDIS_URL", "redis://env:6379/1"}, {"KEYRELAY_REDIS_TIMEOUT", "1s"}}));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->redis.url, "redis://env:6379/1");
  EXPECT_EQ(env->redis.timeout, 1s);
  EXPECT_TRUE(unknown_setting_variables({"KEYRELAY_REDIS_URL", "KEYRELAY_REDIS_TIMEOUT"}).empty());
}

TEST_F(ConfigFile, RedisTlsFilesGoWithARedissUrlOnly) {
  auto c = load_config(write("[redis]\nurl = \"rediss://cache:6380\"\nca_file = \"/etc/ca.pem\"\n"),
                       env_of({{"KEYRELAY_REDIS_CERT_FILE", "/etc/client.pem"}, {"KEYRELAY_REDIS_KEY_FILE", "/etc/client.key"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->redis.ca_file, std::filesystem::path("/etc/ca.pem"));
  EXPECT_EQ(c->redis.cert_file, std::filesystem::path("/etc/client.pem"));
  EXPECT_EQ(c->redis.key_file, std::filesystem::path("/etc/client.key"));
  EXPECT_TRUE(check_for_serving(*c));

  auto plain = load_config(std::nullopt, env_of({{"KEYRELAY_REDIS_URL", "redis://cache:6379"},
                                                 {"KEYRELAY_REDIS_CA_FILE", "/etc/ca.pem"}}));
  ASSERT_TRUE(plain) << plain.error().message;
  auto refused = check_for_serving(*plain);
  ASSERT_FALSE(refused) << "TLS files with a plain redis:// URL: traffic would not be encrypted";
  EXPECT_NE(refused.error().message.find("rediss://"), std::string::npos) << refused.error().message;

  auto key_alone = load_config(std::nullopt, env_of({{"KEYRELAY_REDIS_URL", "rediss://cache"},
                                                     {"KEYRELAY_REDIS_KEY_FILE", "/etc/client.key"}}));
  ASSERT_TRUE(key_alone);
  EXPECT_FALSE(check_for_serving(*key_alone));
  EXPECT_TRUE(unknown_setting_variables({"KEYRELAY_REDIS_CA_FILE", "KEYRELAY_REDIS_CERT_FILE", "KEYRELAY_REDIS_KEY_FILE"}).empty());
}

TEST_F(ConfigFile, TheWebhookLeaseIsADurationOfAtLeastOneSecond) {
  auto defaults = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->alerts.webhook_lease, 30s);

  auto set = load_config(std::nullopt, env_of({{"KEYRELAY_ALERTS_WEBHOOK_LEASE", "2s"}}));
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->alerts.webhook_lease, 2s);

  auto too_short = load_config(std::nullopt, env_of({{"KEYRELAY_ALERTS_WEBHOOK_LEASE", "500ms"}}));
  ASSERT_FALSE(too_short);
  EXPECT_NE(too_short.error().message.find("KEYRELAY_ALERTS_WEBHOOK_LEASE"), std::string::npos) << too_short.error().message;
  EXPECT_TRUE(unknown_setting_variables({"KEYRELAY_ALERTS_WEBHOOK_LEASE"}).empty());
}

}  // namespace
}  // namespace keyrelay::config
