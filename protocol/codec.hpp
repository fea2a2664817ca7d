#pragma once
// JSON encoding and decoding of the Mesos v1 scheduler API, exactly as the
// master writes and reads it: snake_case names, enums as strings, bytes as
// base64, only set fields present, members in .proto declaration order.
// Decoding never throws: it returns a value or a parse_error naming the field
// (`offers.offers[0].resources[2].ranges: expected object`).

#include "protocol/event.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace outrigger::protocol {

/// Why a JSON document did not decode.
struct parse_error {
  enum class kind : std::uint8_t {
    syntax,         ///< not JSON at all
    schema,         ///< JSON, but a member has the wrong type or value
    missing_fields, ///< required fields absent (all of them are listed)
  };
  kind what = kind::syntax;
  std::string path;                 ///< where, e.g. "update.status.uuid"
  std::string message;              ///< what, e.g. "expected string"
  std::vector<std::string> missing; ///< for missing_fields: every path

  /// "path: message", or just the message at the top level.
  std::string to_string() const;
};

/// A decoded value or the reason there is none.
template <class T>
class parse_result {
public:
  parse_result(T value) : value_(std::move(value)) {}
  parse_result(parse_error error) : error_(std::move(error)) {}

  /// True when a value was decoded.
  explicit operator bool() const noexcept { return value_.has_value(); }
  T& operator*() & { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  /// The error; meaningful only when decoding failed.
  const parse_error& error() const noexcept { return error_; }

private:
  std::optional<T> value_;
  parse_error error_;
};

/// Encodes any modeled message (Call, Event, TaskInfo, MasterInfo, ...) as
/// compact JSON.
template <class T>
std::string to_json(const T& message);

/// Decodes any modeled message from JSON text.
template <class T>
parse_result<T> from_json(std::string_view text);

/// Shorthands for the two messages that cross the wire.
inline parse_result<Event> decode_event(std::string_view text) {
  return from_json<Event>(text);
}
inline parse_result<Call> decode_call(std::string_view text) {
  return from_json<Call>(text);
}

/// Base64 (RFC 4648, padded), as protobuf JSON writes `bytes`.
std::string base64_encode(std::string_view raw);
/// Decodes padded base64; false on any invalid character or length.
bool base64_decode(std::string_view text, std::string& out);

} // namespace outrigger::protocol
