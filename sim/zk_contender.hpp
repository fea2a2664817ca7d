#pragma once
// A simulated master's candidacy in a real ZooKeeper, laid out exactly as
// Mesos masters do it (design.md §M14): under the group path (created
// persistent, open ACL, empty data) each contender owns an EPHEMERAL|SEQUENCE
// child `json.info_NNNNNNNNNN` holding its MasterInfo as key-sorted JSON; the
// leader is the child with the lowest sequence (other names are ignored).
//
// The contender also watches the group and reports the current leader. All
// ZooKeeper calls run on a private worker thread (the C client's synchronous
// API); ZooKeeper's own threads only wake that worker. Reports reach the
// owner through `post`, e.g. onto the io thread that owns the endpoint, so
// the callback never runs on a ZooKeeper thread. It survives connection loss
// (the session and node stay) and session expiry (a new session, a new node
// with a new sequence, the watch re-armed).

#include "protocol/framework_info.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace outrigger::sim {

/// Where and how a contender registers.
struct zk_contender_options {
  /// ZooKeeper servers, "host:port[,host:port...]" (no zk:// prefix).
  std::string servers;
  /// The group znode, e.g. "/mesos".
  std::string path = "/mesos";
  /// Session timeout asked for (the server may clamp it); Mesos uses 10 s.
  std::chrono::milliseconds session_timeout{10000};
  /// Pause before retrying after an error.
  std::chrono::milliseconds retry_interval{200};
  /// Start contending at construction (otherwise only watch until contend()).
  bool contend = true;
};

/// The leading master as found in ZooKeeper.
struct zk_leader {
  std::string node;          ///< child name, e.g. "json.info_0000000003"
  std::int64_t sequence = 0; ///< its sequence number
  std::string data;          ///< the node's data (MasterInfo JSON)
  /// The decoded MasterInfo; unset when `data` does not decode.
  std::optional<protocol::MasterInfo> info;
  bool self = false; ///< the node is this contender's own
  bool operator==(const zk_leader&) const = default;
};

/// A ZooKeeper session identity (for tests that expire sessions).
struct zk_session {
  std::int64_t id = 0;
  std::string password;
};

/// Registers one master in ZooKeeper and reports who leads. Its session
/// reaches ZooKeeper through a zk_relay so that abandon() can drop it like a
/// dying process. Destruction closes the session (the node goes at once)
/// unless abandon() was called.
class zk_contender {
public:
  /// Runs `fn` on the owner's thread (e.g. io_thread::post). Thread-safe.
  using post_fn = std::function<void(std::function<void()>)>;
  /// The current leader, or nullopt when there is none or it is unknown
  /// (no json.info child, session expired, out of touch with ZooKeeper for
  /// longer than the session timeout). Called through `post` on changes only.
  using leader_fn = std::function<void(const std::optional<zk_leader>&)>;

  /// Starts the worker: connects, creates the group path and (unless
  /// `options.contend` is false) this master's node, then watches.
  zk_contender(zk_contender_options options, protocol::MasterInfo info,
               post_fn post, leader_fn on_leader);

  /// Closes the session (ZooKeeper deletes the node at once) and joins the
  /// worker; may wait up to a request timeout if ZooKeeper is unreachable.
  /// No report is posted after destruction has begun.
  ~zk_contender();

  zk_contender(const zk_contender&) = delete;
  zk_contender& operator=(const zk_contender&) = delete;

  /// Contends again after withdraw() (a new node, a new sequence). Any thread.
  void contend();

  /// Deletes this master's node but keeps watching the group. Any thread.
  void withdraw();

  /// The master process dies: from now on nothing is reported, and the
  /// destructor drops the connection without closing the session, so
  /// ZooKeeper keeps this master's node until the session expires (after
  /// the session timeout), exactly as after a SIGKILL. Any thread.
  void abandon();

  /// The name of this master's node, when it has one. Any thread.
  std::optional<std::string> own_node() const;

  /// The current session, when connected once. Any thread.
  std::optional<zk_session> session() const;

  /// MasterInfo as Mesos stores it in ZooKeeper: its JSON with the keys of
  /// every object sorted.
  static std::string node_data(const protocol::MasterInfo& info);

  /// The sequence of a group child named `json.info_<digits>`, else nullopt.
  static std::optional<std::int64_t> sequence_of(const std::string& child);

private:
  class worker;
  std::unique_ptr<worker> worker_;
};

} // namespace outrigger::sim
