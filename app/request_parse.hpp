#pragma once
// What the API reads from a request target: the decoded path and query, the
// task id in a path below /v1/tasks/ and the numbers of query parameters.
// Pure functions on outside bytes (the query_fuzz target takes them alone);
// each answers nullopt for text it does not accept, never throws.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace outrigger::app {

/// Decodes %XX and '+' of a query component.
std::string url_decode(const std::string& text);

/// Adds the `name=value` pairs of a query string (after '?', '&'-separated,
/// both sides decoded) to `out`; the last value of a name wins.
void parse_query(const std::string& query,
                 std::map<std::string, std::string>& out);

/// The route pattern of a path below /v1/tasks/: "/v1/tasks/{id}/logs",
/// "/v1/tasks/{id}/files/{path}" or "/v1/tasks/{id}"; "" for other paths.
std::string_view task_pattern(std::string_view path);

/// The task id of a path below /v1/tasks/: all of the rest (`whole`, for the
/// task itself) or the segment before the next '/' (its sub-resources).
/// nullopt when that is not a decimal number that fits 64 bits.
std::optional<std::uint64_t> task_id_of(std::string_view path, bool whole);

/// A query parameter's text as a non-negative integer (the whole text).
std::optional<std::uint64_t> unsigned_of(std::string_view text);

/// A query parameter's text as a signed integer (the whole text).
std::optional<std::int64_t> signed_of(std::string_view text);

} // namespace outrigger::app
