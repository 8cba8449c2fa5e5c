#include "cluster_load.h"

#include <boost/json/serialize.hpp>

#include "cluster_harness.h"
#include "gateway_harness.h"
#include "vault_api.h"

namespace keyrelay::test {

namespace json = boost::json;

void NodeLoad::run(const std::stop_token& stop) {
  const HeaderList auth = {{"Authorization", "Bearer " + who_.token}, {"Content-Type", "application/json"}};
  const std::string chat = json::serialize(Gateway::chat_body("gpt-4o-mini", "hi there"));
  for (std::size_t i = 0; !stop.stop_requested(); ++i) {
    try {
      auto connection = HttpConnection::connect(port_);
      if (i % 3 == 2) {
        const std::string body = body_of({{"provider", "anthropic"},
                                          {"name", tag_ + "-" + std::to_string(i)},
                                          {"secret", cluster_secret("anthropic", "valid")}});
        auto r = connection.request("POST", "/api/v1/keys", auth, body);
        if (r.status == 201) {
          std::lock_guard lock(mutex_);
          acknowledged_.push_back(str(object_of(r), "id"));
        } else {
          note("create " + std::to_string(r.status) + " " + r.body.substr(0, 200));
        }
      } else {
        auto r = connection.request("POST", "/v1/chat/completions", auth, chat);
        if (r.status != 200) note("chat " + std::to_string(r.status) + " " + r.body.substr(0, 200));
      }
      ++completed_;
    } catch (const std::exception& e) {
      note(std::string("no answer: ") + e.what());
    }
  }
}
void NodeLoad::note(std::string what) {
  std::lock_guard lock(mutex_);
  failures_.push_back(std::move(what));
}

}  // namespace keyrelay::test
