#include "actors/master_link/master_address.hpp"

#include "actors/error.hpp"

#include <algorithm>
#include <charconv>

namespace outrigger::link {

namespace {

caf::error bad(std::string what) {
  return caf::make_error(ec::bad_address, std::move(what));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    auto c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
    if (c != prefix[i])
      return false;
  }
  return true;
}

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// Splits "host[:port]" or "[v6][:port]"; `where` names the input in errors.
caf::expected<std::pair<std::string, std::uint16_t>>
parse_authority(std::string_view auth, std::uint16_t default_port,
                std::string_view where) {
  auto quoted = "'" + std::string{where} + "'";
  if (auth.empty())
    return bad("missing host in " + quoted);
  if (auth.find('@') != std::string_view::npos)
    return bad("credentials are not allowed in a master address");
  std::string host;
  std::string_view port_text;
  if (auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos)
      return bad("unterminated IPv6 address in " + quoted);
    host = std::string{auth.substr(1, close - 1)};
    auto rest = auth.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return bad("unexpected text after IPv6 address in " + quoted);
      port_text = rest.substr(1);
      if (port_text.empty())
        return bad("empty port in " + quoted);
    }
    if (host.empty() ||
        host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
      return bad("invalid IPv6 address in " + quoted);
  } else {
    auto colon = auth.find(':');
    host = std::string{auth.substr(0, colon)};
    if (colon != std::string_view::npos) {
      port_text = auth.substr(colon + 1);
      if (port_text.empty())
        return bad("empty port in " + quoted);
    }
    if (host.empty())
      return bad("missing host in " + quoted);
    if (!std::all_of(host.begin(), host.end(), valid_host_char))
      return bad("invalid character in host of " + quoted);
  }
  std::uint16_t port = default_port;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [ptr, err] = std::from_chars(
      port_text.data(), port_text.data() + port_text.size(), value);
    if (err != std::errc{} || ptr != port_text.data() + port_text.size() ||
        value == 0 || value > 65535)
      return bad("invalid port '" + std::string{port_text} + "' in " + quoted +
                 " (expected 1-65535)");
    port = static_cast<std::uint16_t>(value);
  }
  return std::make_pair(std::move(host), port);
}

// The scheduler target for a configured path prefix ("", "/", "/x").
std::string target_for_prefix(std::string_view path) {
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  if (path.empty())
    return std::string{default_scheduler_path};
  if (path.size() >= default_scheduler_path.size() &&
      path.substr(path.size() - default_scheduler_path.size()) ==
        default_scheduler_path)
    return std::string{path};
  return std::string{path} + std::string{default_scheduler_path};
}

} // namespace

std::string master_url::origin() const {
  return scheme + "://" + host_port();
}

std::string master_url::host_port() const {
  auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string master_url::to_string() const {
  return origin() + target;
}

caf::expected<master_url> parse_master_url(std::string_view text,
                                           bool default_tls) {
  auto in = trim(text);
  if (in.empty())
    return bad("empty master address");
  master_url url;
  url.scheme = default_tls ? "https" : "http";
  auto rest = in;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    if (starts_with_ci(rest, "http://"))
      url.scheme = "http";
    else if (starts_with_ci(rest, "https://"))
      url.scheme = "https";
    else
      return bad("unsupported scheme in '" + std::string{in} +
                 "' (expected http:// or https://)");
    rest.remove_prefix(pos + 3);
  }
  auto slash = rest.find('/');
  auto auth = rest.substr(0, slash);
  auto path =
    slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  auto hp = parse_authority(auth, 5050, in);
  if (!hp)
    return hp.error();
  url.host = std::move(hp->first);
  url.port = hp->second;
  url.target = target_for_prefix(path);
  return url;
}

caf::expected<master_addresses> parse_master_addresses(std::string_view text,
                                                       bool default_tls) {
  auto in = trim(text);
  if (in.empty())
    return bad("no master address configured");
  master_addresses result;
  if (starts_with_ci(in, "zk://")) {
    auto rest = in.substr(5);
    auto slash = rest.find('/');
    auto hosts = rest.substr(0, slash);
    if (hosts.find('@') != std::string_view::npos)
      return bad("zk:// URL must not contain credentials (user:password@); "
                 "give the ZooKeeper credentials in a file or the "
                 "environment");
    if (slash == std::string_view::npos || rest.size() == slash + 1)
      return bad("zk:// URL needs the masters' group path, e.g. "
                 "zk://host:2181/mesos");
    auto path = rest.substr(slash);
    if (path.size() > 1 && path.back() == '/')
      path.remove_suffix(1);
    if (path.find("//") != std::string_view::npos ||
        path.find_first_of(" ?#") != std::string_view::npos)
      return bad("invalid ZooKeeper path '" + std::string{path} + "'");
    std::string joined;
    size_t start = 0;
    while (start <= hosts.size()) {
      auto comma = hosts.find(',', start);
      auto one = trim(hosts.substr(start, comma - start));
      auto hp = parse_authority(one, 2181, one.empty() ? in : one);
      if (!hp)
        return hp.error();
      if (!joined.empty())
        joined += ',';
      joined += hp->first.find(':') != std::string::npos ? "[" + hp->first + "]"
                                                         : hp->first;
      joined += ':' + std::to_string(hp->second);
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    result.zk = zk_address{std::move(joined), std::string{path}};
    return result;
  }
  size_t start = 0;
  while (start <= in.size()) {
    auto comma = in.find(',', start);
    auto one = trim(in.substr(start, comma - start));
    if (starts_with_ci(one, "zk://"))
      return bad("a zk:// URL cannot be combined with other masters");
    auto url = parse_master_url(one, default_tls);
    if (!url)
      return url.error();
    result.masters.push_back(std::move(*url));
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return result;
}

caf::expected<master_url> resolve_redirect(const master_url& current,
                                           std::string_view location) {
  auto loc = trim(location);
  if (loc.empty())
    return bad("redirect without a Location");
  master_url next = current;
  std::string_view rest;
  if (loc.size() >= 2 && loc[0] == '/' && loc[1] == '/') {
    rest = loc.substr(2); // protocol-relative: keep the scheme
  } else if (loc.front() == '/') {
    next.target = std::string{loc}; // same origin, new path
    return next;
  } else if (starts_with_ci(loc, "http://") ||
             starts_with_ci(loc, "https://")) {
    auto scheme = starts_with_ci(loc, "https://") ? "https" : "http";
    if (current.tls() && std::string_view{scheme} == "http")
      return bad("refusing a redirect from https to http ('" +
                 std::string{loc} + "')");
    next.scheme = scheme;
    rest = loc.substr(loc.find("://") + 3);
  } else {
    return bad("unsupported redirect Location '" + std::string{loc} + "'");
  }
  auto slash = rest.find('/');
  auto auth = rest.substr(0, slash);
  auto hp = parse_authority(auth, next.tls() ? 443 : 80, loc);
  if (!hp)
    return hp.error();
  next.host = std::move(hp->first);
  next.port = hp->second;
  if (slash != std::string_view::npos)
    next.target = std::string{rest.substr(slash)};
  return next;
}

} // namespace outrigger::link
