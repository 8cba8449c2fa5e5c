#pragma once
// Pieces of OpenAI chat messages that the Anthropic and Gemini request translators read the same
// way: system text, images of content parts, tool-call arguments. Each failure is invalid_request
// naming the field (`where`, e.g. "messages[2].content[0]") and why.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace keyrelay::gateway::wire {

// "base[i]"
std::string indexed(std::string_view base, std::size_t i);

// The text of a system/developer message: its string content, or its text parts joined with '\n'.
// invalid_request for a part that is not text (a system prompt is text on every wire).
core::Result<std::string> system_text(const boost::json::object& message, const std::string& where);

// An image_url part's image: bytes from a "data:<type>;base64,<data>" URL, or an http(s) URL.
struct Image {
  std::string media_type;  // inline images only
  std::string data;        // base64, inline images only
  std::string url;         // remote images only
  bool is_inline() const noexcept { return url.empty(); }
};
// `part` is {"type":"image_url","image_url":{"url":…}} (a bare string "image_url" is accepted too).
core::Result<Image> image_of_part(const boost::json::object& part, const std::string& where);

// A tool call's function.arguments (a string of JSON) as the object Anthropic and Gemini want.
// Empty or absent arguments read as {} (models send "" for tools without parameters).
core::Result<boost::json::object> arguments_of(const boost::json::object& function, const std::string& where);

}  // namespace keyrelay::gateway::wire
