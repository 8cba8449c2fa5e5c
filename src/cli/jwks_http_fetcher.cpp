#include "cli/jwks_http_fetcher.h"

#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "auth/jwks.h"
#include "core/spawned.h"
#include "gateway/upstream_client.h"
#include "gateway/upstream_url.h"

namespace keyrelay::cli {
namespace net = boost::asio;

struct JwksHttpFetcher::State {
  std::string url;
  std::string host;  // what error messages name
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<gateway::UpstreamClient> client;  // destroyed before `io`
  std::thread thread;
};

namespace {

// A key set server is small and near: short timeouts, two connections at most, 1 MiB like the file.
gateway::UpstreamOptions fetch_options(std::optional<std::filesystem::path> extra_ca_file) {
  gateway::UpstreamOptions options;
  options.extra_ca_file = std::move(extra_ca_file);
  options.connect_timeout = std::chrono::seconds(5);
  options.first_byte_timeout = std::chrono::seconds(10);
  options.idle_timeout = std::chrono::seconds(10);
  options.max_connections_per_origin = 2;
  options.max_response_bytes = auth::kMaxJwksFileBytes;
  return options;
}

std::optional<std::string> header(const gateway::UpstreamResponse& response, std::string_view name) {
  if (auto value = response.headers.get(name)) return std::string(*value);
  return std::nullopt;
}

net::awaitable<core::Spawned<auth::JwksDocument>> get_key_set(JwksHttpFetcher::State& state) {
  gateway::UpstreamRequest request{.method = "GET", .url = state.url};
  request.headers.add("Accept", "application/json");
  auto response = co_await state.client->fetch(std::move(request));
  if (!response) co_return core::Result<auth::JwksDocument>(response.error());
  if (response->status != 200) {
    // A redirect is not followed: the operator configures the final URL.
    co_return core::Result<auth::JwksDocument>(core::Error::upstream_error(
        "the JWKS URL at " + state.host + " answered HTTP " + std::to_string(response->status)));
  }
  co_return core::Result<auth::JwksDocument>(auth::JwksDocument{.body = std::move(response->body),
                                                                .cache_control = header(*response, "Cache-Control"),
                                                                .expires = header(*response, "Expires")});
}

}  // namespace

core::Result<std::unique_ptr<JwksHttpFetcher>> JwksHttpFetcher::create(
    std::string url, std::optional<std::filesystem::path> extra_ca_file) {
  auto target = gateway::parse_upstream_url(url);
  if (!target) return core::Error::invalid_request("KEYRELAY_JWT_JWKS_URL: " + target.error().message);
  auto state = std::make_unique<State>();
  state->url = std::move(url);
  state->host = target->origin.host;
  try {
    state->client = std::make_unique<gateway::UpstreamClient>(state->io.get_executor(),
                                                              fetch_options(std::move(extra_ca_file)));
  } catch (const std::exception& e) {
    return core::Error::internal(std::string("KEYRELAY_UPSTREAM_CA_FILE: ") + e.what());
  }
  state->thread = std::thread([io = &state->io] { io->run(); });
  return std::unique_ptr<JwksHttpFetcher>(new JwksHttpFetcher(std::move(state)));
}

JwksHttpFetcher::JwksHttpFetcher(std::unique_ptr<State> state) : state_(std::move(state)) {}

JwksHttpFetcher::~JwksHttpFetcher() {
  state_->work.reset();
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

core::Result<auth::JwksDocument> JwksHttpFetcher::fetch(std::chrono::milliseconds timeout) {
  auto answer = net::co_spawn(state_->io, get_key_set(*state_), net::use_future);
  // The exchange keeps running past an abandoned wait until the client's own timeouts end it.
  if (answer.wait_for(timeout) != std::future_status::ready) {
    return core::Error::upstream_timeout("the JWKS URL at " + state_->host + " did not answer within " +
                                         std::to_string(timeout.count()) + " ms");
  }
  try {
    return std::move(answer.get().value);
  } catch (const std::exception&) {
    return core::Error::upstream_error("fetching the JWKS URL at " + state_->host + " failed");
  }
}

}  // namespace keyrelay::cli
