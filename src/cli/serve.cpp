// `keyrelay serve`: the composition root. The only place that knows the concrete types: it reads
// the configuration, prepares the process and the keyring, builds the router and runs the server.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "api/health_routes.h"
#include "cli/commands.h"
#include "cli/keyring_setup.h"
#include "cli/process_hardening.h"
#include "config/config.h"
#include "http/router.h"
#include "http/server.h"
#include "logging/log.h"

namespace keyrelay::cli {
namespace {

logging::Level to_log_level(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::trace: return logging::Level::trace;
    case config::LogLevel::debug: return logging::Level::debug;
    case config::LogLevel::info: return logging::Level::info;
    case config::LogLevel::warn: return logging::Level::warn;
    case config::LogLevel::error: return logging::Level::error;
    case config::LogLevel::off: return logging::Level::off;
  }
  return logging::Level::info;
}

http::ServerOptions server_options(const config::Config& c) {
  http::ServerOptions o;
  o.listen = c.listen;
  o.threads = c.http.threads;
  o.max_header_bytes = c.http.max_header_bytes;
  o.max_body_bytes = c.http.max_body_bytes;
  o.header_timeout = c.http.header_timeout;
  o.body_timeout = c.http.body_timeout;
  o.idle_timeout = c.http.idle_timeout;
  o.write_timeout = c.http.write_timeout;
  o.max_connections = c.http.max_connections;
  o.shutdown_timeout = c.http.shutdown_timeout;
  return o;
}

// Writes the port atomically (temp file + rename), so a reader never sees a partial number.
bool write_port_file(const std::filesystem::path& path, std::uint16_t port) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::string text = std::to_string(port) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  return ok && !ec;
}

int fail(const std::string& message) {
  std::cerr << "keyrelay serve: " << message << "\n";
  logging::shutdown();
  return 1;
}

}  // namespace

int run_serve(const GlobalOptions& global) {
  auto loaded = config::load_config(global.config_file, config::process_environment());
  if (!loaded) return fail(loaded.error().message);
  const config::Config& config = *loaded;
  if (!config.allow_core_dumps) disable_core_dumps();
  raise_open_file_limit();
  logging::init(to_log_level(config.log_level), config.log_format == config::LogFormat::json
                                                    ? logging::Format::json
                                                    : logging::Format::text);

  // Engines that do not exist yet are refused loudly rather than silently replaced by SQLite.
  if (config.database_url.starts_with("postgres"))
    return fail("KEYRELAY_DATABASE_URL: the PostgreSQL engine is not available in this version; use sqlite:// or leave it unset");
  if (!config.redis_url.empty())
    return fail("KEYRELAY_REDIS_URL: the Redis engine is not available in this version; unset it to use local counters");

  auto keyring = prepare_keyring(config);
  if (!keyring) return fail(keyring.error().message);

  http::Router router;
  http::Server* server_ptr = nullptr;
  api::add_health_routes(router, {{"server", [&server_ptr]() -> core::Result<void> {
                                     if (server_ptr != nullptr && server_ptr->is_draining())
                                       return core::Error::unavailable("shutting down");
                                     return core::ok();
                                   }}});

  http::Server server(server_options(config), router);
  server_ptr = &server;
  auto port = server.listen();
  if (!port) return fail(port.error().message);
  if (config.port_file && !write_port_file(*config.port_file, *port))
    return fail("cannot write the port file " + config.port_file->string());
  const auto colon = config.listen.rfind(':');
  logging::info("listening", {{"address", config.listen.substr(0, colon) + ":" + std::to_string(*port)},
                              {"version", KEYRELAY_VERSION}});

  server.run();
  logging::info("stopped");
  logging::shutdown();
  return 0;
}

}  // namespace keyrelay::cli
