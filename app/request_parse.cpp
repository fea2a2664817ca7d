#include "app/request_parse.hpp"

#include <cctype>
#include <charconv>

namespace outrigger::app {

namespace {

constexpr std::string_view task_prefix = "/v1/tasks/";

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

template <class T>
std::optional<T> whole_number(std::string_view text) {
  T v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return v;
}

} // namespace

std::string url_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int hi = 0, lo = 0;
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() &&
               (hi = hex_digit(text[i + 1])) >= 0 &&
               (lo = hex_digit(text[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void parse_query(const std::string& query,
                 std::map<std::string, std::string>& out) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    auto part = query.substr(pos, amp == std::string::npos ? std::string::npos
                                                           : amp - pos);
    if (!part.empty()) {
      auto eq = part.find('=');
      out[url_decode(part.substr(0, eq))] =
        eq == std::string::npos ? "" : url_decode(part.substr(eq + 1));
    }
    if (amp == std::string::npos)
      break;
    pos = amp + 1;
  }
}

std::string_view task_pattern(std::string_view path) {
  if (!path.starts_with(task_prefix))
    return {};
  auto rest = path.substr(task_prefix.size());
  auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    auto sub = rest.substr(slash + 1);
    if (sub == "logs")
      return "/v1/tasks/{id}/logs";
    if (sub == "files" || sub.starts_with("files/"))
      return "/v1/tasks/{id}/files/{path}";
  }
  return "/v1/tasks/{id}";
}

std::optional<std::uint64_t> task_id_of(std::string_view path, bool whole) {
  if (!path.starts_with(task_prefix))
    return std::nullopt;
  auto text = path.substr(task_prefix.size());
  if (!whole)
    text = text.substr(0, text.find('/'));
  return whole_number<std::uint64_t>(text);
}

std::optional<std::uint64_t> unsigned_of(std::string_view text) {
  return whole_number<std::uint64_t>(text);
}

std::optional<std::int64_t> signed_of(std::string_view text) {
  return whole_number<std::int64_t>(text);
}

} // namespace outrigger::app
