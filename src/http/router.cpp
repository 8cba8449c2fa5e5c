#include "http/router.h"

#include <map>
#include <stdexcept>

#include "http/error_response.h"

namespace keyrelay::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::string param_name;
  std::unique_ptr<Node> tail;
  std::string tail_name;
  std::array<const Route*, kMethodCount> routes{};

  bool has_routes() const {
    for (const Route* r : routes)
      if (r != nullptr) return true;
    return false;
  }
};

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_param(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_tail(std::string_view s) { return is_param(s) && s.ends_with("...}"); }

std::string join(const std::vector<std::string_view>& segments, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < segments.size(); ++i) {
    if (i > from) out += '/';
    out += segments[i];
  }
  return out;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::add(Method method, std::string pattern, Handler handler, RouteOptions options) {
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
  const auto segments = split_path(pattern);
  Node* node = root_.get();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string_view seg = segments[i];
    if (is_tail(seg)) {
      if (i + 1 != segments.size()) throw std::invalid_argument("a {name...} segment must be last: " + pattern);
      const std::string name(seg.substr(1, seg.size() - 5));
      if (!node->tail) {
        node->tail = std::make_unique<Node>();
        node->tail_name = name;
      } else if (node->tail_name != name) {
        throw std::invalid_argument("conflicting tail names in " + pattern);
      }
      node = node->tail.get();
    } else if (is_param(seg)) {
      const std::string name(seg.substr(1, seg.size() - 2));
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        throw std::invalid_argument("conflicting parameter names at one position in " + pattern);
      }
      node = node->param.get();
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) throw std::invalid_argument("bad segment in " + pattern);
      auto& child = node->literals[std::string(seg)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  auto& slot = node->routes[static_cast<std::size_t>(method)];
  if (slot != nullptr) throw std::invalid_argument("duplicate route " + std::string(method_name(method)) + " " + pattern);
  routes_.push_back(std::make_unique<Route>(Route{method, std::move(pattern), std::move(handler), options}));
  slot = routes_.back().get();
}

RouteMatch Router::match(Method method, std::string_view path) const {
  RouteMatch result;
  const auto segments = split_path(path);
  if (segments.empty()) return result;

  // Depth-first: literal, then parameter, then tail; the first node that has any route wins.
  std::vector<std::pair<std::string, std::string>> params;
  auto walk = [&](auto&& self, const Node* node, std::size_t i) -> const Node* {
    if (i == segments.size()) return node->has_routes() ? node : nullptr;
    const std::string_view seg = segments[i];
    if (auto it = node->literals.find(seg); it != node->literals.end()) {
      if (const Node* found = self(self, it->second.get(), i + 1)) return found;
    }
    if (node->param && !seg.empty()) {
      params.emplace_back(node->param_name, std::string(seg));
      if (const Node* found = self(self, node->param.get(), i + 1)) return found;
      params.pop_back();
    }
    if (node->tail && node->tail->has_routes() && !seg.empty()) {
      params.emplace_back(node->tail_name, join(segments, i));
      return node->tail.get();
    }
    return nullptr;
  };

  const Node* node = walk(walk, root_.get(), 0);
  if (node == nullptr) return result;
  if (const Route* route = node->routes[static_cast<std::size_t>(method)]) {
    result.route = route;
    result.params = std::move(params);
    return result;
  }
  for (std::size_t m = 0; m < kMethodCount; ++m)
    if (node->routes[m] != nullptr) result.allowed.push_back(static_cast<Method>(m));
  return result;
}

std::vector<std::pair<Method, std::string>> Router::routes() const {
  std::vector<std::pair<Method, std::string>> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.emplace_back(r->method, r->pattern);
  return out;
}

std::vector<Route*> Router::routes_under(std::string_view prefix) {
  std::vector<Route*> found;
  for (const auto& route : routes_)
    if (route->pattern.starts_with(prefix)) found.push_back(route.get());
  return found;
}

void Router::set_error_shape(std::string prefix, ErrorShape shape) {
  for (const auto& [registered, _] : error_shapes_)
    if (registered == prefix) throw std::invalid_argument("two error shapes for the prefix " + prefix);
  error_shapes_.emplace_back(std::move(prefix), shape);
}

ErrorShape Router::error_shape(std::string_view path) const noexcept {
  ErrorShape shape = &error_response;
  std::size_t longest = 0;
  for (const auto& [prefix, registered] : error_shapes_) {
    if (prefix.size() >= longest && path.starts_with(prefix)) {
      shape = registered;
      longest = prefix.size();
    }
  }
  return shape;
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string out;
  for (Method m : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(m);
  }
  return out;
}

}  // namespace keyrelay::http
