#include "gateway/wire/openai_answer_scan.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <array>

#include <boost/json/basic_parser_impl.hpp>

namespace keyrelay::gateway::wire {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// Where a value sits, as far as the scan cares: anything else is "other".
enum class Place { other, choices, model, usage, prompt_tokens, completion_tokens, details, cached_tokens };

// A token count as wire_json.h's count_field() reads it: a non-negative integer (4096.0 too), else 0.
std::uint64_t count_of_int(std::int64_t v) { return v > 0 ? static_cast<std::uint64_t>(v) : 0; }
std::uint64_t count_of_double(double d) {
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9.2233720368547758e18 || d <= 0) return 0;
  return static_cast<std::uint64_t>(d);
}

class Handler {
 public:
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  OpenAiAnswerFacts facts;
  bool root_is_object = false;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (depth_ == 0) root_is_object = true;
    const Place place = value_place();
    value(place);
    if (place == Place::usage) facts.usage = TokenUsage{0, 0};
    if (place == Place::usage) facts.usage->reported = true;
    if (place == Place::details) details_ = true;
    return open(Frame{true, place});
  }
  bool on_object_end(std::size_t, error_code&) { return close(); }
  bool on_array_begin(error_code&) {
    const Place place = value_place();
    value(place);
    if (place == Place::choices) facts.has_choices = true;
    return open(Frame{false, Place::other});
  }
  bool on_array_end(std::size_t, error_code&) { return close(); }

  bool on_key_part(std::string_view part, std::size_t, error_code&) {
    if (keep_key()) key_.append(part);
    return true;
  }
  bool on_key(std::string_view part, std::size_t, error_code&) {
    if (keep_key()) key_.append(part);
    member_ = place_of_key();
    key_.clear();
    return true;
  }
  bool on_string_part(std::string_view part, std::size_t, error_code&) {
    if (value_place() == Place::model) model_.append(part);
    return true;
  }
  bool on_string(std::string_view part, std::size_t, error_code&) {
    const Place place = value_place();
    value(place);
    if (place == Place::model) {
      model_.append(part);
      facts.model = std::move(model_);
    }
    model_.clear();
    return true;
  }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t v, std::string_view, error_code&) { return count(count_of_int(v)); }
  bool on_uint64(std::uint64_t v, std::string_view, error_code&) { return count(v); }
  bool on_double(double v, std::string_view, error_code&) { return count(count_of_double(v)); }
  bool on_bool(bool, error_code&) { return scalar(); }
  bool on_null(error_code&) { return scalar(); }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

 private:
  struct Frame {
    bool is_object;
    Place place;  // where this container sits
  };
  // The open containers, outermost first: the parser refuses documents nested deeper than its
  // max_depth, so a fixed array holds them (no allocation per answer).
  static constexpr std::size_t kMaxDepth = 64;
  std::array<Frame, kMaxDepth> frames_{};
  std::size_t depth_ = 0;
  Place member_ = Place::other;  // the place of the current member of the innermost object
  std::string key_;
  std::string model_;
  bool details_ = false;  // usage.prompt_tokens_details is an object

  // Only keys whose object the scan reads are kept.
  const Frame& innermost() const { return frames_[depth_ - 1]; }
  bool keep_key() const {
    if (depth_ == 0) return false;
    const Place parent = innermost().place;
    return depth_ == 1 || parent == Place::usage || parent == Place::details;
  }
  Place place_of_key() const {
    if (!keep_key()) return Place::other;
    const Place parent = innermost().place;
    if (depth_ == 1) {
      if (key_ == "choices") return Place::choices;
      if (key_ == "model") return Place::model;
      if (key_ == "usage") return Place::usage;
    } else if (parent == Place::usage) {
      if (key_ == "prompt_tokens") return Place::prompt_tokens;
      if (key_ == "completion_tokens") return Place::completion_tokens;
      if (key_ == "prompt_tokens_details") return Place::details;
    } else if (parent == Place::details && key_ == "cached_tokens") {
      return Place::cached_tokens;
    }
    return Place::other;
  }
  // The place of the value that starts now: a member's, or nothing inside an array.
  Place value_place() const { return depth_ > 0 && innermost().is_object ? member_ : Place::other; }

  // A value arrived at `place`: the last value of a key is the one that counts.
  void value(Place place) {
    switch (place) {
      case Place::choices: facts.has_choices = false; break;
      case Place::model: facts.model.clear(); break;
      case Place::usage: facts.usage.reset(); details_ = false; break;
      case Place::prompt_tokens: facts.usage->input_tokens = 0; break;
      case Place::completion_tokens: facts.usage->output_tokens = 0; break;
      case Place::details: details_ = false; facts.usage->cached_input_tokens = 0; break;
      case Place::cached_tokens: facts.usage->cached_input_tokens = 0; break;
      case Place::other: break;
    }
  }
  bool scalar() {
    value(value_place());
    return true;
  }
  bool count(std::uint64_t n) {
    const Place place = value_place();
    value(place);
    if (place == Place::prompt_tokens) facts.usage->input_tokens = n;
    if (place == Place::completion_tokens) facts.usage->output_tokens = n;
    if (place == Place::cached_tokens && details_) facts.usage->cached_input_tokens = n;
    return true;
  }
  bool open(Frame frame) {
    if (depth_ == kMaxDepth) return false;  // never: the parser's max_depth (32) is below
    frames_[depth_++] = frame;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
};

}  // namespace

std::optional<OpenAiAnswerFacts> scan_openai_answer(std::string_view body) {
  json::basic_parser<Handler> parser{json::parse_options{}};
  error_code ec;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (ec || used != body.size() || !parser.done() || !parser.handler().root_is_object) return std::nullopt;
  return std::move(parser.handler().facts);
}

}  // namespace keyrelay::gateway::wire
