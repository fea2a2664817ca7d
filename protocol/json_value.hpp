#pragma once
// Bridge between the protocol messages and nlohmann::ordered_json values, for
// code that builds larger JSON documents around them (the simulator's state
// endpoints, the service's API). Heavy header: include it only from the few
// translation units that already work with nlohmann::json.

#include "protocol/codec.hpp"

#include <nlohmann/json.hpp>

namespace outrigger::protocol {

/// The JSON value of a message, as to_json would write it.
template <class T>
nlohmann::ordered_json to_json_value(const T& message);

/// Decodes a message from an already parsed JSON value.
template <class T>
parse_result<T> from_json_value(const nlohmann::ordered_json& value);

} // namespace outrigger::protocol
