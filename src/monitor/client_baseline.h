#pragma once
// Which clients (IP address and user agent) a user's keys were used from, to notice a new one
// (key.new_client): in this process's memory (ClientSightings) or shared by every node
// (RedisClientSightings).

#include <string_view>

namespace keyrelay::monitor {

class ClientBaseline {
 public:
  virtual ~ClientBaseline() = default;
  // Records that `user_id` was served for (`ip`, `user_agent`); true when that client is new for a
  // user who already had another one.
  virtual bool is_new(std::string_view user_id, std::string_view ip, std::string_view user_agent) = 0;
};

}  // namespace keyrelay::monitor
