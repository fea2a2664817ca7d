#pragma once
// The bytes the simulated master writes, exactly as a real Mesos master
// (libprocess) frames them: status line, `Date` first, the handler's headers
// in order, then `Content-Length` (complete responses) or
// `Transfer-Encoding: chunked` right after `Date` (event streams); one HTTP
// chunk per stream_output. No `Connection` header: HTTP/1.1 keep-alive is the
// default and the master never sends one
// (mesos-wire transcripts/10-subscribe-stream1.headers,
// transcripts2/90-subscribe-keepalive-raw-socket-then-teardown.*).

#include "sim/endpoint.hpp"

#include <string>
#include <string_view>

namespace outrigger::sim {

/// The terminating chunk that ends a chunked body and keeps the connection.
inline constexpr std::string_view http_last_chunk = "0\r\n\r\n";

/// An IMF-fixdate for the `Date` header: "Sun, 22 Nov 2026 00:42:13 GMT".
std::string http_date(sim_time t);

/// The reason phrase of a status code ("OK", "Temporary Redirect", ...);
/// "Unknown" for codes without one.
std::string_view http_reason(unsigned status);

/// A complete response: status line, Date, the response's headers (minus
/// any Date, Content-Length, Transfer-Encoding it carries: those are the
/// server's), Content-Length, blank line, then the body unless `head_only`
/// (the answer to a HEAD request).
std::string serialize_response(const http_response& response, sim_time now,
                               bool head_only = false);

/// The head of an event stream: status line, Date, Transfer-Encoding:
/// chunked, then the response's own headers. The body follows as chunks.
std::string serialize_stream_head(const http_response& response, sim_time now);

/// One chunk: lower-case hex size, CRLF, the bytes, CRLF. Empty input gives
/// an empty string (an empty chunk would end the body).
std::string encode_chunk(std::string_view data);

/// True when a header name or value would break the framing (CR, LF, NUL;
/// a name must also be a non-empty token).
bool header_is_unsafe(std::string_view name, std::string_view value);

} // namespace outrigger::sim
