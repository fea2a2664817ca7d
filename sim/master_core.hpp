#pragma once
// Internal to sim/: the simulated master behind the public `master` facade.
// A plain struct whose members the implementation files share; each group of
// operations lives in the file named next to it.

#include "sim/core.hpp"
#include "sim/http_message.hpp"

namespace outrigger::sim::detail {

/// A report a runtime made while no master hosted its agent (the agent's
/// status update manager kept it).
struct late_report {
  AgentID agent;
  FrameworkID framework;
  TaskID task;
  task_state state = task_state::staging;
  std::string message;
  std::optional<protocol::status_reason> reason;
  sim_time at{};
};

/// Agents with their tasks, executors and status update streams on their way
/// from a master that died to the next leader (handoff.cpp).
struct agent_bundle {
  std::vector<std::unique_ptr<agent_rec>> agents; ///< registration order
  std::vector<task_rec> tasks;
  std::vector<late_report> reports; ///< in arrival order
  /// Synthetic runtimes the agents run on that the old master owned (its
  /// built-in one and those it had inherited itself).
  std::vector<std::unique_ptr<synthetic_runtime>> runtimes;
};

/// How an agent is lost (lose_agent).
enum class loss_kind : std::uint8_t {
  partition,    ///< health checks time out; the TCP connection stays up
  disconnected, ///< the TCP connection broke (agent crashed)
};

struct master_core {
  master_core(master_config config, sim_time start, task_listener& listener);

  // -- master_core.cpp: clock, streams, events, faults ----------------------
  void advance(sim_time now);
  std::optional<sim_time> next_deadline() const;
  std::vector<stream_output> take_output();
  void stream_closed(stream_id id);
  double now_seconds() const;
  protocol::TimeInfo now_time_info() const;
  void bump(const std::string& counter, double by = 1);
  stream_id open_stream(const std::string& framework);
  void send_event(stream_id id, const protocol::Event& event);
  void end_stream(stream_id id);
  void cut_all_streams();
  /// Cuts every open stream (TCP level, no terminating chunk) and returns
  /// them (stream → framework); their frameworks are left as they are.
  std::map<stream_id, std::string> cut_streams();
  /// Sends `event` to a connected framework (dropped otherwise).
  void emit(framework_rec& fw, const protocol::Event& event);
  shared_resources intern(std::vector<protocol::Resource> resources);
  void new_identity();
  void restart();
  void crash();

  // -- scheduler_endpoint.cpp: POST /api/v1/scheduler -----------------------
  handler_reply scheduler_api(const http_request& request);
  http_response dispatch(framework_rec& fw, protocol::Call& call);
  http_response redirect(const http_request& request) const;

  // -- frameworks.cpp: subscribe, failover, disconnect, removal -------------
  handler_reply subscribe(const http_request& request,
                          protocol::Subscribe& subscribe);
  std::optional<std::string>
  validate_framework(const protocol::FrameworkInfo& info) const;
  void connect(framework_rec& fw, stream_id stream, const std::string& uuid);
  void heartbeat(const std::string& framework);
  void apply_update(framework_rec& fw, const protocol::FrameworkInfo& info,
                    std::set<std::string> suppressed);
  void disconnect(framework_rec& fw);
  void remove_framework(framework_rec& fw);
  http_response update_framework(framework_rec& fw, protocol::Subscribe& u);
  framework_rec* find_framework(const std::string& id);
  framework_rec& recover_framework(const protocol::FrameworkInfo& info);
  bool is_completed(const std::string& id) const;
  void resume_updates(const std::string& framework);

  // -- allocator.cpp: offers, filters, suppress/revive ----------------------
  void request_allocation();
  void periodic_allocation();
  void wake_allocator();
  void schedule_filter_expiry();
  sim_time allocation_tick(sim_time at_or_after) const;
  void free_resources(agent_rec& agent, const resource_set& unallocated);
  void allocate();
  void remove_offer(const std::string& id, bool rescind,
                    const std::optional<protocol::Filters>& filters);
  void recover(framework_rec* fw, agent_rec& agent, const std::string& role,
               const resource_set& resources,
               const std::optional<protocol::Filters>& filters);
  void decline(framework_rec& fw, const protocol::Decline& decline);
  void suppress(framework_rec& fw, const protocol::RoleList& roles);
  void revive(framework_rec& fw, const protocol::RoleList& roles);
  void revive_roles(framework_rec& fw, const std::set<std::string>& roles);
  protocol::Offer offer_message(const offer_rec& offer,
                                const framework_rec& fw) const;
  std::vector<protocol::Resource> in_offer_order(const agent_rec& agent,
                                                 const resource_set& rs) const;

  // -- accept.cpp: ACCEPT, LAUNCH, LAUNCH_GROUP -----------------------------
  void accept(framework_rec& fw, protocol::Accept& accept);
  void launch(framework_rec& fw, agent_rec& agent, const std::string& role,
              const protocol::TaskInfo& task,
              const std::optional<protocol::ExecutorInfo>& group_executor);

  // -- status_updates.cpp: executor updates, status update streams, ACK ----
  /// `timestamp`: when the executor reported (default: now).
  void on_task_state(const AgentID& agent, const FrameworkID& framework,
                     const TaskID& task, task_state state, std::string message,
                     std::optional<protocol::status_reason> reason,
                     std::optional<double> timestamp = std::nullopt);
  void executor_task_ended(const AgentID& agent, const FrameworkID& framework,
                           const protocol::ExecutorID& executor);
  void send_head(const std::string& key, bool first);
  void receive_update(task_rec& task, const pending_update& update);
  protocol::TaskStatus executor_status(const task_rec& task,
                                       const pending_update& update) const;
  protocol::TaskStatus master_status(const TaskID& task,
                                     std::optional<AgentID> agent,
                                     task_state state, std::string message,
                                     protocol::status_reason reason) const;
  void forward(framework_rec& fw, protocol::TaskStatus status);
  void acknowledge(framework_rec& fw, const protocol::Acknowledge& ack);
  void release_resources(task_rec& task);
  void complete_task(framework_rec& fw, task_rec& task);
  void erase_task(const std::string& key);
  protocol::ContainerStatus container_status(const task_rec& task,
                                             bool network) const;

  // -- task_calls.cpp: KILL, RECONCILE, SHUTDOWN, MESSAGE -------------------
  void kill(framework_rec& fw, const protocol::Kill& kill);
  void reconcile(framework_rec& fw, const protocol::Reconcile& reconcile);
  void shutdown(framework_rec& fw, const protocol::Shutdown& shutdown);

  // -- agents.cpp: agents joining, leaving, coming back ---------------------
  AgentID add_agent(const agent_spec& spec);
  agent_rec& agent(const AgentID& id);
  agent_rec* find_agent(const std::string& id);
  void lose_agent(const AgentID& id, loss_kind kind);
  void return_agent(const AgentID& id, bool tasks_lost);
  void remove_agent(const AgentID& id);
  void reregister(agent_rec& agent, bool was_unreachable);
  void send_agent_lost(const AgentID& id);

  // -- handoff.cpp: agents moving to another master (failover) -------------
  /// The process dies: streams cut, frameworks, offers and timers dropped;
  /// no longer leading, no leader known.
  void die();
  /// die(), then the agents, their tasks and runtimes leave this master.
  std::unique_ptr<agent_bundle> hand_over_agents(task_listener* limbo);
  /// A newly elected master learns agents that re-register with it.
  void adopt_agents(agent_bundle& bundle);

  // -- state_endpoints.cpp: GET routes --------------------------------------
  handler_reply get_route(const http_request& request);
  std::string state_json() const;
  /// metrics.cpp: the /metrics/snapshot values by key.
  std::map<std::string, double> metrics() const;
  std::string metrics_json() const;

  // -- data -----------------------------------------------------------------
  master_config config;
  task_listener& listener;
  protocol::MasterInfo info;
  std::optional<protocol::MasterInfo> leader; ///< nullopt: no leader
  bool leading = true;                        ///< leader == info
  sim_time start_time;
  sim_time now;
  sim_time elected_time;
  uuid_generator ids;
  timer_queue timers;
  std::vector<clocked*> clocks;
  std::unique_ptr<synthetic_runtime> synthetic;
  /// Synthetic runtimes of adopted agents (from masters that died).
  std::vector<std::unique_ptr<synthetic_runtime>> inherited;

  std::map<std::string, std::unique_ptr<framework_rec>> frameworks;
  std::deque<std::unique_ptr<framework_rec>> completed_frameworks;
  std::map<std::string, std::unique_ptr<agent_rec>> agents;
  std::vector<agent_rec*> agent_order; ///< registration order
  std::unordered_map<std::string, task_rec> tasks;
  std::map<std::string, offer_rec> offers;
  std::map<stream_id, std::string> streams; ///< open stream → framework
  std::vector<stream_output> output;
  std::map<std::string, std::weak_ptr<const std::vector<protocol::Resource>>>
    resource_pool;

  stream_id next_stream = 1;
  std::uint64_t next_framework = 0;
  std::uint64_t next_offer = 0;
  std::uint64_t next_agent = 0;
  std::uint32_t next_pid = 20000;
  bool allocation_requested = false;
  timer_queue::id allocation_timer = 0;
  sim_time allocation_at{};

  // Faults.
  bool heartbeats_paused = false;
  std::size_t calls_to_drop = 0;
  sim_time unavailable_until{};

  std::map<std::string, double> counters;
};

} // namespace outrigger::sim::detail
