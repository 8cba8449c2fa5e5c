#include "config/config.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(defaults->upstream.max_connections_per_origin, 0u) << "0: derived from the open-file limit at start";
  auto c = load_config(std::nullopt, env_of({{"KEYRELAY_HTTP_MAX_CONNECTIONS_PER_CLIENT", "0"},
                                             {"KEYRELAY_UPSTREAM_MAX_CONNECTIONS_PER_ORIGIN", "8"}}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.max_connections_per_client, 0u);
  EXPECT_EQ(c->upstream.max_connections_per_origin, 8u);
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
