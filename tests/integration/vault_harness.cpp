#include "vault_harness.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>
#include <stdexcept>

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::string text_field(const json::object& o, std::string_view name, std::string_view what) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    throw std::runtime_error(std::string(what) + ": no string \"" + std::string(name) + "\" in " + json::serialize(o));
  }
  return std::string(v->get_string());
}

std::string command_line(const std::vector<std::string>& args) {
  std::string out = "keyrelay";
  for (const auto& a : args) out += " " + a;
  return out;
}

// Runs a CLI command that must succeed and print one JSON object.
json::object json_command(const VaultServer& vault, const std::vector<std::string>& args) {
  auto result = vault.cli(args);
  if (result.exit_status != 0) {
    throw std::runtime_error("`" + command_line(args) + "` exited " + std::to_string(result.exit_status) + ":\n" +
                             result.output());
  }
  auto value = json_of(result.out);
  if (!value.is_object()) throw std::runtime_error("`" + command_line(args) + "` printed " + result.out);
  return std::move(value.as_object());
}

bool has_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return true;
  return false;
}

}  // namespace

Environment vault_server_env() {
  return {
      // Tests make many changes quickly; the protection tests set their own limits and rules.
      {"KEYRELAY_RATE_LIMIT_MUTATIONS", "off"},
      {"KEYRELAY_RATE_LIMIT_VALIDATIONS", "off"},
      {"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "off"},
      {"KEYRELAY_ALERTS_MANAGEMENT_BURST", "off"},
      {"KEYRELAY_ALERTS_VALIDATION_FAILURES", "off"},
  };
}

VaultServer::VaultServer(Options options)
    : data_dir_(root_ / "data"), shared_env_(std::move(options.shared_env)), tls_ca_(std::move(options.tls_ca)) {
  server_env_ = vault_server_env();
  for (auto& [name, value] : options.env) server_env_[name] = value;
  for (auto& [name, value] : shared_env_) server_env_[name] = value;
  server_env_["KEYRELAY_DATA_DIR"] = data_dir_.string();

  if (options.joins) {
    admin_ = *options.joins;
    start();
    return;
  }
  auto init = json_command(*this, {"init", "--json"});
  const auto& user = init.at("user").as_object();
  const auto& token = init.at("token").as_object();
  admin_ = Identity{text_field(user, "id", "init"), text_field(user, "name", "init"),
                    text_field(token, "token", "init"), text_field(token, "id", "init")};
  start();
}

void VaultServer::start() {
  if (server_) return;
  KeyrelayServer::Options options;
  options.env = server_env_;
  options.tls_ca = tls_ca_;
  server_.emplace(options);
}

void VaultServer::stop() {
  if (!server_) return;
  auto status = server_->stop();
  old_logs_ += server_->logs();
  server_.reset();
  if (status != 0) throw std::runtime_error("keyrelay serve exited " + std::to_string(status) + "\n" + old_logs_);
}

std::string VaultServer::logs() const { return old_logs_ + (server_ ? server_->logs() : std::string()); }

CommandResult VaultServer::cli(const std::vector<std::string>& args) const {
  return run_keyrelay(args, cli_env());
}

Environment VaultServer::cli_env() const {
  Environment env = shared_env_;
  env["KEYRELAY_DATA_DIR"] = data_dir_.string();
  return env;
}

Identity VaultServer::add_user(const std::string& name, bool admin, const std::optional<std::string>& scopes) const {
  std::vector<std::string> args = {"user", "add", name, "--json"};
  if (admin) args.push_back("--admin");
  auto user = json_command(*this, args);
  Identity identity{text_field(user, "id", "user add"), text_field(user, "name", "user add"), "", ""};
  return issue_token(identity, scopes);
}

Identity VaultServer::issue_token(const Identity& user, const std::optional<std::string>& scopes) const {
  std::vector<std::string> args = {"token", "issue", "--user", user.name, "--json"};
  if (scopes) {
    args.push_back("--scopes");
    args.push_back(*scopes);
  }
  auto token = json_command(*this, args);
  Identity identity = user;
  identity.token = text_field(token, "token", "token issue");
  identity.token_id = text_field(token, "id", "token issue");
  return identity;
}

HttpResponse VaultServer::call(const Identity& who, std::string_view method, std::string_view target,
                               std::string_view body, const HeaderList& extra) {
  HeaderList headers = {{"Authorization", "Bearer " + who.token}};
  if (!body.empty() && !has_header(extra, "Content-Type")) headers.emplace_back("Content-Type", "application/json");
  if (!has_header(extra, "User-Agent")) headers.emplace_back("User-Agent", std::string(kVaultTestUserAgent));
  headers.insert(headers.end(), extra.begin(), extra.end());
  return send(method, target, headers, body);
}

HttpResponse VaultServer::send(std::string_view method, std::string_view target, const HeaderList& headers,
                               std::string_view body) {
  if (!server_) throw std::logic_error("VaultServer::send: the server is stopped");
  return record(server_->request(method, target, headers, body));
}

HttpResponse VaultServer::record(HttpResponse response) {
  std::string text = response.version + " " + std::to_string(response.status) + " " + response.reason + "\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\n";
  transcript_.push_back(text + "\n" + response.body);
  return response;
}

json::value json_of(std::string_view text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec) throw std::runtime_error("not JSON (" + ec.message() + "): " + std::string(text));
  return value;
}

json::object object_of(const HttpResponse& response) {
  auto value = json_of(response.body);
  if (!value.is_object()) throw std::runtime_error("not a JSON object:\n" + describe(response));
  return std::move(value.as_object());
}

std::string quoted(std::string_view text) { return json::serialize(json::string(text)); }

std::string random_base64url(std::size_t length) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) out += kAlphabet[pick(engine)];
  return out;
}

std::string make_secret(std::string_view prefix) { return std::string(prefix) + random_base64url(40); }

}  // namespace keyrelay::test
