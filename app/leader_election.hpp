#pragma once
// Leader election among outrigger replicas in ZooKeeper (--ha), the recipe of
// the ZooKeeper documentation: each replica creates an ephemeral sequential
// member node under the election node; the lowest sequence leads; every
// other replica watches only the member just before its own (no herd when
// the leader goes). A member's data names its API URL, so standbys know
// where to forward requests.
//
// Fencing: a leader whose ZooKeeper connection drops cannot know whether its
// session (and so its member node) survives; another replica may be elected
// once the session timeout passes. `lost` is therefore called as soon as the
// connection drops while leading, before that timeout could elapse, and the
// service stops acting at once (it exits; its supervisor restarts it as a
// standby). The state store's owner check and Mesos' stream id fence any
// call already on its way.
//
// The election runs on its own thread with ZooKeeper's synchronous calls;
// only leader_election.cpp includes the ZooKeeper header.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::app {

/// Settings of the election.
struct election_options {
  std::string hosts; ///< ZooKeeper connect string "h1:2181,h2:2181"
  std::string path;  ///< the election node, e.g. "/outrigger/election"
  std::chrono::milliseconds session_timeout{10000};
  std::string digest;  ///< "user:password" or empty; never logged
  std::string url;     ///< this replica's API URL (the member's data)
  std::string version; ///< outrigger's version (the member's data)
  /// How often a standby re-reads who leads (a leader further up the line
  /// can change without its watch firing).
  std::chrono::milliseconds refresh{2000};
};

/// Where a replica stands.
enum class replica_role : std::uint8_t {
  joining, ///< not (yet) a member: ZooKeeper unreachable or joining
  standby, ///< a member, another one leads
  leader,  ///< this replica leads
};

/// The name of a role ("joining", "standby", "leader").
std::string_view to_string(replica_role role);

/// One listing of the election node, seen from member `mine`.
struct election_view {
  std::string leader;      ///< the lowest member ("" when there is none)
  std::string predecessor; ///< the member just before mine ("" if none)
  bool mine_present = false;
  /// True when `mine` is the lowest member.
  bool leading() const { return mine_present && predecessor.empty(); }
};

/// The sequence number of a member node ("member-<token>_0000000042"), or
/// nullopt for a node that is not a member.
std::optional<std::uint64_t> member_sequence(std::string_view name);

/// Orders the members among `children` by sequence (others are ignored)
/// and places `mine` among them.
election_view decide(const std::vector<std::string>& children,
                     const std::string& mine);

/// A member's data: {"url":..,"version":..,"pid":..}.
std::string member_data(const std::string& url, const std::string& version);

/// The URL in a member's data ("" when it has none).
std::string url_of_member(std::string_view data);

/// A replica's membership in the election.
class leader_election {
public:
  /// What the election tells its owner (called on the election's thread).
  struct callbacks {
    /// This replica leads (at most once per election object).
    std::function<void()> elected;
    /// This replica may no longer lead: stop acting at once.
    std::function<void(const std::string& why)> lost;
    /// The leader's URL changed ("" while none is known).
    std::function<void(const std::string& url)> leader;
  };

  /// Starts joining on a thread of its own (returns at once).
  leader_election(election_options options, callbacks cb);

  /// Leaves: closes the session, so the member node goes at once.
  ~leader_election();

  leader_election(const leader_election&) = delete;
  leader_election& operator=(const leader_election&) = delete;

  /// Re-reads who leads soon (a request forwarded to the leader failed).
  void refresh();

  /// The ZooKeeper session id and password once connected (tests expire
  /// sessions with them; the password must never be logged).
  std::optional<std::pair<std::int64_t, std::string>> session() const;

  /// What the election's thread shares with ZooKeeper's callbacks.
  struct shared;

private:
  std::shared_ptr<shared> shared_;
};

} // namespace outrigger::app
