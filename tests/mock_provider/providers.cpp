#include "providers.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "anthropic_chat.h"
#include "behaviour.h"
#include "embeddings.h"
#include "failure_answers.h"
#include "gemini_chat.h"
#include "openai_chat.h"
#include "provider_table.h"
#include "validate_answers.h"

namespace keyrelay::mock {
namespace {

enum class RouteKind { validate, list_models, chat, embeddings };

struct Route {
  RouteKind kind;
  std::optional<GeminiTarget> gemini;       // chat on the Gemini wire
  std::optional<std::string> embed_model;   // embeddings on the Gemini wire
};

// The chat or list-models route of `p`'s wire at `rest`, with the method it needs.
std::optional<std::pair<Route, std::string_view>> wire_route(const Provider& p, std::string_view rest) {
  switch (p.wire) {
    case Wire::openai:
      if (rest == "/chat/completions") return {{Route{RouteKind::chat, {}}, "POST"}};
      if (rest == "/embeddings") return {{Route{RouteKind::embeddings, {}}, "POST"}};
      if (rest == "/models") return {{Route{RouteKind::list_models, {}}, "GET"}};
      break;
    case Wire::anthropic:
      if (rest == "/v1/messages") return {{Route{RouteKind::chat, {}}, "POST"}};
      if (rest == "/v1/models") return {{Route{RouteKind::list_models, {}}, "GET"}};
      break;
    case Wire::gemini:
      if (auto target = gemini_chat_target(rest)) return {{Route{RouteKind::chat, std::move(target)}, "POST"}};
      if (auto model = gemini_embeddings_model(rest)) return {{Route{RouteKind::embeddings, {}, std::move(model)}, "POST"}};
      if (rest == "/v1beta/models") return {{Route{RouteKind::list_models, {}}, "GET"}};
      break;
    case Wire::none:
      break;
  }
  return std::nullopt;
}

std::variant<ChatCall, Answer> read_chat(const Provider& p, const Incoming& in, const Route& route) {
  switch (p.wire) {
    case Wire::anthropic:
      return read_anthropic_chat(p, in);
    case Wire::gemini:
      return read_gemini_chat(p, in, *route.gemini);
    case Wire::openai:
    case Wire::none:
      break;
  }
  return read_openai_chat(p, in);
}

Answer chat_answer(const Provider& p, const ChatCall& call) {
  const ChatReply reply = reply_to(p.id, call);
  switch (p.wire) {
    case Wire::anthropic:
      return anthropic_chat_answer(call, reply);
    case Wire::gemini:
      return gemini_chat_answer(call, reply);
    case Wire::openai:
    case Wire::none:
      break;
  }
  return openai_chat_answer(p, call, reply);
}

Answer reset_answer() {
  Answer a;
  a.reset = true;
  return a;
}

// limited / quota / error / overloaded: the failure answer, or nullopt for the other keywords.
// `anthropic_stream` leaves Anthropic's overloaded to the stream (an error event after HTTP 200).
std::optional<Answer> failure_for(const Provider& p, const Behaviour& b, bool anthropic_stream) {
  switch (b.keyword) {
    case Keyword::limited:
      return limited_answer(p, b.retry_after_seconds);
    case Keyword::quota:
      return quota_answer(p);
    case Keyword::error:
      return error_answer(p);
    case Keyword::overloaded:
      if (anthropic_stream) return std::nullopt;
      return overloaded_answer(p);
    default:
      return std::nullopt;
  }
}

// slow / cut / drip / broken (and Anthropic's overloaded stream) applied to a success answer.
Answer shaped(Answer a, const Provider& p, const Behaviour& b) {
  a.delay = b.delay;
  if (!a.is_streamed()) {
    if (b.keyword == Keyword::cut) return reset_answer();
    if (b.keyword == Keyword::broken) a.break_body = true;
    return a;
  }
  switch (b.keyword) {
    case Keyword::broken:
      a.reset_after_events = 0;
      break;
    case Keyword::cut:
      // The first 2 events, but never the whole stream: the client must see it end early.
      a.reset_after_events = std::min<std::size_t>(2, a.events.size() - 1);
      break;
    case Keyword::drip:
      // drip<ms>: the events evenly over that long (a stream held open, as a long answer is).
      a.event_gap = b.stream_length.count() > 0 && a.events.size() > 1
                        ? b.stream_length / static_cast<long>(a.events.size() - 1)
                        : kDripGap;
      break;
    case Keyword::overloaded:
      if (p.wire == Wire::anthropic) a.events = {a.events.front(), anthropic_overloaded_event()};
      break;
    default:
      break;
  }
  return a;
}

// OpenAI's account scoping: a key used with an organization it does not belong to is refused.
std::optional<Answer> organization_check(const Provider& p, const Incoming& in) {
  if (p.id != "openai") return std::nullopt;
  const auto org = find_header(in.headers, "OpenAI-Organization");
  if (!org || *org == "org-mock") return std::nullopt;
  return json_answer(401, {{"error", {{"message", "OpenAI-Organization header should match organization for API key"},
                                      {"type", "invalid_request_error"},
                                      {"param", nullptr},
                                      {"code", "mismatched_organization"}}}});
}

Answer answer_for(const Incoming& in);

}  // namespace

Answer answer_provider_request(const Incoming& in) {
  Answer a = answer_for(in);
  if (in.path.starts_with("/openai/")) {
    a.headers.emplace_back("openai-organization", "org-mock");
    a.headers.emplace_back("openai-project", "proj_mock");
  }
  return a;
}

namespace {

Answer answer_for(const Incoming& in) {
  // "/<id>/<rest>"
  const std::string_view path = in.path;
  if (path.size() < 2 || path[0] != '/') return not_found_answer(in);
  const auto slash = path.find('/', 1);
  if (slash == std::string_view::npos) return not_found_answer(in);
  const Provider* provider = find_provider(path.substr(1, slash - 1));
  if (provider == nullptr) return not_found_answer(in);
  const Provider& p = *provider;
  const std::string_view rest = path.substr(slash);

  // The wire's routes first: Perplexity validates through its chat call.
  Route route{RouteKind::validate, {}};
  std::string_view method = p.method;
  if (auto wire = wire_route(p, rest)) {
    route = std::move(wire->first);
    method = wire->second;
  } else if (rest != p.path) {
    return not_found_answer(in);
  }
  if (in.method != method) return method_not_allowed_answer(in, method);

  if (auto refused = organization_check(p, in)) return std::move(*refused);
  const std::string key = extract_key(p, in);
  if (key.empty()) return invalid_answer(p, key);
  const Behaviour b = parse_behaviour(key);
  if (b.keyword == Keyword::invalid) return invalid_answer(p, key);
  if (p.wire == Wire::anthropic && !find_header(in.headers, "anthropic-version"))
    return bad_request_answer(p, "anthropic-version: header is required");
  if (b.keyword == Keyword::echo) {
    Answer a;
    a.headers.emplace_back("Content-Type", "application/json");
    a.body = describe_request(in);
    return a;
  }
  if (b.keyword == Keyword::reset) return reset_answer();
  if (b.keyword == Keyword::leaky) return bad_request_answer(p, "cannot serve this request with the key " + key);
  if (b.keyword == Keyword::denied && route.kind == RouteKind::chat) return invalid_answer(p, key);

  if (route.kind == RouteKind::embeddings) {
    Answer answer = route.embed_model ? gemini_embeddings_answer(p, in, *route.embed_model) : openai_embeddings_answer(p, in);
    if (answer.status == 400) return answer;
    if (auto failure = failure_for(p, b, false)) return std::move(*failure);
    return shaped(std::move(answer), p, b);
  }
  if (route.kind != RouteKind::chat) {
    if (auto failure = failure_for(p, b, false)) return std::move(*failure);
    return shaped(route.kind == RouteKind::list_models ? list_models_answer(p, in) : validate_answer(p, in), p, b);
  }
  auto read = read_chat(p, in, route);
  if (auto* bad = std::get_if<Answer>(&read)) return std::move(*bad);
  const ChatCall& call = std::get<ChatCall>(read);
  if (auto failure = failure_for(p, b, p.wire == Wire::anthropic && call.stream)) return std::move(*failure);
  return shaped(chat_answer(p, call), p, b);
}

}  // namespace
}  // namespace keyrelay::mock
