#include "sim/http_wire.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace outrigger::sim {

namespace {

// Headers the server writes itself; copies from a handler are dropped so
// that a response can never carry two conflicting framings.
bool server_owned(std::string_view name) {
  return header_name_equal(name, "Date") ||
         header_name_equal(name, "Content-Length") ||
         header_name_equal(name, "Transfer-Encoding");
}

void status_line(std::string& out, unsigned status) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += http_reason(status);
  out += "\r\n";
}

void header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out += ": ";
  out.append(value);
  out += "\r\n";
}

void handler_headers(std::string& out, const http_response& response) {
  for (auto& [name, value] : response.headers)
    if (!server_owned(name) && !header_is_unsafe(name, value))
      header(out, name, value);
}

} // namespace

std::string http_date(sim_time t) {
  // Formatted by hand: strftime's %a/%b follow the C locale only if nobody
  // called setlocale, and HTTP demands the English names.
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed",
                                                   "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = sim_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                days[static_cast<std::size_t>(tm.tm_wday) % 7], tm.tm_mday,
                months[static_cast<std::size_t>(tm.tm_mon) % 12],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string_view http_reason(unsigned status) {
  // libprocess's table (3rdparty/libprocess/src/http.cpp), spelling included,
  // plus the two codes it lacks that this server produces itself (429, 431).
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 205:
      return "Reset Content";
    case 206:
      return "Partial Content";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 305:
      return "Use Proxy";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Time-out";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Requested range not satisfiable";
    case 417:
      return "Expectation Failed";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Time-out";
    case 505:
      return "HTTP Version not supported";
    default:
      return "Unknown";
  }
}

std::string serialize_response(const http_response& response, sim_time now,
                               bool head_only) {
  std::string out;
  out.reserve(128 + response.body.size());
  status_line(out, response.status);
  header(out, "Date", http_date(now));
  handler_headers(out, response);
  header(out, "Content-Length", std::to_string(response.body.size()));
  out += "\r\n";
  if (!head_only)
    out += response.body;
  return out;
}

std::string serialize_stream_head(const http_response& response, sim_time now) {
  std::string out;
  status_line(out, response.status);
  header(out, "Date", http_date(now));
  header(out, "Transfer-Encoding", "chunked");
  handler_headers(out, response);
  out += "\r\n";
  return out;
}

std::string encode_chunk(std::string_view data) {
  if (data.empty())
    return {};
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out;
  out.reserve(static_cast<std::size_t>(n) + data.size() + 2);
  out.append(size, static_cast<std::size_t>(n));
  out.append(data);
  out += "\r\n";
  return out;
}

bool header_is_unsafe(std::string_view name, std::string_view value) {
  auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  if (name.empty())
    return true;
  for (char c : name)
    if (bad(c) || c == ':' || c == ' ' || c == '\t')
      return true;
  for (char c : value)
    if (bad(c))
      return true;
  return false;
}

} // namespace outrigger::sim
