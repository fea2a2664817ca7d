#pragma once
// The request-level checks of Master::Http::scheduler that depend on
// libprocess and stout rather than on master state: JSON syntax errors worded
// as picojson words them, JSON-to-protobuf conversion errors worded as
// stout's protobuf::parse words them, and Accept header negotiation.

#include "protocol/call.hpp"
#include "sim/master_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

/// stout's base64::decode (3rdparty/stout/include/stout/base64.hpp:80-160):
/// stops at the first '=', skips whitespace, accepts missing padding. Returns
/// false with `error` set ("Invalid character '!'") on a character outside
/// the alphabet.
bool stout_base64_decode(std::string_view text, std::string& out,
                         std::string& error);

/// BasicAuthenticatorProcess::authenticate (3rdparty/libprocess/src/
/// authenticator.cpp:84-121): the principal when `authorization` is
/// `Basic <base64 of principal:secret>` and the pair is in `credentials`;
/// nullopt for everything else. The header must split on ' ' into exactly
/// "Basic" and one token, the decoded token on ':' into exactly two parts:
/// so a missing header, another scheme, undecodable base64, an unknown
/// principal and a wrong secret all fail alike (transcripts2 101-104b).
std::optional<std::string>
basic_principal(const std::optional<std::string>& authorization,
                const std::vector<credential>& credentials);

} // namespace outrigger::sim
