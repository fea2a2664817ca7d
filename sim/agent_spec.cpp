#include "sim/agent_spec.hpp"

#include "protocol/resource_math.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace outrigger::sim {

namespace {

using protocol::Resource;
using protocol::value_type;

// strings::tokenize: split on any of `delims`, dropping empty tokens.
std::vector<std::string> tokenize(std::string_view s, std::string_view delims) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto j = s.find_first_of(delims, i);
    if (j == std::string_view::npos)
      j = s.size();
    if (j > i)
      out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\n\r");
  return std::string(s.substr(b, e - b + 1));
}

bool brackets_match(std::string_view s, char open, char close) {
  int depth = 0;
  for (char c : s) {
    if (c == open)
      ++depth;
    else if (c == close && --depth < 0)
      return false;
  }
  return depth == 0;
}

std::optional<double> to_double(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

std::optional<std::uint64_t> to_u64(const std::string& s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

// A parsed value (values::parse, src/common/values.cpp:676-770).
struct parsed_value {
  value_type type = value_type::text;
  double scalar = 0;
  protocol::Ranges ranges;
  std::vector<std::string> set;
  std::string text;
};

parse_outcome<parsed_value> parse_value(std::string_view input) {
  parse_outcome<parsed_value> out;
  std::string s;
  for (char c : input)
    if (c != ' ')
      s += c;
  if (s.empty()) {
    out.error = "Expecting non-empty string";
    return out;
  }
  if (!brackets_match(s, '{', '}') || !brackets_match(s, '[', ']') ||
      !brackets_match(s, '(', ')')) {
    out.error = "Mismatched brackets";
    return out;
  }
  auto bracket = s.find('[');
  if (bracket == 0) {
    auto tokens = tokenize(s, "[]-,\n");
    if (tokens.size() % 2 != 0) {
      out.error = "Expecting one or more \"ranges\"";
      return out;
    }
    out.value.type = value_type::ranges;
    for (std::size_t i = 0; i < tokens.size(); i += 2) {
      auto b = to_u64(tokens[i]);
      auto e = to_u64(tokens[i + 1]);
      if (!b || !e) {
        out.error = "Expecting non-negative integers in '" + tokens[i] + "'";
        return out;
      }
      out.value.ranges.range.push_back({*b, *e});
    }
    out.value.ranges = protocol::normalize(std::move(out.value.ranges));
    return out;
  }
  if (bracket != std::string::npos) {
    out.error = "Unexpected '[' found";
    return out;
  }
  auto brace = s.find('{');
  if (brace == 0) {
    out.value.type = value_type::set;
    out.value.set = tokenize(s, "{},\n");
    return out;
  }
  if (brace != std::string::npos) {
    out.error = "Unexpected '{' found";
    return out;
  }
  auto number = to_double(s);
  if (number && std::fpclassify(*number) == FP_SUBNORMAL) {
    out.error = "Subnormal values not supported";
    return out;
  }
  if (number && std::isfinite(*number) && *number >= 0) {
    out.value.type = value_type::scalar;
    out.value.scalar = *number;
  } else {
    out.value.type = value_type::text;
    out.value.text = s;
  }
  return out;
}

Resource make_resource(const std::string& name, const std::string& role,
                       const parsed_value& v) {
  Resource r;
  r.name = name;
  r.type = v.type;
  r.role = role;
  if (v.type == value_type::scalar)
    r.scalar = protocol::Scalar{protocol::round_scalar(v.scalar)};
  else if (v.type == value_type::ranges)
    r.ranges = v.ranges;
  else
    r.set = protocol::Set{v.set};
  return r;
}

} // namespace

parse_outcome<std::vector<protocol::Resource>>
parse_agent_resources(const std::string& text) {
  parse_outcome<std::vector<Resource>> out;
  bool has_cpus = false, has_mem = false, has_disk = false, has_ports = false;
  for (auto& token : tokenize(text, ";")) {
    auto pair = tokenize(token, ":");
    if (pair.size() != 2) {
      out.error = "Bad value for resources, missing or extra ':' in " + token;
      return out;
    }
    std::string name, role = "*";
    auto open = pair[0].find('(');
    if (open == std::string::npos) {
      name = trim(pair[0]);
    } else {
      auto close = pair[0].find(')');
      if (close == std::string::npos || close < open) {
        out.error =
          "Bad value for resources, mismatched parentheses in " + token;
        return out;
      }
      name = trim(pair[0].substr(0, open));
      role = trim(pair[0].substr(open + 1, close - open - 1));
    }
    auto value = parse_value(pair[1]);
    if (!value.ok()) {
      out.error = "Failed to parse resource " + name + " value " + pair[1] +
                  " error " + value.error;
      return out;
    }
    if (value.value.type == value_type::text) {
      out.error =
        "Bad type for resource " + name + " value " + pair[1] + " type TEXT";
      return out;
    }
    if (name.empty()) {
      out.error = "Empty resource name";
      return out;
    }
    has_cpus |= name == "cpus";
    has_mem |= name == "mem";
    has_disk |= name == "disk";
    has_ports |= name == "ports";
    out.value.push_back(make_resource(name, role, value.value));
  }
  // The agent's defaults (DEFAULT_CPUS, DEFAULT_MEM, DEFAULT_DISK,
  // DEFAULT_PORTS), appended in the agent's order.
  if (!has_cpus)
    out.value.push_back(make_resource("cpus", "*", parse_value("1").value));
  if (!has_mem)
    out.value.push_back(make_resource("mem", "*", parse_value("1024").value));
  if (!has_disk)
    out.value.push_back(make_resource("disk", "*", parse_value("10240").value));
  if (!has_ports)
    out.value.push_back(
      make_resource("ports", "*", parse_value("[31000-32000]").value));
  return out;
}

parse_outcome<std::vector<protocol::Attribute>>
parse_agent_attributes(const std::string& text) {
  parse_outcome<std::vector<protocol::Attribute>> out;
  for (auto& token : tokenize(text, ";\n")) {
    auto colon = token.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == token.size()) {
      out.error = "Invalid attribute key:value pair '" + token + "'";
      return out;
    }
    auto name = token.substr(0, colon);
    auto value = parse_value(token.substr(colon + 1));
    if (!value.ok()) {
      out.error = "Failed to parse attribute " + name + " text " +
                  token.substr(colon + 1) + " error " + value.error;
      return out;
    }
    protocol::Attribute a;
    a.name = name;
    a.type = value.value.type;
    switch (value.value.type) {
      case value_type::scalar:
        a.scalar = protocol::Scalar{value.value.scalar};
        break;
      case value_type::ranges:
        a.ranges = value.value.ranges;
        break;
      case value_type::text:
        a.text = protocol::Text{value.value.text};
        break;
      default:
        out.error = "Bad type for attribute " + name + " text " +
                    token.substr(colon + 1) + " type SET";
        return out;
    }
    out.value.push_back(std::move(a));
  }
  return out;
}

} // namespace outrigger::sim
