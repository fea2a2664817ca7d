#pragma once
// Where the masters are: the configured address list (`host:port`,
// `http(s)://host:port`, comma separated, tried in turn), a ZooKeeper URL
// (`zk://h1:2181,h2:2181/mesos`, the leader comes from zk_detector), and
// the 307 redirects of non-leading masters (`Location: //host:port/master/
// api/v1/scheduler`, protocol-relative: the scheme of the current URL is
// kept, see design.md §M2 and §M3).

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::link {

/// The scheduler endpoint when the configuration names no path. The master
/// rewrites it to /master/api/v1/scheduler, which is what redirects carry.
inline constexpr std::string_view default_scheduler_path = "/api/v1/scheduler";

/// One master endpoint.
struct master_url {
  std::string scheme = "http"; ///< "http" or "https"
  std::string host;            ///< name, IPv4, or IPv6 without brackets
  std::uint16_t port = 5050;
  std::string target{default_scheduler_path}; ///< path and query

  /// True for https.
  bool tls() const noexcept { return scheme == "https"; }
  /// "http://host:port" (IPv6 hosts in brackets).
  std::string origin() const;
  /// "host:port" as sent in the Host header.
  std::string host_port() const;
  /// origin() followed by target.
  std::string to_string() const;
  /// Same scheme, host and port (the target may differ).
  bool same_origin(const master_url& other) const noexcept {
    return scheme == other.scheme && host == other.host && port == other.port;
  }
  bool operator==(const master_url&) const = default;
};

/// A ZooKeeper ensemble and the group path the masters register under.
struct zk_address {
  std::string hosts; ///< "h1:2181,h2:2181", as zookeeper_init wants it
  std::string path;  ///< e.g. "/mesos"
  bool operator==(const zk_address&) const = default;
};

/// The parsed `master` setting: either a static list or a ZooKeeper URL.
struct master_addresses {
  std::vector<master_url> masters; ///< empty when `zk` is set
  std::optional<zk_address> zk;
};

/// Parses one master: `host`, `host:port`, `[v6]:port`, `http://host:port`,
/// `https://host:port[/prefix]`. Without a scheme, `default_tls` picks
/// https. Errors (ec::bad_address) name the offending text and what is wrong.
caf::expected<master_url> parse_master_url(std::string_view text,
                                           bool default_tls = false);

/// Parses the `master` setting: a comma list of masters, or one
/// `zk://host:port[,host:port]/path` URL. A zk:// URL with credentials is
/// refused (secrets belong in files or the environment).
caf::expected<master_addresses>
parse_master_addresses(std::string_view text, bool default_tls = false);

/// Resolves a redirect `location` against `current`: protocol-relative
/// (`//host:port/path`) and path-only (`/path`) forms keep the current
/// scheme; absolute URLs may not downgrade https to http. A Location without
/// a path keeps the current target.
caf::expected<master_url> resolve_redirect(const master_url& current,
                                           std::string_view location);

} // namespace outrigger::link
