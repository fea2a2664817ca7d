#pragma once
// The project's small logging facility (Debian's CAF is built to log
// nothing). One line per record, as text (`ts LEVEL component message k=v`)
// or as JSON; key=value fields; thread-safe.
//
// Secrets can never be printed: every registered secret (credentials call
// add_secret as they are loaded) is replaced by "***" wherever it appears in a
// message or a value, and values of keys that look sensitive (secret,
// password, token, authorization, credential, principal) are always "***".

#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace outrigger::log {

/// Severity, lowest first.
enum class level : std::uint8_t { debug, info, warn, error, off };

/// Line format.
enum class format : std::uint8_t { text, json };

/// Text of a value for a log field.
std::string to_text(std::string_view x);
std::string to_text(const caf::error& x);
inline std::string to_text(const std::string& x) {
  return to_text(std::string_view{x});
}
inline std::string to_text(const char* x) {
  return to_text(std::string_view{x ? x : ""});
}
inline std::string to_text(bool x) {
  return x ? "true" : "false";
}
template <class T>
std::enable_if_t<std::is_arithmetic_v<T>, std::string> to_text(T x) {
  return std::to_string(x);
}
/// Durations print as seconds with a unit: "1.5s".
template <class Rep, class Period>
std::string to_text(std::chrono::duration<Rep, Period> d) {
  auto s = std::chrono::duration<double>(d).count();
  auto out = std::to_string(s);
  while (out.size() > 1 && out.back() == '0')
    out.pop_back();
  if (out.back() == '.')
    out.pop_back();
  return out + "s";
}

/// One key=value pair of a record.
struct field {
  std::string_view key;
  std::string value;

  template <class T>
  field(std::string_view k, const T& v) : key(k), value(to_text(v)) {}
};

/// Records below `min` are dropped (default: info).
void set_level(level min) noexcept;
/// The current threshold.
level current_level() noexcept;
/// True when records of `lvl` are written.
bool enabled(level lvl) noexcept;
/// Parses "debug", "info", "warn", "error", "off"; false when unknown.
bool parse_level(std::string_view text, level& out) noexcept;

/// Text (default) or JSON lines.
void set_format(format f) noexcept;

/// Where lines go (without the trailing newline); an empty function restores
/// the default, std::clog.
void set_sink(std::function<void(std::string_view)> sink);

/// Registers a secret that must never be printed. Empty strings are ignored.
void add_secret(std::string secret);
/// Forgets all registered secrets (tests).
void clear_secrets();
/// `text` with every registered secret replaced by "***".
std::string redact(std::string_view text);
/// True for keys whose values are always hidden.
bool is_sensitive_key(std::string_view key) noexcept;

/// Formats a record exactly as write() would (minus the timestamp when
/// `with_time` is false); secrets are already redacted.
std::string format_record(format f, level lvl, std::string_view component,
                          std::string_view message,
                          std::initializer_list<field> fields,
                          bool with_time = true);

/// Writes one record if `lvl` is enabled.
void write(level lvl, std::string_view component, std::string_view message,
           std::initializer_list<field> fields = {});

/// Shorthands.
inline void debug(std::string_view c, std::string_view m,
                  std::initializer_list<field> f = {}) {
  if (enabled(level::debug))
    write(level::debug, c, m, f);
}
inline void info(std::string_view c, std::string_view m,
                 std::initializer_list<field> f = {}) {
  if (enabled(level::info))
    write(level::info, c, m, f);
}
inline void warn(std::string_view c, std::string_view m,
                 std::initializer_list<field> f = {}) {
  if (enabled(level::warn))
    write(level::warn, c, m, f);
}
inline void error(std::string_view c, std::string_view m,
                  std::initializer_list<field> f = {}) {
  if (enabled(level::error))
    write(level::error, c, m, f);
}

} // namespace outrigger::log
