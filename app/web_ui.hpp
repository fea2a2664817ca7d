#pragma once
// The web dashboard: files of app/web/ embedded at build time
// (cmake/EmbedWeb.cmake) and served at `/` and `/ui/...` from the API's
// port, with validators (ETag, 304) and the security headers of a page.

#include "app/http_server.hpp"

#include <span>
#include <string_view>

namespace outrigger::app {

/// One embedded file: its path below app/web/, its bytes and its ETag
/// (quoted, as sent).
struct embedded_file {
  std::string_view path;
  std::string_view body;
  std::string_view etag;
};

/// Every embedded file, in path order (generated source).
std::span<const embedded_file> embedded_files();

/// The Content-Type of a file name by its extension
/// (application/octet-stream for an unknown one).
std::string_view content_type_of(std::string_view name);

/// Adds the headers every dashboard response carries: a
/// Content-Security-Policy without inline code or frames, nosniff, no
/// referrer.
void add_page_security_headers(http_response& r);

/// The answer for GET `path` ("/" is index.html, "/ui/<file>" a file):
/// 200 with the file, 304 when `if_none_match` names its ETag, 404 (JSON
/// error) for an unknown file.
http_response serve_web_file(std::string_view path,
                             std::string_view if_none_match);

} // namespace outrigger::app
