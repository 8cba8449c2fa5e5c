#include "api_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace keyrelay::test {

std::optional<boost::json::object> parse_json_object(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

::testing::AssertionResult has_json_content_type(const HttpResponse& response) {
  auto type = response.header("Content-Type");
  if (type && (*type == "application/json" || type->starts_with("application/json;"))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "Content-Type is not application/json in\n"
                                       << describe(response);
}

::testing::AssertionResult is_api_error(const HttpResponse& response, int status,
                                        std::string_view code) {
  auto fail = [&] {
    return ::testing::AssertionFailure() << "expected a " << status << " " << code
                                         << " API error, got\n"
                                         << describe(response) << "\nbecause ";
  };
  if (response.status != status) return fail() << "the status differs";
  if (auto content_type = has_json_content_type(response); !content_type) return content_type;
  auto body = parse_json_object(response.body);
  if (!body) return fail() << "the body is not a JSON object";
  auto* error = body->if_contains("error");
  if (error == nullptr || !error->is_object()) return fail() << "there is no \"error\" object";
  const auto& fields = error->as_object();
  auto* got_code = fields.if_contains("code");
  if (got_code == nullptr || !got_code->is_string() || got_code->as_string() != code) {
    return fail() << "error.code differs";
  }
  auto* message = fields.if_contains("message");
  if (message == nullptr || !message->is_string() || message->as_string().empty()) {
    return fail() << "error.message is missing or empty";
  }
  auto* request_id = fields.if_contains("request_id");
  auto header_id = response.header("X-Request-Id");
  if (!header_id) return fail() << "there is no X-Request-Id header";
  if (request_id == nullptr || !request_id->is_string() || request_id->as_string() != *header_id) {
    return fail() << "error.request_id does not equal the X-Request-Id header";
  }
  return ::testing::AssertionSuccess();
}

bool is_well_formed_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace keyrelay::test
