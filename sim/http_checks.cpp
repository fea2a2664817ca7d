// The conversion of a request body to a Call as stout's protobuf::parse
// does it, and libprocess' Accept negotiation.

#include "sim/http_checks.hpp"

#include "protocol/json_value.hpp"

#include <cctype>
#include <cstdlib>
#include <vector>

namespace outrigger::sim {

namespace {

using json = nlohmann::ordered_json;

// stout's JSON → protobuf treats null as unset, in objects and arrays.
void strip_nulls(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it->is_null()) {
        it = j.erase(it);
      } else {
        strip_nulls(*it);
        ++it;
      }
    }
  } else if (j.is_array()) {
    json out = json::array();
    for (auto& x : j)
      if (!x.is_null()) {
        strip_nulls(x);
        out.push_back(std::move(x));
      }
    j = std::move(out);
  }
}

// The JSON value at a codec error path such as "a.b[2].c"; nullptr if the
// path does not lead anywhere.
json* locate(json& doc, const std::string& path) {
  json* at = &doc;
  std::size_t i = 0;
  while (i < path.size() && at != nullptr) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      auto close = path.find(']', i);
      if (close == std::string::npos || !at->is_array())
        return nullptr;
      auto index = std::strtoull(path.c_str() + i + 1, nullptr, 10);
      if (index >= at->size())
        return nullptr;
      at = &(*at)[index];
      i = close + 1;
      continue;
    }
    auto end = path.find_first_of(".[", i);
    if (end == std::string::npos)
      end = path.size();
    auto key = path.substr(i, end - i);
    if (!at->is_object() || !at->contains(key))
      return nullptr;
    at = &(*at)[key];
    i = end;
  }
  return at;
}

// The protobuf field name an error path ends in ("uuid", "value").
std::string leaf_name(const std::string& path) {
  auto end = path.find_last_not_of("]0123456789[");
  auto trimmed = path.substr(0, end == std::string::npos ? 0 : end + 1);
  auto dot = trimmed.rfind('.');
  return dot == std::string::npos ? trimmed : trimmed.substr(dot + 1);
}

std::string kind(const json& j) {
  if (j.is_object())
    return "object";
  if (j.is_array())
    return "array";
  if (j.is_string())
    return "string";
  if (j.is_boolean())
    return "boolean";
  return "number";
}

} // namespace

std::variant<protocol::Call, std::string> convert_call(std::string_view body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::string{"Expecting a JSON object"};
  strip_nulls(doc);
  // Each round fixes one value stout would have accepted (lenient base64,
  // numbers and booleans in strings) and decodes again.
  for (int round = 0; round < 256; ++round) {
    auto decoded = protocol::from_json_value<protocol::Call>(doc);
    if (decoded)
      return std::move(*decoded);
    auto& e = decoded.error();
    if (e.what == protocol::parse_error::kind::missing_fields) {
      std::string out = "Missing required fields: ";
      for (std::size_t i = 0; i < e.missing.size(); ++i)
        out += (i > 0 ? ", " : "") + e.missing[i];
      return out;
    }
    json* at = locate(doc, e.path);
    auto field = leaf_name(e.path);
    if (at == nullptr)
      return e.to_string();
    if (e.message == "invalid base64" && at->is_string()) {
      std::string raw, err;
      if (!stout_base64_decode(at->get<std::string>(), raw, err))
        return "Failed to base64 decode bytes field '" + field + "': " + err;
      *at = protocol::base64_encode(raw);
      continue;
    }
    if ((e.message == "expected number" || e.message == "expected integer") &&
        at->is_string()) {
      auto text = at->get<std::string>();
      auto number = json::parse(text, nullptr, false);
      if (number.is_discarded() || !number.is_number())
        return "Failed to parse '" + text + "' as a JSON number for field '" +
               field + "'";
      *at = number;
      continue;
    }
    if (e.message == "expected boolean" && at->is_string() &&
        (*at == "true" || *at == "false")) {
      *at = (*at == "true");
      continue;
    }
    return "Not expecting a JSON " + kind(*at) + " for field '" + field + "'";
  }
  return std::string{"Expecting a JSON object"};
}

bool stout_base64_decode(std::string_view s, std::string& out,
                         std::string& err) {
  static const std::string chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string clean;
  for (unsigned char c : s) {
    if (c == '=')
      break;
    if (std::isspace(c))
      continue;
    if (!(std::isalnum(c) || c == '+' || c == '/')) {
      err = std::string{"Invalid character '"} + static_cast<char>(c) + "'";
      return false;
    }
    clean.push_back(static_cast<char>(c));
  }
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : clean) {
    acc = (acc << 6) | static_cast<std::uint32_t>(chars.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

bool accepts_media_type(const std::optional<std::string>& accept,
                        std::string_view media_type) {
  auto slash = media_type.find('/');
  if (slash == std::string_view::npos)
    return false;
  if (!accept)
    return true;
  std::string header;
  for (char c : *accept)
    if (c != ' ' && c != '\t' && c != '\n')
      header.push_back(c);
  auto lower = [](std::string s) {
    for (auto& c : s)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  auto split = [](const std::string& s, char d) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= s.size()) {
      auto j = s.find(d, i);
      if (j == std::string::npos)
        j = s.size();
      if (j > i)
        out.push_back(s.substr(i, j - i));
      i = j + 1;
    }
    return out;
  };
  std::string candidates[] = {std::string{media_type},
                              std::string{media_type.substr(0, slash)} + "/*",
                              "*/*"};
  for (auto& candidate : candidates) {
    for (auto& type : split(header, ',')) {
      auto params = split(type, ';');
      if (params.empty() || lower(params[0]) != lower(candidate))
        continue;
      std::optional<std::string> q;
      int q_count = 0;
      for (std::size_t i = 1; i < params.size(); ++i) {
        auto kv = split(params[i], '=');
        if (kv.size() == 2 && kv[0] == "q") {
          q = kv[1];
          ++q_count;
        }
      }
      if (!q || q_count != 1)
        return true;
      char* end = nullptr;
      double v = std::strtod(q->c_str(), &end);
      return end == q->c_str() + q->size() && !q->empty() && v > 0;
    }
  }
  return false;
}

namespace {

// stout's strings::split: every delimiter splits, empty tokens are kept.
std::vector<std::string> split_all(std::string_view s, char delimiter) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    auto at = s.find(delimiter, from);
    if (at == std::string_view::npos) {
      out.emplace_back(s.substr(from));
      return out;
    }
    out.emplace_back(s.substr(from, at - from));
    from = at + 1;
  }
}

} // namespace

std::optional<std::string>
basic_principal(const std::optional<std::string>& authorization,
                const std::vector<credential>& credentials) {
  if (!authorization)
    return std::nullopt;
  auto parts = split_all(*authorization, ' ');
  if (parts.size() != 2 || parts[0] != "Basic") // the scheme is case-sensitive
    return std::nullopt;
  std::string decoded, error;
  if (!stout_base64_decode(parts[1], decoded, error))
    return std::nullopt;
  auto pair = split_all(decoded, ':');
  if (pair.size() != 2)
    return std::nullopt;
  // The master keeps the credentials in a map: a repeated principal's last
  // secret counts.
  const credential* found = nullptr;
  for (auto& c : credentials)
    if (c.principal == pair[0])
      found = &c;
  if (found == nullptr || found->secret != pair[1])
    return std::nullopt;
  return pair[0];
}

} // namespace outrigger::sim
