#pragma once
// The decisions of zk_detector (design.md, contract 1; §M14):
// the leading master is the child `json.info_<sequence>` of the configured
// group path with the lowest sequence (not the first listed, not a fixed
// /mesos); its data is the MasterInfo JSON. Other children (legacy `info_`,
// log replicas) are ignored. Pure: inputs return effects, the actor does the
// ZooKeeper calls and the timers.

#include "actors/credentials.hpp"
#include "actors/messages.hpp"

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace outrigger::zk {

/// Settings of zk_detector.
struct zk_config {
  std::string hosts; ///< "h1:2181,h2:2181"
  std::string path;  ///< the masters' group node, e.g. "/mesos"
  bool tls = false;  ///< masters speak https (MasterInfo carries no scheme)
  /// Address masters by IP instead of MasterInfo's hostname.
  bool prefer_ip = false;
  /// ZooKeeper session timeout.
  caf::timespan session_timeout = std::chrono::seconds{10};
  /// Delay before retrying a failed read or re-creating a lost session.
  caf::timespan retry_delay = std::chrono::seconds{1};
  /// Optional digest authentication ("user:password"); never logged.
  std::optional<credentials> digest;
  /// Called (on the detector's thread) with the session id and password
  /// each time a session is established. For tests that expire sessions and
  /// for diagnostics; the password must never be logged.
  std::function<void(std::int64_t, const std::string&)> on_session;
};

/// The sequence number of a child named `<label>_<digits>`, else nullopt.
std::optional<std::uint64_t> sequence_of(std::string_view child,
                                         std::string_view label = "json.info");

/// The `json.info_` child with the lowest sequence, if any.
std::optional<std::string>
leader_node(const std::vector<std::string>& children);

/// The leader's URL from its MasterInfo JSON: `http(s)://host:port`, host
/// from address.hostname, hostname, address.ip or the packed ip (or the IP
/// first with `prefer_ip`). Errors (ec::zookeeper_error) name the node.
caf::expected<leader_info> leader_from_master_info(std::string_view json,
                                                   std::string_view node,
                                                   bool tls, bool prefer_ip);

/// Effects of the detector's decisions.
namespace zkfx {
/// List the group's children, leaving a watch.
struct read_children {};
/// Read one child's data.
struct read_node {
  std::string name;
};
/// Watch for the group node to be created.
struct watch_exists {};
/// Tell listeners the leader changed (url empty: none).
struct notify {
  leader_info leader;
};
/// Close the session and open a new one (after expiry).
struct new_session {};
/// Run on_retry(token) after `delay`.
struct retry_later {
  caf::timespan delay;
  std::uint64_t token;
};
} // namespace zkfx

/// One effect of the detector.
using zk_effect =
  std::variant<zkfx::read_children, zkfx::read_node, zkfx::watch_exists,
               zkfx::notify, zkfx::new_session, zkfx::retry_later>;
using zk_effects = std::vector<zk_effect>;

/// What the detector knows and decides.
class detector_state {
public:
  explicit detector_state(zk_config cfg) : cfg_(std::move(cfg)) {}

  /// A new session handle was opened (or failed to open: `ok` false).
  zk_effects on_session_opened(bool ok);
  /// Session state change (ZOO_*_STATE values).
  zk_effects on_state(std::int32_t state);
  /// A watch fired on `path` (ZOO_*_EVENT values).
  zk_effects on_watch(std::int32_t type, const std::string& path);
  /// The children of the group node.
  zk_effects on_children(std::int32_t rc,
                         const std::vector<std::string>& names);
  /// The data of one child.
  zk_effects on_node(std::int32_t rc, const std::string& name,
                     const std::string& data);
  /// zoo_awexists completion on the group node.
  zk_effects on_exists(std::int32_t rc);
  /// A retry timer expired.
  zk_effects on_retry(std::uint64_t token);

  /// The current leader (url empty: none).
  const leader_info& leader() const noexcept { return leader_; }
  bool connected() const noexcept { return connected_; }
  const zk_config& config() const noexcept { return cfg_; }

private:
  enum class retry_kind : std::uint8_t { none, read, session };

  void set_leader(leader_info leader, zk_effects& out);
  void schedule(retry_kind kind, zk_effects& out);

  zk_config cfg_;
  leader_info leader_;
  std::string reading_; // child whose data is being read
  bool connected_ = false;
  retry_kind retry_ = retry_kind::none;
  std::uint64_t retry_token_ = 0;
};

} // namespace outrigger::zk
