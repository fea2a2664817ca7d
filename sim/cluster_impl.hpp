#pragma once
// Internals of sim::cluster, shared by cluster.cpp (masters, leadership,
// agents) and cluster_admin.cpp (status, admin API). Private to sim/.
// Everything here runs on the cluster's io thread.

#include "sim/agent_files.hpp"
#include "sim/cluster.hpp"
#include "sim/exec_runtime.hpp"
#include "sim/io_thread.hpp"
#include "sim/synthetic_runtime.hpp"
#include "sim/zk_contender.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>

namespace outrigger::sim {

class cluster::impl {
public:
  impl(cluster& owner, io_thread& io, cluster_options options);
  ~impl();

  void start();
  void shutdown();

  // -- what cluster's members do on the io thread
  // ------------------------------
  std::size_t size() const { return slots_.size(); }
  std::uint16_t port(std::size_t i) const;
  std::string url(std::size_t i) const;
  std::optional<std::uint16_t> admin_port() const;
  bool alive(std::size_t i) const;
  std::optional<std::size_t> leader() const;
  std::string master_id(std::size_t i) const;
  std::vector<protocol::AgentID> add_agents(std::size_t count, agent_spec spec,
                                            agent_mode mode);
  /// The master that hosts the agents; throws std::runtime_error if none.
  master& host();
  /// The leading master; throws std::runtime_error if none.
  master& leading();
  void poke_host();
  void cut_streams();
  void set_response_delay(std::chrono::milliseconds delay);
  void fail_over();
  void kill_master(std::size_t i);
  void start_master(std::size_t i);
  void set_election_lag(std::chrono::milliseconds lag) { election_lag_ = lag; }
  void with_master(std::size_t i, const std::function<void(master&)>& fn);
  std::string status_json() const;
  void log(const std::string& line) const;

private:
  /// Forwards to a slot's current master (null while dead), so that a
  /// server can start, and bind its port, before its master exists.
  struct forwarder final : http_endpoint {
    master* target = nullptr;
    std::function<void(const http_request&, const handler_reply&)> observe;
    handler_reply handle(const http_request& request) override;
    std::vector<stream_output> take_output() override;
    void stream_closed(stream_id id) override;
    void advance(sim_time now) override;
    std::optional<sim_time> next_deadline() const override;
  };

  /// Sends the runtimes' reports to the master hosting the agents, or to the
  /// agents in transit while none does.
  struct router final : task_listener {
    impl* owner = nullptr;
    void on_task_state(const protocol::AgentID& agent,
                       const protocol::FrameworkID& framework,
                       const protocol::TaskID& task, protocol::task_state state,
                       std::string message,
                       std::optional<protocol::status_reason> reason) override;
  };

  /// One master position: a port, and the master process running there.
  struct slot {
    std::uint16_t port = 0;
    std::uint64_t incarnation = 0; ///< starts so far
    std::uint64_t sequence = 0;    ///< start order (static succession)
    forwarder endpoint;
    std::unique_ptr<master> m;
    std::unique_ptr<server> srv;
    std::unique_ptr<zk_contender> zk;
    /// An election noticed late (set_election_lag): the reports that came
    /// meanwhile wait here, the latest last.
    bool lagging = false;
    std::optional<std::optional<zk_leader>> deferred;
    std::unique_ptr<boost::asio::steady_timer> lag_timer;
  };

  slot& at(std::size_t i);
  const slot& at(std::size_t i) const;
  master_config config_for(std::size_t i, std::uint16_t port);
  void elect_static();
  void on_zk_leader(std::size_t i, std::uint64_t incarnation,
                    const std::optional<zk_leader>& leader);
  void elected(std::size_t i);
  task_runtime& runtime_for(agent_mode mode);

  cluster& owner_;
  io_thread& io_;
  cluster_options options_;
  std::string zk_servers_;
  std::string zk_path_;
  std::vector<std::unique_ptr<slot>> slots_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t starts_ = 0;
  std::chrono::milliseconds delay_{0};
  std::chrono::milliseconds election_lag_{0}; ///< for the next election

  router router_;
  synthetic_runtime synthetic_;
  std::unique_ptr<exec_runtime> exec_;
  std::optional<std::size_t> host_; ///< the master the agents live in
  agent_handoff transit_;           ///< the agents while no master hosts them
  /// Agents added while nobody led, with their files endpoint (or null).
  std::deque<std::pair<agent_spec, agent_files*>> waiting_;
  /// The agents' files endpoints and servers (cluster_options::agent_http).
  struct agent_server {
    std::unique_ptr<agent_files> files;
    std::unique_ptr<server> srv;
  };
  std::vector<agent_server> agent_servers_;
  /// Starts the files server of an agent about to be added; returns its
  /// endpoint and sets spec.port to the bound port.
  agent_files* serve_agent(agent_spec& spec, agent_mode mode);

  std::unique_ptr<http_endpoint> admin_;
  std::unique_ptr<server> admin_server_;
};

/// The admin API's endpoint (cluster_admin.cpp); it acts through the
/// cluster's public members, on the io thread.
std::unique_ptr<http_endpoint> make_admin_endpoint(cluster& owner);

} // namespace outrigger::sim
