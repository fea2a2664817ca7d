#pragma once
// Errors the task book reports to API clients: a code, a message that names
// what was wrong, and the field it concerns (like a REST error body).

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace outrigger::scheduling {

/// An error for an API client, e.g. {"invalid_argument",
/// "resources.mem: must be > 0", "resources.mem"}.
struct api_error {
  /// "invalid_argument", "not_found", "failed_precondition", "conflict".
  std::string code;
  /// Human-readable; starts with the field when there is one.
  std::string message;
  /// The offending field as a path ("constraints[1]"), or empty.
  std::string field;
  bool operator==(const api_error&) const = default;
};

/// The HTTP status an error code is answered with (400, 403, 404, 409, 503;
/// 500 for a code the API does not know).
inline unsigned http_status_of(std::string_view code) {
  if (code == "invalid_argument")
    return 400;
  if (code == "not_found")
    return 404;
  if (code == "permission_denied")
    return 403;
  if (code == "failed_precondition" || code == "conflict")
    return 409;
  if (code == "unavailable")
    return 503;
  return 500;
}

/// Builds an invalid_argument error for `field`: "<field>: <what>".
inline api_error invalid_field(std::string field, const std::string& what) {
  auto message = field.empty() ? what : field + ": " + what;
  return api_error{"invalid_argument", std::move(message), std::move(field)};
}

/// A value or the api_error that explains why there is none.
template <class T>
class api_result {
public:
  api_result(T value) : v_(std::move(value)) {}
  api_result(api_error error) : v_(std::move(error)) {}

  /// True when there is a value.
  explicit operator bool() const noexcept { return v_.index() == 0; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  /// The error; only when there is no value.
  const api_error& error() const { return std::get<1>(v_); }

private:
  std::variant<T, api_error> v_;
};

} // namespace outrigger::scheduling
