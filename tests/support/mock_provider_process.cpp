#include "support/mock_provider_process.h"

#include <signal.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include <boost/json/parse.hpp>

#include "mock_provider/provider_ids.h"
#include "support/http_client.h"

namespace keyrelay::test {
namespace {

// The port file holds the decimal port and a newline, written atomically (temp file + rename).
std::optional<std::uint16_t> parse_port_file(const std::string& text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  unsigned value = 0;
  const char* end = text.data() + text.size() - 1;
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// "google-maps" → "KEYRELAY_PROVIDER_GOOGLE_MAPS_BASE_URL".
std::string base_url_variable(std::string_view id) {
  std::string name = "KEYRELAY_PROVIDER_";
  for (char c : id) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name + "_BASE_URL";
}

}  // namespace

MockProviderProcess::MockProviderProcess(std::chrono::milliseconds start_timeout) {
  const Deadline deadline = deadline_in(start_timeout);
  const std::filesystem::path port_file = dir_ / "port";
  process_.emplace(std::vector<std::string>{KEYRELAY_MOCK_PROVIDER, "--port-file", port_file.string()},
                   Environment{}, dir_.path(), dir_.path());
  const bool have_port = poll_until(deadline, [&] {
    if (!process_->is_running()) return true;
    if (auto port = parse_port_file(read_file_or_empty(port_file))) port_ = *port;
    return port_ != 0;
  });
  if (!process_->is_running()) fail("it exited during start-up");
  if (!have_port) fail("no port in " + port_file.string() + " within the start deadline");
  // The port is written after listen(), so the first connection is accepted.
}

std::string MockProviderProcess::base_url(std::string_view provider_id) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + std::string(provider_id);
}

Environment MockProviderProcess::provider_env() const {
  Environment env;
  for (std::string_view id : mock::kProviderIds) env[base_url_variable(id)] = base_url(id);
  return env;
}

std::vector<boost::json::object> MockProviderProcess::requests() const {
  HttpResponse response;
  try {
    response = HttpConnection::connect(port_).request("GET", "/_mock/requests");
  } catch (const HttpClientError& e) {
    fail(std::string("GET /_mock/requests failed: ") + e.what());
  }
  if (response.status != 200) fail("GET /_mock/requests answered " + std::to_string(response.status));
  boost::json::value parsed;
  try {
    parsed = boost::json::parse(response.body);
  } catch (const std::exception& e) {
    fail(std::string("GET /_mock/requests answered no JSON: ") + e.what());
  }
  if (!parsed.is_array()) fail("GET /_mock/requests answered no JSON array");
  std::vector<boost::json::object> out;
  for (auto& entry : parsed.as_array())
    if (entry.is_object()) out.push_back(std::move(entry.as_object()));
  return out;
}

void MockProviderProcess::reset() {
  HttpResponse response;
  try {
    response = HttpConnection::connect(port_).request("POST", "/_mock/reset");
  } catch (const HttpClientError& e) {
    fail(std::string("POST /_mock/reset failed: ") + e.what());
  }
  if (response.status != 200) fail("POST /_mock/reset answered " + std::to_string(response.status));
}

ExitStatus MockProviderProcess::stop(std::chrono::milliseconds timeout) {
  process_->send_signal(SIGTERM);
  auto status = process_->wait_for_exit(deadline_in(timeout));
  if (!status) fail("it did not exit within " + std::to_string(timeout.count()) + " ms of SIGTERM");
  return *status;
}

void MockProviderProcess::fail(const std::string& why) const {
  throw std::runtime_error("keyrelay-mock-provider: " + why + "\n--- mock output ---\n" +
                           process_->output_text());
}

}  // namespace keyrelay::test
