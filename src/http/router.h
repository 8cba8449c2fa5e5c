#pragma once
// Maps (method, path) to a handler. Patterns are "/"-separated segments: literal text, "{name}"
// (one segment) or a final "{name...}" (the rest of the path, one or more segments).
// A literal segment wins over a parameter, and a parameter over a tail: "/keys/expiring" is not
// "/keys/{id}". When the path matches but the method does not, match() reports the allowed methods
// so the caller can answer 405 with Allow.
//
// Each family of routes answers errors in its own shape: a family registers its shape once for its
// path prefix (set_error_shape), and every error of a request under that prefix — a handler's, a
// head check's, or one the server answers itself (404, 405, 413 …) — is spelled by it. The longest
// registered prefix wins; everything else gets the API shape of http::error_response.
//
// Built once at start (add() and set_error_shape() are not thread-safe); match() and error_shape()
// are const and safe from any thread.

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/handler.h"
#include "http/method.h"

namespace keyrelay::http {

// Builds the answer to `error` for the request `request_id` (status, headers and body).
using ErrorShape = Response (*)(const core::Error& error, std::string_view request_id);

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

  // Start-up only (not thread-safe): the routes whose pattern starts with `prefix`, in the order
  // added, for a layer that decorates a family (cors.h replaces their handlers with wrapped ones).
  std::vector<Route*> routes_under(std::string_view prefix);

  // Requests whose path starts with `prefix` ("/v1/") answer errors in `shape`. Throws
  // std::invalid_argument when `prefix` has a shape already (two families claiming one prefix).
  void set_error_shape(std::string prefix, ErrorShape shape);
  // The error shape for a request to `path`: the longest registered prefix's, else error_response.
  ErrorShape error_shape(std::string_view path) const noexcept;

  std::size_t size() const noexcept { return routes_.size(); }
  // Every registered (method, pattern), in the order added: what the server serves (the OpenAPI
  // document's coverage check compares it with the document).
  std::vector<std::pair<Method, std::string>> routes() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::pair<std::string, ErrorShape>> error_shapes_;  // few: a linear scan is fastest
};

// "GET, POST" for an Allow header.
std::string allow_header(const std::vector<Method>& methods);

}  // namespace keyrelay::http
