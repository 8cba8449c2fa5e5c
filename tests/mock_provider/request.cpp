#include "request.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string_view> find_header(const HeaderFields& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals_ascii(n, name)) return std::string_view(v);
  return std::nullopt;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string describe_request(const Incoming& in) {
  json::object headers;
  for (const auto& [name, value] : in.headers) {
    const std::string key = lower(name);
    if (auto* existing = headers.if_contains(key)) {
      std::string joined(existing->as_string());
      *existing = joined + ", " + value;
    } else {
      headers[key] = value;
    }
  }
  json::object params;
  for (std::string_view q = in.query; !q.empty();) {
    const auto amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    const auto eq = pair.find('=');
    params[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return json::serialize(json::object{{"method", in.method},
                                      {"target", in.target},
                                      {"path", in.path},
                                      {"query", in.query},
                                      {"query_params", std::move(params)},
                                      {"headers", std::move(headers)},
                                      {"body", in.body}});
}

Answer json_answer(int status, const json::value& body, HeaderFields extra) {
  Answer a;
  a.status = status;
  a.headers.emplace_back("Content-Type", "application/json");
  for (auto& field : extra) a.headers.push_back(std::move(field));
  a.body = json::serialize(body);
  return a;
}

std::string sse_event(std::string_view name, const json::value& data) {
  std::string out;
  if (!name.empty()) {
    out += "event: ";
    out += name;
    out += '\n';
  }
  out += "data: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

HeaderFields sse_headers() {
  return {{"Content-Type", "text/event-stream; charset=utf-8"}, {"Cache-Control", "no-cache"}};
}

}  // namespace keyrelay::mock
