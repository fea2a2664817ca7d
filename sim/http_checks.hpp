#pragma once
// The request-level checks of Master::Http::scheduler that depend on
// libprocess and stout rather than on master state: JSON syntax errors worded
// as picojson words them, JSON-to-protobuf conversion errors worded as
// stout's protobuf::parse words them, and Accept header negotiation.

#include "protocol/call.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace outrigger::sim {

/// stout's JSON::parse verdict on a body (3rdparty/stout/include/stout/
/// json.hpp:978-1020 over picojson 1.3.0): nullopt when it parses, else the
/// error, e.g. "syntax error at line 1 near: bad}" (picojson reports the
/// rest of the line after the point of failure), "Parsed JSON included
/// non-whitespace trailing characters: x", "Value out of range". Nesting
/// deeper than 200 fails like a syntax error (STOUT_JSON_MAX_DEPTH).
std::optional<std::string> json_syntax_error(std::string_view body);

/// Decodes a call the way the master converts JSON to a Call protobuf:
/// `null` members are unset, unknown members ignored. On failure returns the
/// text after "Failed to convert JSON into Call protobuf: ", e.g.
/// "Missing required fields: acknowledge.agent_id, acknowledge.uuid" or
/// "Not expecting a JSON string for field 'value'". Call only after
/// json_syntax_error() found nothing.
std::variant<protocol::Call, std::string> convert_call(std::string_view body);

/// Request::acceptsMediaType (3rdparty/libprocess/src/http.cpp:389-444):
/// no Accept header accepts everything; else `type/subtype`, then
/// `type/*`, then `*/*` are looked up, and a q value of 0 refuses.
bool accepts_media_type(const std::optional<std::string>& accept,
                        std::string_view media_type);

} // namespace outrigger::sim
