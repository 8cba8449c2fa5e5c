#include "gateway/wire/message_parts.h"

#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {

using core::Error;

std::string indexed(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

core::Result<std::string> system_text(const json::object& message, const std::string& where) {
  const json::value* content = field(message, "content");
  if (content != nullptr && content->is_string()) return std::string(content->get_string());
  std::string text;
  if (content == nullptr || !content->is_array()) return text;  // parse_chat_request checked the shape
  const auto& parts = content->get_array();
  for (std::size_t j = 0; j < parts.size(); ++j) {
    const json::object& part = parts[j].get_object();
    if (string_field(part, "type") != "text")
      return Error::invalid_request(indexed(where + ".content", j) + ": a system message may hold only text parts");
    if (!text.empty()) text.push_back('\n');
    text.append(string_field(part, "text"));
  }
  return text;
}

core::Result<Image> image_of_part(const json::object& part, const std::string& where) {
  std::string_view url;
  if (const json::value* image = field(part, "image_url")) {
    if (image->is_string()) url = image->get_string();
    else if (image->is_object()) url = string_field(image->get_object(), "url");
  }
  if (url.empty()) return Error::invalid_request(where + ".image_url.url: missing");
  Image img;
  if (url.starts_with("https://") || url.starts_with("http://")) {
    img.url = std::string(url);
    return img;
  }
  if (!url.starts_with("data:"))
    return Error::invalid_request(where + ".image_url.url: must be a data: URL or an http(s) URL");
  // data:<media type>[;param]*;base64,<data>
  const auto comma = url.find(',');
  const std::string_view header = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
  if (comma == std::string_view::npos || !header.ends_with(";base64"))
    return Error::invalid_request(where + ".image_url.url: a data: URL must be base64 (data:<type>;base64,<data>)");
  img.media_type = std::string(header.substr(0, header.find(';')));
  img.data = std::string(url.substr(comma + 1));
  if (img.media_type.empty() || img.data.empty())
    return Error::invalid_request(where + ".image_url.url: the data: URL lacks its media type or data");
  return img;
}

core::Result<json::object> arguments_of(const json::object& function, const std::string& where) {
  const std::string_view text = string_field(function, "arguments");
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object{};
  auto parsed = parse_json(text);
  if (!parsed || !parsed->is_object())
    return Error::invalid_request(where + ".function.arguments: must be a JSON object serialized as a string");
  return std::move(parsed->get_object());
}

}  // namespace keyrelay::gateway::wire
