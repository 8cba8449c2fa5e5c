// Master-key rotation while the vault serves: `keyrelay master-key rotate` (another process, same
// data dir) adds a pending version, activates it and re-wraps every key, while two clients keep
// listing, reading, creating, patching, rotating and deleting keys. Not one request may fail, and
// afterwards every key is on the new version. Then the old version is retired: the server keeps
// serving, every key still opens (a further rotation opens each one in full), retiring a version
// that keys or sealing still use is refused, and the audit trail still verifies.
// docs/decisions.md "Master keyring states and rotation"; ARCHITECTURE.md "Rotation without a
// failed request"; API.md "Command line".

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rotation_support.h"
#include "support/deadline.h"
#include "support/http_client.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// One request a load client sent and what came back (status 0: no response at all).
struct Exchange {
  std::string request;  // "PATCH /api/v1/keys/…"
  int expected = 0;
  int status = 0;
  std::string detail;  // the response body or the client error, shortened
};

// A thread that, until stopped, cycles through the management calls a front end makes on one
// user's keys, each on a fresh connection, and records every status. It deletes only keys it
// created itself, so the keys it was given stay readable throughout, and gives new secrets only to
// the first half of them. Thread-safe accessors.
class LoadClient {
 public:
  LoadClient(std::uint16_t port, Identity who, std::vector<std::string> key_ids, std::string tag)
      : port_(port), who_(std::move(who)), live_(std::move(key_ids)), tag_(std::move(tag)),
        thread_([this](std::stop_token stop) { run(stop); }) {}

  void stop() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

  std::size_t completed() const { return completed_.load(); }

  // Only after stop().
  const std::vector<Exchange>& failures() const { return failures_; }
  const std::map<std::string, std::size_t>& succeeded_by_kind() const { return succeeded_; }

 private:
  void run(const std::stop_token& stop) {
    std::vector<std::string> created;  // by this client, not yet deleted
    for (std::size_t i = 0; !stop.stop_requested(); ++i) {
      const std::string some_key = "/api/v1/keys/" + live_[i % live_.size()];
      switch (i % 6) {
        case 0:
          send("list", "GET", "/api/v1/keys?limit=100", "", 200);
          break;
        case 1:
          send("get", "GET", some_key, "", 200);
          break;
        case 2: {
          const std::string name = tag_ + "-" + std::to_string(i);
          auto body = body_of({{"provider", "openai"}, {"name", name}, {"secret", make_secret()}});
          auto response = send("create", "POST", "/api/v1/keys", body, 201);
          if (response && response->status == 201) {
            boost::system::error_code ec;
            const auto parsed = json::parse(response->body, ec);
            if (!ec && parsed.is_object()) created.push_back(str(parsed.as_object(), "id"));
          }
          break;
        }
        case 3:
          send("patch", "PATCH", some_key, body_of({{"priority", static_cast<std::int64_t>(i % 10)}}), 200);
          break;
        case 4: {
          // Only the first half of the given keys get new secrets; the rotation command itself
          // has to move the others (which are read and patched meanwhile).
          const std::string rotated_key = "/api/v1/keys/" + live_[(i / 6) % (live_.size() / 2)];
          send("rotate", "POST", rotated_key + "/rotate", body_of({{"secret", make_secret()}}), 200);
          break;
        }
        default:
          if (created.empty()) {
            send("list", "GET", "/api/v1/keys?limit=100", "", 200);
          } else {
            send("delete", "DELETE", "/api/v1/keys/" + created.back(), "", 204);
            created.pop_back();
          }
          break;
      }
      completed_.fetch_add(1);
    }
  }

  std::optional<HttpResponse> send(const std::string& kind, std::string_view method, const std::string& target,
                                   const std::string& body, int expected) {
    HeaderList headers = {{"Authorization", "Bearer " + who_.token},
                          {"User-Agent", std::string(kVaultTestUserAgent)}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    Exchange exchange{std::string(method) + " " + target, expected, 0, ""};
    std::optional<HttpResponse> response;
    try {
      response = HttpConnection::connect(port_).request(method, target, headers, body);
      exchange.status = response->status;
      exchange.detail = response->body.substr(0, 300);
    } catch (const std::exception& e) {
      exchange.detail = e.what();
    }
    if (exchange.status == expected)
      ++succeeded_[kind];
    else
      failures_.push_back(std::move(exchange));
    return response;
  }

  const std::uint16_t port_;
  const Identity who_;
  const std::vector<std::string> live_;
  const std::string tag_;
  std::atomic<std::size_t> completed_{0};
  std::vector<Exchange> failures_;                // the client thread's until stop()
  std::map<std::string, std::size_t> succeeded_;  // likewise
  std::jthread thread_;                           // last: starts once everything above exists
};

std::string describe_failures(const LoadClient& client) {
  std::string out = std::to_string(client.failures().size()) + " failed; succeeded:";
  for (const auto& [kind, n] : client.succeeded_by_kind()) out += " " + kind + "=" + std::to_string(n);
  std::size_t shown = 0;
  for (const auto& f : client.failures()) {
    if (++shown > 10) break;
    out += "\n  " + f.request + " → " + std::to_string(f.status) + " (expected " + std::to_string(f.expected) +
           "): " + f.detail;
  }
  return out;
}

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

class RotationUnderLoad : public ::testing::Test {
 protected:
  // Creates `count` keys for `who` and returns their ids.
  std::vector<std::string> create_keys(const Identity& who, std::string_view prefix, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i)
      ids.push_back(str(create_key(vault, who, "openai", std::string(prefix) + std::to_string(i), make_secret()), "id"));
    return ids;
  }

  // Every key of both users, through the API.
  std::vector<json::object> all_keys() {
    auto keys = list_all(vault, alice, "/api/v1/keys?limit=100");
    auto more = list_all(vault, bob, "/api/v1/keys?limit=100");
    keys.insert(keys.end(), more.begin(), more.end());
    return keys;
  }

  // Waits until the server has logged `count` keyring loads (it re-reads the file every 2 s).
  bool server_loaded_keyring(std::size_t count) {
    return poll_until(deadline_in(10s), [&] { return count_of(vault.logs(), "keyring loaded") >= count; }, 100ms);
  }

  void expect_audit_verifies() {
    auto verify = vault.cli({"audit", "verify", "--json"});
    EXPECT_EQ(verify.exit_status, 0) << verify.output();
    auto report = json_of(verify.out);
    ASSERT_TRUE(report.is_object()) << verify.output();
    EXPECT_EQ(report.as_object().at("ok"), true) << verify.output();
  }

  VaultServer vault{VaultServer::Options{.env = {{"KEYRELAY_RATE_LIMIT_MUTATIONS", "off"}}}};
  Identity alice = vault.add_user("alice");
  Identity bob = vault.add_user("bob");
};

TEST_F(RotationUnderLoad, NoRequestFailsWhileTheMasterKeyRotatesAndEveryKeyEndsOnTheNewVersion) {
  auto alice_keys = create_keys(alice, "a", 10);
  auto bob_keys = create_keys(bob, "b", 10);

  LoadClient alice_load(vault.server().port(), alice, alice_keys, "alice-load");
  LoadClient bob_load(vault.server().port(), bob, bob_keys, "bob-load");
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return alice_load.completed() >= 12 && bob_load.completed() >= 12; }))
      << "the load clients made no progress";

  const std::size_t alice_before = alice_load.completed();
  const std::size_t bob_before = bob_load.completed();
  auto rotation = rotate_master_key(vault);
  const std::size_t alice_during = alice_load.completed() - alice_before;
  const std::size_t bob_during = bob_load.completed() - bob_before;

  // Writes after the rotation: each client goes through its whole cycle twice more.
  const bool went_on = poll_until(deadline_in(10s), [&] {
    return alice_load.completed() >= alice_before + alice_during + 12 &&
           bob_load.completed() >= bob_before + bob_during + 12;
  });
  alice_load.stop();
  bob_load.stop();
  EXPECT_TRUE(went_on) << "the load stalled after the rotation";

  ASSERT_EQ(rotation.command.exit_status, 0) << rotation.command.output() << "\n" << vault.logs();
  EXPECT_TRUE(is_rotate_report(rotation.report));
  EXPECT_EQ(rotation.report.at("from_version"), 1) << rotation.command.out;
  EXPECT_EQ(rotation.report.at("to_version"), 2) << rotation.command.out;
  EXPECT_TRUE(rotation.failed.empty()) << rotation.command.out;
  // The 10 given keys that the clients never rotate can only have moved by being re-wrapped (the
  // others may have been moved by a client's new secret first).
  EXPECT_GE(rotation.report.at("rewrapped").to_number<std::int64_t>(), 10) << rotation.command.out;

  // The load really ran through the rotation (a few seconds: the server re-reads the keyring every
  // 2 s, once for the pending version and once for its activation).
  EXPECT_GE(alice_during, 30u);
  EXPECT_GE(bob_during, 30u);
  EXPECT_TRUE(alice_load.failures().empty()) << "alice: " << describe_failures(alice_load);
  EXPECT_TRUE(bob_load.failures().empty()) << "bob: " << describe_failures(bob_load);

  // Every key, including those created and rotated by the clients after the rotation, is sealed
  // under version 2 without a second rotation.
  const auto keys = all_keys();
  const auto status = master_key_status(vault);
  EXPECT_EQ(status.active, 2) << status.text;
  EXPECT_EQ(status.at(1).rows, 0) << status.text;
  EXPECT_EQ(status.at(1).state, "active") << status.text;
  EXPECT_EQ(status.at(2).rows, static_cast<std::int64_t>(keys.size())) << status.text;
  EXPECT_EQ(status.total_rows(), static_cast<std::int64_t>(keys.size())) << status.text;
  for (const auto& key : keys) EXPECT_EQ(str(key, "status"), "active") << json::serialize(key);

  EXPECT_EQ(vault.logs().find("keyring not reloaded"), std::string::npos) << vault.logs();
  expect_audit_verifies();
}

TEST_F(RotationUnderLoad, RetiringTheOldVersionKeepsEveryKeyOpenableAndTheAuditVerifiable) {
  // A trail and keys sealed under version 1.
  auto alice_keys = create_keys(alice, "a", 10);
  auto bob_keys = create_keys(bob, "b", 10);
  for (const auto& id : alice_keys) {
    get_key(vault, alice, "/api/v1/keys/" + id);
    ASSERT_EQ(vault.call(alice, "PATCH", "/api/v1/keys/" + id, R"({"priority":2})").status, 200);
  }
  ASSERT_EQ(vault.call(bob, "POST", "/api/v1/keys/" + bob_keys[0] + "/rotate", body_of({{"secret", make_secret()}}))
                .status,
            200);

  auto first = rotate_master_key(vault);
  ASSERT_EQ(first.command.exit_status, 0) << first.command.output();
  EXPECT_EQ(first.report.at("to_version"), 2) << first.command.out;
  EXPECT_EQ(first.report.at("rewrapped"), 20) << first.command.out;
  EXPECT_TRUE(first.failed.empty()) << first.command.out;
  ASSERT_EQ(master_key_status(vault).at(1).rows, 0);

  // Retire version 1: only its audit key stays in the file.
  const std::size_t loads_before = count_of(vault.logs(), "keyring loaded");
  auto retire_one = vault.cli({"master-key", "retire", "1"});
  ASSERT_EQ(retire_one.exit_status, 0) << retire_one.output();
  {
    const auto status = master_key_status(vault);
    EXPECT_EQ(status.active, 2) << status.text;
    EXPECT_TRUE(status.at(1).retired) << status.text;
    EXPECT_EQ(status.at(1).state, "retired") << status.text;
    EXPECT_EQ(status.at(1).rows, 0) << status.text;
    EXPECT_FALSE(status.at(2).retired) << status.text;
  }
  ASSERT_TRUE(server_loaded_keyring(loads_before + 1)) << "the server never re-read the keyring\n" << vault.logs();

  // The server keeps serving: reads of every key, and a write sealed under version 2.
  EXPECT_EQ(all_keys().size(), 20u);
  for (const auto& id : alice_keys) EXPECT_EQ(str(get_key(vault, alice, "/api/v1/keys/" + id), "status"), "active");
  for (const auto& id : bob_keys) EXPECT_EQ(str(get_key(vault, bob, "/api/v1/keys/" + id), "status"), "active");
  create_key(vault, alice, "anthropic", "after-retire", make_secret("sk-ant-"));
  ASSERT_EQ(vault.call(bob, "POST", "/api/v1/keys/" + bob_keys[1] + "/rotate", body_of({{"secret", make_secret()}}))
                .status,
            200);
  const auto keys = all_keys();
  ASSERT_EQ(keys.size(), 21u);
  ASSERT_EQ(master_key_status(vault).rows_on(2), 21);

  // Version 2 still seals every key: retiring it is refused and changes nothing.
  auto retire_two = vault.cli({"master-key", "retire", "2"});
  EXPECT_EQ(retire_two.exit_status, 1) << retire_two.output();
  EXPECT_NE(retire_two.output().find("21 keys still use master key version 2"), std::string::npos)
      << retire_two.output();
  EXPECT_FALSE(master_key_status(vault).at(2).retired);

  // Every key still opens: the next rotation opens each one in full before re-wrapping it.
  auto second = rotate_master_key(vault);
  ASSERT_EQ(second.command.exit_status, 0) << second.command.output() << "\n" << vault.logs();
  EXPECT_TRUE(is_rotate_report(second.report));
  EXPECT_EQ(second.report.at("from_version"), 2) << second.command.out;
  EXPECT_EQ(second.report.at("to_version"), 3) << second.command.out;
  EXPECT_EQ(second.report.at("rewrapped"), 21) << second.command.out;
  EXPECT_TRUE(second.failed.empty()) << second.command.out;

  // The sealing version cannot be retired either.
  auto retire_three = vault.cli({"master-key", "retire", "3"});
  EXPECT_EQ(retire_three.exit_status, 1) << retire_three.output();
  EXPECT_FALSE(retire_three.err.empty());
  {
    const auto status = master_key_status(vault);
    EXPECT_EQ(status.active, 3) << status.text;
    EXPECT_FALSE(status.at(3).retired) << status.text;
    EXPECT_EQ(status.at(3).rows, 21) << status.text;
    EXPECT_EQ(status.at(2).rows, 0) << status.text;
    EXPECT_TRUE(status.at(1).retired) << status.text;
  }

  // Old audit rows (sealed under the retired version 1) verify with its kept audit key.
  expect_audit_verifies();
  EXPECT_EQ(all_keys().size(), 21u);
  EXPECT_EQ(vault.logs().find("keyring not reloaded"), std::string::npos) << vault.logs();
}

}  // namespace
}  // namespace keyrelay::test
