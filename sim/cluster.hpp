#pragma once
// Several simulated Mesos masters in one process, each with its own HTTP
// server and port, sharing one io_thread and the same agents: the shape of a
// real HA Mesos cluster (mesos-wire transcripts 90-122: leader 5050, standby
// 5052, ZooKeeper). Who leads is decided by ZooKeeper when a zk:// URL is
// configured (each master contends with a zk_contender, design.md §M14), else
// statically: the live master started first. The others answer 307 to the
// leader (or 503 "No leader elected").
//
// The agents always live in the leading master (the "host"). When it dies
// they move, with their tasks and status update streams, to the next leader,
// as agents re-register after a Mesos master failover (master::
// hand_over_agents / adopt_agents); exec tasks keep running since their
// runtime reports to whichever master hosts the agents. Frameworks must
// resubscribe to the new leader; they are recovered under their ids.
//
// Threading: every public member is thread-safe and runs its work on the
// cluster's io thread (inline when called there, e.g. from the admin API).

#include "sim/agent_spec.hpp"
#include "sim/master.hpp"
#include "sim/server.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::sim {

class io_thread;

/// How a cluster's agents run tasks.
enum class agent_mode : std::uint8_t {
  synthetic, ///< on the simulated clock (synthetic_runtime)
  exec,      ///< as real local subprocesses (exec_runtime)
};

/// Everything configurable about a cluster.
struct cluster_options {
  /// Number of masters (at least 1).
  std::size_t masters = 1;
  /// Address every server binds; also MasterInfo.ip.
  std::string address = "127.0.0.1";
  /// MasterInfo.hostname, the host of 307 Locations. The recorded masters
  /// (--ip=127.0.0.1, no --hostname) say "localhost" (design.md §M2).
  std::string hostname = "localhost";
  /// Port of master i (0 or missing: an ephemeral port, kept across
  /// restarts of that master).
  std::vector<std::uint16_t> ports;
  /// "zk://host:port[,host:port...]/path": leader election in ZooKeeper.
  /// Unset: the live master started first leads.
  std::optional<std::string> zk;
  /// ZooKeeper session timeout of each master (Mesos: 10 s). A killed
  /// master's node stays this long (its session is abandoned, not closed).
  std::chrono::milliseconds zk_session_timeout{10000};
  /// After ZooKeeper elects a master: how long it recovers its registry and
  /// answers the scheduler API 503 "Master has not finished recovery"
  /// (src/master/http.cpp, right after the leader check; about 0.8 s on the
  /// recorded cluster, design.md §M15). Zero: it serves at once.
  std::chrono::milliseconds recovery_time{0};
  /// Template of every master's settings (ip, hostname, port and the id are
  /// set per master; the seed is varied per master and restart). Its
  /// `synthetic` settings drive the cluster's synthetic agents.
  master_config master;
  /// Template of every server's settings (address and port are set per
  /// master; the log is `log`).
  server_options server;
  /// Root of the exec agents' sandboxes; exec agents need one.
  std::filesystem::path work_dir;
  /// Each agent serves its sandboxes' files (`/files/browse`, `/read`,
  /// `/download`, `/debug`, sim/agent_files.hpp) over plain HTTP on the
  /// address and the port its offers report (agent_spec::port + n; 0: an
  /// ephemeral port, then reported). Off: agent ports are only numbers.
  bool agent_http = false;
  /// Port of the admin API (/sim/..., cluster_admin.hpp); 0: ephemeral.
  /// Unset: no admin server.
  std::optional<std::uint16_t> admin_port;
  /// Where the cluster's and the servers' log lines go; dropped when empty.
  std::function<void(std::string_view)> log;
  /// Also log every request a master answers ("master 1: POST
  /// /api/v1/scheduler 202").
  bool log_requests = false;
};

/// A cluster of simulated masters (see the file comment).
class cluster {
public:
  /// Starts the io thread, the masters' servers (and the admin server) and,
  /// with ZooKeeper, their candidacies.
  /// @throws std::invalid_argument on bad options (no masters, a bad zk://
  ///   URL), std::runtime_error when a port cannot be bound.
  explicit cluster(cluster_options options);

  /// Stops everything: closes the ZooKeeper sessions and connections, kills
  /// the exec tasks.
  ~cluster();

  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  // -- topology
  // ----------------------------------------------------------------

  /// Number of masters (dead ones included).
  std::size_t size() const;
  /// The port of master `i` (0-based), bound once and kept across restarts.
  std::uint16_t port(std::size_t i) const;
  /// "http://address:port" (https with TLS) of master `i`.
  std::string url(std::size_t i) const;
  /// The admin API's port, when there is an admin server.
  std::optional<std::uint16_t> admin_port() const;
  /// True while master `i` runs.
  bool alive(std::size_t i) const;
  /// The master that leads (it believes so itself), if any.
  std::optional<std::size_t> leader() const;
  /// Polls until some master leads; nullopt when none does within `limit`.
  std::optional<std::size_t> wait_for_leader(std::chrono::milliseconds limit);
  /// The MasterInfo.id of master `i` ("" while dead).
  std::string master_id(std::size_t i) const;

  // -- agents
  // ------------------------------------------------------------------

  /// Adds `count` agents like `spec` (its runtime is ignored; the port is
  /// spec.port + n for the n-th). They register with the leader at once;
  /// without a leader they wait for one (and their ids are not returned).
  /// @throws std::invalid_argument when the resources or attributes do not
  ///   parse, or exec agents are asked for without a work_dir.
  std::vector<protocol::AgentID> add_agents(std::size_t count, agent_spec spec,
                                            agent_mode mode);
  /// Loses an agent (master::lose_agent).
  void lose_agent(const protocol::AgentID& id, agent_loss how);
  /// Brings a lost agent back (master::return_agent).
  void return_agent(const protocol::AgentID& id, bool tasks_lost = false);
  /// MARK_AGENT_GONE (master::remove_agent).
  void remove_agent(const protocol::AgentID& id);

  // -- faults (on the leader unless said otherwise)
  // ----------------------------- Each throws std::runtime_error when there is
  // no leader to act on, and std::out_of_range for a bad master index.

  /// Cuts every subscription stream of the leader at the TCP level (no
  /// terminating chunk); the frameworks are disconnected.
  void cut_streams();
  /// Stops HEARTBEATs while the streams stay open.
  void pause_heartbeats();
  /// Resumes HEARTBEATs.
  void resume_heartbeats();
  /// Holds every response of every master (present and future incarnations)
  /// for `delay`; zero turns it off.
  void set_response_delay(std::chrono::milliseconds delay);
  /// The next `n` calls to the leader are answered 202 but have no effect.
  void drop_calls(std::size_t n);
  /// The leader answers scheduler calls 503 "Master has not finished
  /// recovery" for `how_long`.
  void unavailable_for(std::chrono::milliseconds how_long);
  /// Kills the leading master and starts it again as a new master (new id,
  /// same port) that stands by: the next master leads (with one master, the
  /// restarted one leads again, having forgotten every framework).
  void fail_over();
  /// Kills master `i`: its connections drop without terminating chunks, its
  /// ZooKeeper node is withdrawn, its port refuses connections. No effect on
  /// a dead master.
  void kill_master(std::size_t i);
  /// Starts a dead master again: a new master (new id, same port), last in
  /// the line of succession. No effect on a live master.
  void start_master(std::size_t i);
  /// kill_master then start_master: like restarting a Mesos master with the
  /// in-memory registry, it forgets every framework.
  void restart_master(std::size_t i);
  /// An operator's teardown of framework `id` (every registered one when
  /// empty) on the leader (master::teardown); how many were removed.
  std::size_t teardown(const std::string& id = {});
  /// The next master ZooKeeper elects notices its election `lag` late, as a
  /// Mesos master whose detector's watch fires late: meanwhile it still
  /// follows the leader it knew (307 to it) and the agents wait. One-shot;
  /// zero cancels. No effect without ZooKeeper.
  void set_election_lag(std::chrono::milliseconds lag);

  // -- introspection
  // -------------------------------------------------------------

  /// The admin API's status document (cluster_admin.hpp) as JSON text.
  std::string status_json() const;
  /// Runs `fn` on the io thread with master `i` (live), then lets its server
  /// write what `fn` caused. For tests.
  void with_master(std::size_t i, const std::function<void(master&)>& fn);
  /// The io thread everything runs on.
  io_thread& io();

  class impl;

private:
  std::unique_ptr<io_thread> io_;
  std::unique_ptr<impl> impl_;
};

/// Parses "zk://host:port[,host:port...]/path" into the servers and the group
/// path (default "/mesos"). @throws std::invalid_argument when malformed.
std::pair<std::string, std::string> parse_zk_url(std::string_view url);

} // namespace outrigger::sim
