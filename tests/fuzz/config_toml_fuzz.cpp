// The operator's settings: the TOML file (`keyrelay --config FILE`) and KEYRELAY_* variables, as
// load_config reads them, then the two settings `serve` parses further (trusted proxies, model
// aliases).
// Input: <TOML text> [ "\0" <environment lines NAME=value> ]   (TOML cannot hold a NUL)
// Checks: a refusal is invalid_request with a UTF-8 message that never repeats the value of a
// secret setting (master key, JWT secret, webhook secret, metrics token).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "fuzz_input.h"
#include "gateway/model_resolver.h"
#include "http/trusted_proxies.h"
#include "scratch_files.h"

namespace {

using namespace keyrelay;

void check_message(std::string_view message, std::string_view input, std::string_view toml,
                   const std::map<std::string, std::string>& env, const std::string& file) {
  FUZZ_CHECK(fuzz::is_utf8(message));
  for (const std::string_view name : {"master_key", "webhook_secret", "token", "secret"})
    for (const std::string_view value : fuzz::quoted_values_of(toml, name))
      FUZZ_CHECK(!fuzz::echoes(std::string(message), value, input, file));
  for (const char* name : {"KEYRELAY_MASTER_KEY", "KEYRELAY_JWT_SECRET", "KEYRELAY_ALERTS_WEBHOOK_SECRET",
                           "KEYRELAY_METRICS_TOKEN"}) {
    const auto it = env.find(name);
    if (it != env.end() && it->second.size() >= 16) FUZZ_CHECK(!fuzz::echoes(std::string(message), it->second, input, file));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  fuzz::FuzzInput input(data, size);
  const std::string_view toml = input.until(std::string_view("\0", 1));
  std::map<std::string, std::string> env;
  while (!input.empty()) {
    const std::string_view line = input.until("\n");
    const auto eq = line.find('=');
    if (eq != std::string_view::npos) env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  const config::EnvLookup lookup = [&env](const std::string& name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };

  const auto file = fuzz::write_scratch_file("keyrelay.toml", toml);
  auto config = config::load_config(file, lookup);
  if (!config) {
    FUZZ_CHECK(config.error().code == core::Errc::invalid_request);
    check_message(config.error().message, all, toml, env, file.string());
    return 0;
  }
  if (auto proxies = http::TrustedProxies::parse(config->trusted_proxies); !proxies)
    check_message(proxies.error().message, all, toml, env, file.string());
  if (auto aliases = gateway::parse_model_aliases(config->gateway.model_aliases); !aliases)
    check_message(aliases.error().message, all, toml, env, file.string());
  return 0;
}
