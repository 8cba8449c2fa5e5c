#pragma once
// Structured logging: one line per event on stderr, either a JSON object ("json", the default) or
// "time LEVEL message key=value ..." ("text"). Lines are handed to spdlog's async logger, so a
// slow terminal or pipe never stalls a request thread.
//
// Safe to call from any thread after init(). Callers pass only fields that are safe to log: never
// headers, bodies, tokens or secrets (core::Secret is not formattable, by design).

#include <string_view>

#include <boost/json/object.hpp>

namespace keyrelay::logging {

enum class Level { trace, debug, info, warn, error, off };
enum class Format { json, text };

// Sets up the process-wide logger. Calling it again replaces the level and format.
void init(Level min_level, Format format);
// Flushes queued lines and stops the background thread; call before exit.
void shutdown();

bool enabled(Level level) noexcept;
void write(Level level, std::string_view message, boost::json::object fields = {});

inline void debug(std::string_view m, boost::json::object f = {}) { write(Level::debug, m, std::move(f)); }
inline void info(std::string_view m, boost::json::object f = {}) { write(Level::info, m, std::move(f)); }
inline void warn(std::string_view m, boost::json::object f = {}) { write(Level::warn, m, std::move(f)); }
inline void error(std::string_view m, boost::json::object f = {}) { write(Level::error, m, std::move(f)); }

// The line write() would log, without logging it (for tests and for the text format).
std::string format_line(Level level, std::string_view message, const boost::json::object& fields,
                        Format format);

}  // namespace keyrelay::logging
