#pragma once
// Maps (method, path) to a handler. Patterns are "/"-separated segments: literal text, "{name}"
// (one segment) or a final "{name...}" (the rest of the path, one or more segments).
// A literal segment wins over a parameter, and a parameter over a tail: "/keys/expiring" is not
// "/keys/{id}". When the path matches but the method does not, match() reports the allowed methods
// so the caller can answer 405 with Allow.
//
// Built once at start (add() is not thread-safe); match() is const and safe from any thread.

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"
#include "http/method.h"

namespace keyrelay::http {

struct Route {
  Method method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
};

struct RouteMatch {
  const Route* route = nullptr;  // null when no route serves this method and path
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<Method> allowed;   // non-empty when only the method was wrong
  bool path_matched() const noexcept { return route != nullptr || !allowed.empty(); }
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers a route. Throws std::invalid_argument on a malformed pattern, a duplicate
  // (method, pattern), or two parameter names at one position: these are start-up bugs.
  void add(Method method, std::string pattern, Handler handler, RouteOptions options = {});

  RouteMatch match(Method method, std::string_view path) const;

  std::size_t size() const noexcept { return routes_.size(); }

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

// "GET, POST" for an Allow header.
std::string allow_header(const std::vector<Method>& methods);

}  // namespace keyrelay::http
