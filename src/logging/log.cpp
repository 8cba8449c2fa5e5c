#include "logging/log.h"

#include <atomic>
#include <chrono>
#include <mutex>

#include <boost/json/serialize.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/time_format.h"

namespace keyrelay::logging {
namespace {

std::atomic<Level> g_min_level{Level::info};
std::atomic<Format> g_format{Format::json};
std::mutex g_init_mutex;
std::shared_ptr<spdlog::logger> g_logger;  // guarded by g_init_mutex for replacement

std::string_view level_name(Level level) {
  switch (level) {
    case Level::trace: return "trace";
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
    case Level::off: return "off";
  }
  return "info";
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

// Text values: bare when simple, JSON-quoted when they hold spaces, quotes or control characters.
void append_text_value(std::string& out, const boost::json::value& v) {
  if (const auto* s = v.if_string()) {
    const bool simple = !s->empty() && std::all_of(s->begin(), s->end(), [](char c) {
      return c > ' ' && c != '"' && c != '=' && c != 0x7f;
    });
    out += simple ? std::string(s->data(), s->size()) : boost::json::serialize(v);
  } else {
    out += boost::json::serialize(v);
  }
}

std::shared_ptr<spdlog::logger> current_logger() {
  std::lock_guard lock(g_init_mutex);
  return g_logger;
}

}  // namespace

std::string format_line(Level level, std::string_view message, const boost::json::object& fields,
                        Format format) {
  const std::string time = core::format_rfc3339(std::chrono::system_clock::now());
  if (format == Format::json) {
    boost::json::object line;
    line.reserve(fields.size() + 3);
    line["time"] = time;
    line["level"] = level_name(level);
    line["msg"] = message;
    for (const auto& [k, v] : fields) line[k] = v;
    return boost::json::serialize(line);
  }
  std::string out = time;
  out += ' ';
  out += level_name(level);
  out += ' ';
  out += message;
  for (const auto& [k, v] : fields) {
    out += ' ';
    out.append(k.data(), k.size());
    out += '=';
    append_text_value(out, v);
  }
  // A message with a newline must not forge a second line.
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

void init(Level min_level, Format format) {
  std::lock_guard lock(g_init_mutex);
  g_min_level = min_level;
  g_format = format;
  if (!g_logger) {
    // 1024 lines of burst (about 0.5 MB: spdlog builds every slot up front; 8192 held 3.7 MB of
    // RSS); the writer thread keeps up with the steady rate, and a burst beyond it blocks.
    spdlog::init_thread_pool(1024, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    // Block rather than drop: request and audit-adjacent lines must not vanish under load.
    g_logger = std::make_shared<spdlog::async_logger>("keyrelay", sink, spdlog::thread_pool(),
                                                      spdlog::async_overflow_policy::block);
    g_logger->set_pattern("%v");
    g_logger->flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
  }
  g_logger->set_level(to_spdlog(min_level));
}

void shutdown() {
  std::shared_ptr<spdlog::logger> logger;
  {
    std::lock_guard lock(g_init_mutex);
    logger = std::move(g_logger);
  }
  if (logger) logger->flush();
  logger.reset();
  spdlog::shutdown();
}

bool enabled(Level level) noexcept {
  return level != Level::off && static_cast<int>(level) >= static_cast<int>(g_min_level.load());
}

void write(Level level, std::string_view message, boost::json::object fields) {
  if (!enabled(level)) return;
  auto logger = current_logger();
  if (!logger) return;
  const std::string line = format_line(level, message, fields, g_format.load());
  logger->log(to_spdlog(level), "{}", line);
}

}  // namespace keyrelay::logging
