#include "actors/log.hpp"

#include "protocol/json_text.hpp"

#include "actors/error.hpp"

#include <atomic>
#include <ctime>
#include <iostream>
#include <mutex>
#include <vector>

namespace outrigger::log {

namespace {

std::atomic<level> min_level{level::info};
std::atomic<format> line_format{format::text};

// Sink and secrets change rarely; one mutex also serializes the output.
std::mutex mtx;
std::function<void(std::string_view)> sink_fn;
std::vector<std::string> secrets;

constexpr std::string_view mask = "***";

std::string_view level_name(level lvl) {
  switch (lvl) {
    case level::debug:
      return "DEBUG";
    case level::info:
      return "INFO";
    case level::warn:
      return "WARN";
    case level::error:
      return "ERROR";
    default:
      return "OFF";
  }
}

// Replaces every occurrence of each secret; called with `mtx` held.
std::string redact_locked(std::string_view text) {
  std::string out{text};
  for (auto& s : secrets) {
    for (auto pos = out.find(s); pos != std::string::npos;
         pos = out.find(s, pos + mask.size()))
      out.replace(pos, s.size(), mask);
  }
  return out;
}

void json_escape(std::string& out, std::string_view s) {
  protocol::append_json_string(out, s);
}

// Text values are quoted when they would otherwise be ambiguous.
void text_value(std::string& out, std::string_view s) {
  bool plain = !s.empty();
  for (char c : s)
    if (c == ' ' || c == '=' || c == '"' ||
        static_cast<unsigned char>(c) < 0x21)
      plain = false;
  if (plain)
    out += s;
  else
    json_escape(out, s);
}

std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string format_locked(format f, level lvl, std::string_view component,
                          std::string_view message,
                          std::initializer_list<field> fields, bool with_time) {
  std::string out;
  auto value_of = [](const field& x) {
    return is_sensitive_key(x.key) ? std::string{mask} : redact_locked(x.value);
  };
  if (f == format::json) {
    out += '{';
    if (with_time) {
      out += "\"ts\":";
      json_escape(out, timestamp());
      out += ',';
    }
    out += "\"level\":";
    std::string lname{level_name(lvl)};
    for (auto& c : lname)
      c = static_cast<char>(c - 'A' + 'a');
    json_escape(out, lname);
    out += ",\"component\":";
    json_escape(out, component);
    out += ",\"msg\":";
    json_escape(out, redact_locked(message));
    for (auto& x : fields) {
      out += ',';
      json_escape(out, x.key);
      out += ':';
      json_escape(out, value_of(x));
    }
    out += '}';
    return out;
  }
  if (with_time) {
    out += timestamp();
    out += ' ';
  }
  out += level_name(lvl);
  out += ' ';
  out += component;
  out += ": ";
  out += redact_locked(message);
  for (auto& x : fields) {
    out += ' ';
    out += x.key;
    out += '=';
    text_value(out, value_of(x));
  }
  return out;
}

} // namespace

std::string to_text(std::string_view x) {
  return std::string{x};
}

std::string to_text(const caf::error& x) {
  return describe(x);
}

void set_level(level min) noexcept {
  min_level = min;
}

level current_level() noexcept {
  return min_level;
}

bool enabled(level lvl) noexcept {
  return lvl != level::off && lvl >= min_level.load();
}

bool parse_level(std::string_view text, level& out) noexcept {
  static constexpr std::pair<std::string_view, level> names[] = {
    {"debug", level::debug},  {"info", level::info},   {"warn", level::warn},
    {"warning", level::warn}, {"error", level::error}, {"off", level::off}};
  for (auto& [name, lvl] : names)
    if (name == text) {
      out = lvl;
      return true;
    }
  return false;
}

void set_format(format f) noexcept {
  line_format = f;
}

void set_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard guard{mtx};
  sink_fn = std::move(sink);
}

void add_secret(std::string secret) {
  if (secret.empty())
    return;
  std::lock_guard guard{mtx};
  for (auto& s : secrets)
    if (s == secret)
      return;
  secrets.push_back(std::move(secret));
  // Longest first, so that a secret containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(),
            [](auto& a, auto& b) { return a.size() > b.size(); });
}

void clear_secrets() {
  std::lock_guard guard{mtx};
  secrets.clear();
}

std::string redact(std::string_view text) {
  std::lock_guard guard{mtx};
  return redact_locked(text);
}

bool is_sensitive_key(std::string_view key) noexcept {
  static constexpr std::string_view words[] = {
    "secret",        "password",   "passwd",   "token",
    "authorization", "credential", "principal"};
  std::string lower{key};
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  for (auto w : words)
    if (lower.find(w) != std::string::npos)
      return true;
  return false;
}

std::string format_record(format f, level lvl, std::string_view component,
                          std::string_view message,
                          std::initializer_list<field> fields, bool with_time) {
  std::lock_guard guard{mtx};
  return format_locked(f, lvl, component, message, fields, with_time);
}

void write(level lvl, std::string_view component, std::string_view message,
           std::initializer_list<field> fields) {
  if (!enabled(lvl))
    return;
  std::lock_guard guard{mtx};
  auto line = format_locked(line_format, lvl, component, message, fields, true);
  if (sink_fn) {
    sink_fn(line);
  } else {
    line += '\n';
    std::clog << line << std::flush;
  }
}

} // namespace outrigger::log
