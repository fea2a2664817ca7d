#pragma once
// Plain HTTP request and response values: the boundary between the
// simulator's socket code (Beast, in server.cpp) and its master logic, which
// stays free of I/O so that unit tests drive it directly.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outrigger::sim {

/// Header fields in arrival order; names compare case-insensitively.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// True when two header names are equal ignoring ASCII case.
inline bool header_name_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size()
         && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
              auto lower = [](char c) {
                return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
              };
              return lower(x) == lower(y);
            });
}

/// The first value of header `name`, if present.
inline std::optional<std::string> find_header(const header_list& headers,
                                              std::string_view name) {
  for (auto& [k, v] : headers)
    if (header_name_equal(k, name))
      return v;
  return std::nullopt;
}

/// A request as the server received it.
struct http_request {
  std::string method; ///< "POST", "GET", ...
  std::string target; ///< path and query, e.g. "/api/v1/scheduler?x=1"
  header_list headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
  /// The target without its query string.
  std::string_view path() const {
    std::string_view t{target};
    return t.substr(0, t.find('?'));
  }
};

/// A complete response. The server adds Date and Content-Length itself.
struct http_response {
  unsigned status = 200;
  header_list headers; ///< e.g. Content-Type, Location, Allow, Mesos-Stream-Id
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// Identifies one open event stream (one SUBSCRIBE response).
using stream_id = std::uint64_t;

/// What a handler makes of a request: a complete response, or the head of a
/// chunked event stream that stays open (`stream` set). The stream's body
/// bytes are delivered separately, as stream_output.
struct handler_reply {
  http_response response;
  std::optional<stream_id> stream;
};

/// Bytes for an open stream: one HTTP chunk (RecordIO-framed events), and/or
/// the end of the stream (`0\r\n\r\n`; `cut` instead drops the connection
/// without the terminating chunk, as when a master dies).
struct stream_output {
  stream_id stream = 0;
  std::string bytes;
  bool end = false;
  bool cut = false;
};

} // namespace outrigger::sim
