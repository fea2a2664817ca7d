#include "app/web_ui.hpp"

#include <algorithm>
#include <string>

namespace outrigger::app {

std::string_view content_type_of(std::string_view name) {
  struct type {
    std::string_view ext, mime;
  };
  static constexpr type types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".json", "application/json"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
  };
  for (auto& t : types)
    if (name.ends_with(t.ext))
      return t.mime;
  return "application/octet-stream";
}

void add_page_security_headers(http_response& r) {
  // Everything comes from this origin; no inline script or style (the page
  // sets styles through classes and the CSSOM only), no plugins, no
  // framing (clickjacking of the kill button).
  r.headers.emplace_back(
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
}

namespace {

// Whether an If-None-Match value (a list, or "*") names `etag`; weak
// validators compare equal too (RFC 9110 13.1.2).
bool etag_matches(std::string_view header, std::string_view etag) {
  if (header.empty())
    return false;
  if (header.find('*') != std::string_view::npos)
    return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto comma = header.find(',', pos);
    auto item = header.substr(pos, comma == std::string_view::npos
                                     ? std::string_view::npos
                                     : comma - pos);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.starts_with("W/"))
      item.remove_prefix(2);
    if (item == etag)
      return true;
    if (comma == std::string_view::npos)
      break;
    pos = comma + 1;
  }
  return false;
}

} // namespace

http_response serve_web_file(std::string_view path,
                             std::string_view if_none_match) {
  std::string_view name;
  if (path == "/" || path == "/ui/" || path == "/ui")
    name = "index.html";
  else if (path.starts_with("/ui/"))
    name = path.substr(4);
  auto files = embedded_files();
  auto it =
    std::find_if(files.begin(), files.end(),
                 [&](const embedded_file& f) { return f.path == name; });
  if (name.empty() || it == files.end()) {
    http_response r{
      404,
      "application/json",
      error_body("not_found", "no such file: " + std::string{path}),
      {}};
    add_page_security_headers(r);
    return r;
  }
  http_response r;
  r.content_type = std::string{content_type_of(it->path)};
  // Names carry no version: the browser revalidates each time and gets a
  // 304 without a body while the binary is the same.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("ETag", std::string{it->etag});
  add_page_security_headers(r);
  if (etag_matches(if_none_match, it->etag)) {
    r.status = 304;
    return r;
  }
  r.body = std::string{it->body};
  return r;
}

} // namespace outrigger::app
