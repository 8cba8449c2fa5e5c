#include "support/http_message.h"

#include <algorithm>
#include <cctype>

namespace keyrelay::test {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool has_header(const HeaderList& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

bool HttpResponse::says_connection_close() const {
  auto value = header("Connection");
  if (!value) return false;
  std::string lowered;
  for (char c : *value) lowered += lower(c);
  return lowered.find("close") != std::string::npos;
}

std::string describe(const HttpResponse& response) {
  std::string text = response.version + " " + std::to_string(response.status) + " " +
                     response.reason + "\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\n";
  constexpr std::size_t kMaxBody = 512;
  text += "\n" + response.body.substr(0, kMaxBody);
  if (response.body.size() > kMaxBody) text += "...";
  return text;
}

std::string format_request(std::string_view method, std::string_view target,
                           const HeaderList& headers, std::string_view body) {
  std::string text;
  text.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has_header(headers, "Host")) text += "Host: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  bool method_has_body = method == "POST" || method == "PUT" || method == "PATCH";
  if (!has_header(headers, "Content-Length") && !has_header(headers, "Transfer-Encoding") &&
      (!body.empty() || method_has_body)) {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  text += "\r\n";
  text.append(body);
  return text;
}

}  // namespace keyrelay::test
