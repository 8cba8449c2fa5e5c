#pragma once
// The table of settings: one entry per setting with its dotted name ("http.max_body_bytes"), from
// which both spellings are derived, and a parser that writes the parsed value into a Config.
// Keeping the table in one place keeps the file, the environment and the README in step.

#include <span>
#include <string>
#include <string_view>

#include "config/config.h"

namespace keyrelay::config {

struct Setting {
  std::string_view name;         // "listen", "http.max_body_bytes"
  std::string_view description;  // for the README and --help
  // Parses `text` into `out`; on failure returns a reason ("expected a size in bytes").
  core::Result<void> (*apply)(Config& out, std::string_view text);
};

std::span<const Setting> all_settings();

// "http.max_body_bytes" → "KEYRELAY_HTTP_MAX_BODY_BYTES".
std::string env_name(std::string_view setting_name);

}  // namespace keyrelay::config
