#include "rotation_support.h"

#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace keyrelay::test {
namespace {

namespace json = boost::json;

bool is_integer(const json::value* v) { return v != nullptr && (v->is_int64() || v->is_uint64()); }

std::string field_names(const json::object& o) {
  std::string names;
  for (const auto& [k, v] : o) names += (names.empty() ? "" : ",") + std::string(k);
  return names;
}

[[noreturn]] void bad_status(const std::string& why, const std::string& text) {
  throw std::runtime_error("master-key status --json: " + why + " in: " + text);
}

}  // namespace

const MasterKeyVersion& MasterKeyStatus::at(std::int64_t version) const {
  for (const auto& v : versions)
    if (v.version == version) return v;
  throw std::runtime_error("master-key status lists no version " + std::to_string(version) + ": " + text);
}

std::int64_t MasterKeyStatus::rows_on(std::int64_t version) const {
  for (const auto& v : versions)
    if (v.version == version) return v.rows;
  return 0;
}

std::int64_t MasterKeyStatus::total_rows() const {
  std::int64_t total = 0;
  for (const auto& v : versions) total += v.rows;
  return total;
}

MasterKeyStatus master_key_status(const Environment& env) {
  auto result = run_keyrelay({"master-key", "status", "--json"}, env);
  if (result.exit_status != 0)
    throw std::runtime_error("master-key status --json exited " + std::to_string(result.exit_status) + ":\n" +
                             result.output());
  MasterKeyStatus status;
  status.text = result.out;
  auto value = json_of(result.out);
  if (!value.is_object()) bad_status("not an object", result.out);
  const auto& o = value.as_object();
  if (o.size() != 3 || !is_integer(o.if_contains("active")) || o.if_contains("versions") == nullptr ||
      !o.at("versions").is_array() || o.if_contains("nodes") == nullptr || !o.at("nodes").is_array())
    bad_status("not {\"active\":int,\"versions\":[…],\"nodes\":[…]} (fields " + field_names(o) + ")", result.out);
  status.active = o.at("active").to_number<std::int64_t>();
  for (const auto& item : o.at("versions").as_array()) {
    if (!item.is_object()) bad_status("a version is not an object", result.out);
    const auto& v = item.as_object();
    if (v.size() != 4 || !is_integer(v.if_contains("version")) || !is_integer(v.if_contains("rows")) ||
        v.if_contains("state") == nullptr || !v.at("state").is_string() || v.if_contains("retired") == nullptr ||
        !v.at("retired").is_bool())
      bad_status("a version is not {\"version\":int,\"state\":string,\"rows\":int,\"retired\":bool} (fields " +
                     field_names(v) + ")",
                 result.out);
    status.versions.push_back({v.at("version").to_number<std::int64_t>(), std::string(v.at("state").get_string()),
                               v.at("rows").to_number<std::int64_t>(), v.at("retired").get_bool()});
  }
  for (const auto& item : o.at("nodes").as_array()) {
    const auto* n = item.if_object();
    const auto is_text = [&](const char* name) { return n->if_contains(name) != nullptr && n->at(name).is_string(); };
    if (n == nullptr || n->size() != 7 || !is_text("id") || !is_integer(n->if_contains("pid")) || !is_text("hostname") ||
        !is_text("started_at") || !is_text("heartbeat_at") || n->if_contains("loaded_versions") == nullptr ||
        !n->at("loaded_versions").is_array() || !is_integer(n->if_contains("active_version")))
      bad_status("a node is not {\"id\",\"pid\",\"hostname\",\"started_at\",\"heartbeat_at\",\"loaded_versions\","
                 "\"active_version\"}",
                 result.out);
    MasterKeyNode node{std::string(n->at("id").get_string()), n->at("pid").to_number<std::int64_t>(),
                       std::string(n->at("hostname").get_string()), {}, n->at("active_version").to_number<std::int64_t>()};
    for (const auto& v : n->at("loaded_versions").as_array()) {
      if (!is_integer(&v)) bad_status("loaded_versions holds a non-integer", result.out);
      node.loaded_versions.push_back(v.to_number<std::int64_t>());
    }
    status.nodes.push_back(std::move(node));
  }
  return status;
}

RotateOutcome rotate_master_key(const VaultServer& vault, std::string_view timeout) {
  RotateOutcome outcome;
  outcome.command = vault.cli({"master-key", "rotate", "--timeout", std::string(timeout), "--json"});
  if (outcome.command.exit_status != 0) return outcome;
  auto value = json_of(outcome.command.out);
  if (!value.is_object()) throw std::runtime_error("master-key rotate --json printed " + outcome.command.out);
  outcome.report = std::move(value.as_object());
  if (const auto* failed = outcome.report.if_contains("failed"); failed != nullptr && failed->is_array()) {
    for (const auto& id : failed->as_array())
      if (id.is_string()) outcome.failed.insert(std::string(id.get_string()));
    outcome.failed_entries = failed->as_array().size();
  }
  if (const auto* acknowledged = outcome.report.if_contains("acknowledged_by");
      acknowledged != nullptr && acknowledged->is_array()) {
    for (const auto& id : acknowledged->as_array())
      if (id.is_string()) outcome.acknowledged_by.insert(std::string(id.get_string()));
  }
  return outcome;
}

::testing::AssertionResult is_rotate_report(const json::object& report) {
  auto fail = [&](std::string_view why) {
    return ::testing::AssertionFailure() << "rotate report " << why << ": " << json::serialize(report);
  };
  if (report.size() != 5) return fail("does not have exactly from_version,to_version,rewrapped,failed,acknowledged_by");
  for (auto name : {"from_version", "to_version", "rewrapped"})
    if (!is_integer(report.if_contains(name))) return fail(std::string(name) + " is not an integer");
  const auto* failed = report.if_contains("failed");
  if (failed == nullptr || !failed->is_array()) return fail("failed is not an array");
  for (const auto& id : failed->as_array())
    if (!id.is_string()) return fail("failed holds a non-string");
  const auto* acknowledged = report.if_contains("acknowledged_by");
  if (acknowledged == nullptr || !acknowledged->is_array()) return fail("acknowledged_by is not an array");
  for (const auto& id : acknowledged->as_array())
    if (!id.is_string()) return fail("acknowledged_by holds a non-string");
  return ::testing::AssertionSuccess();
}

}  // namespace keyrelay::test
