#pragma once
// The simulated Mesos master: the v1 scheduler API (POST /api/v1/scheduler
// and /master/api/v1/scheduler) with the real master's checks, status codes,
// bodies and event streams, plus a few read-only GET routes, agents that run
// tasks through a task_runtime, and fault injection. Pure logic: no sockets,
// no threads, no sleeping; time moves only through advance().
//
// The reference is the behaviour recorded from Mesos 1.12
// (docs/design.md §M1-§M15, tests/data/mesos-wire/); deviations are listed in
// docs/simulator.md and at the functions concerned.

#include "sim/agent_spec.hpp"
#include "sim/endpoint.hpp"
#include "sim/master_config.hpp"
#include "sim/synthetic_runtime.hpp"
#include "sim/task_runtime.hpp"

#include "protocol/framework_info.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace outrigger::sim {

namespace detail {
struct master_core;
struct agent_bundle;
} // namespace detail

/// Agents, with their tasks, executors and status update streams, on their
/// way from a master that died to the next leader (master::
/// hand_over_agents, master::adopt_agents). Meanwhile the agents' runtimes
/// report to listener(): the reports wait, as in an agent's status update
/// manager, and reach the new master with their times.
class agent_handoff {
public:
  /// An empty handoff (no agents).
  agent_handoff();
  ~agent_handoff();
  agent_handoff(agent_handoff&&) noexcept;
  agent_handoff& operator=(agent_handoff&&) noexcept;

  /// Agents in transit.
  std::size_t agent_count() const;
  /// Tasks on them (any state, until their terminal update is ACKed).
  std::size_t task_count() const;
  /// Reports waiting for the next master.
  std::size_t report_count() const;
  /// Where the agents' runtimes report while no master hosts them. Stable
  /// for the handoff's lifetime (moves included).
  task_listener& listener();
  /// The clock that stamps waiting reports (default: sim_clock::now).
  void set_clock(std::function<sim_time()> clock);

  struct state;

private:
  friend class master;
  std::unique_ptr<state> state_;
};

/// How an agent is lost.
enum class agent_loss : std::uint8_t {
  /// Health checks time out while the connection stays up (SIGSTOP): tasks
  /// become TASK_UNREACHABLE (PARTITION_AWARE) or TASK_LOST, reason
  /// REASON_AGENT_REMOVED, "health check timed out"; offers rescinded;
  /// FAILURE to every connected framework (transcripts2 item 4).
  partition,
  /// The connection breaks (the agent crashed): tasks of frameworks without
  /// `checkpoint` are TASK_LOST, REASON_AGENT_DISCONNECTED, "Agent <host>
  /// disconnected" and killed at once, whatever PARTITION_AWARE says; the
  /// others then follow the partition path.
  disconnected,
};

/// A simulated Mesos master (see the file comment).
class master final : public http_endpoint, public task_listener {
public:
  /// A master whose clock starts at `start`, elected leader at once.
  explicit master(master_config config = {}, sim_time start = sim_clock::now());
  ~master() override;
  master(const master&) = delete;
  master& operator=(const master&) = delete;

  // -- http_endpoint ---------------------------------------------------------

  /// Answers one request at the current simulated time. With
  /// `crash_on_unknown_call`, a subscribed framework's `{"type":"UNKNOWN"}`
  /// emulates the real master's abort (design.md §M1): every stream is cut,
  /// the master restarts with a new id, and the reply has status 0, which
  /// tells the server to close the connection without answering.
  handler_reply handle(const http_request& request) override;
  std::vector<stream_output> take_output() override;
  void stream_closed(stream_id id) override;
  void advance(sim_time now) override;
  std::optional<sim_time> next_deadline() const override;

  // -- task_listener (reports from the runtimes) -----------------------------

  void on_task_state(const protocol::AgentID& agent,
                     const protocol::FrameworkID& framework,
                     const protocol::TaskID& task, protocol::task_state state,
                     std::string message,
                     std::optional<protocol::status_reason> reason) override;

  // -- identity and leadership -----------------------------------------------

  /// This master's MasterInfo (as in SUBSCRIBED).
  const protocol::MasterInfo& info() const;
  /// This master leads (the default).
  void set_leader_self();
  /// Another master leads: requests get 307 to it (design.md §M3).
  void set_leader(const protocol::MasterInfo& other);
  /// Nobody leads: requests get 503 "No leader elected".
  void set_no_leader();
  /// True while this master leads.
  bool elected() const;
  /// The current simulated time.
  sim_time now() const;

  // -- agents ----------------------------------------------------------------

  /// Registers an agent; its id is `<master id>-S<n>`. Throws
  /// std::invalid_argument when the resources or attributes do not parse.
  protocol::AgentID add_agent(const agent_spec& spec);
  /// Loses an agent (see agent_loss). No effect on unknown or lost agents.
  void lose_agent(const protocol::AgentID& id,
                  agent_loss how = agent_loss::partition);
  /// Brings a lost agent back: its surviving tasks are re-added and every
  /// connected framework with tasks there gets TASK_RUNNING (or their latest
  /// state), REASON_AGENT_REREGISTERED, "Unreachable agent re-reregistered".
  /// With `tasks_lost` the agent comes back empty (it restarted without
  /// recovering its executors); its old tasks stay unknown to it, so an
  /// explicit reconciliation answers TASK_GONE "Reconciliation: Task is
  /// unknown to the agent".
  void return_agent(const protocol::AgentID& id, bool tasks_lost = false);
  /// MARK_AGENT_GONE: TASK_GONE_BY_OPERATOR (PARTITION_AWARE) or TASK_LOST,
  /// "Agent has been marked gone", RESCIND of its offers, FAILURE; its tasks
  /// are killed and it never returns.
  void remove_agent(const protocol::AgentID& id);
  /// The runtime used by agents added without one.
  synthetic_runtime& synthetic();
  /// Lets the master drive another clocked component (an external
  /// synthetic_runtime) with its clock. Not owned.
  void attach(clocked& component);
  /// Stops driving a component given to attach().
  void detach(clocked& component);

  // -- failover between masters -----------------------------------------------

  /// The master process dies and its agents leave it: every stream is cut
  /// (nothing sent), frameworks, offers and timers are dropped, it no longer
  /// leads nor knows a leader (requests get 503 "No leader elected"). The
  /// agents keep running their tasks; they, their tasks and status update
  /// streams, and the synthetic runtimes this master owned for them, are
  /// returned. External runtimes keep their listener: point them at the
  /// handoff's listener() until a new master adopts the agents.
  agent_handoff hand_over_agents();
  /// A newly elected master learns the agents of a master that died: they
  /// re-register (silently, as after restart()) once
  /// agent_reregistration_delay has passed; until then explicit
  /// reconciliation of their tasks gets no answer. Frameworks with tasks on
  /// them are recovered under their ids and must resubscribe; pending status
  /// updates reach them then. Reports made meanwhile are applied with their
  /// times. External runtimes must be pointed at this master by the caller.
  void adopt_agents(agent_handoff handoff);

  // -- faults ----------------------------------------------------------------

  /// Cuts every subscription stream without the terminating chunk; the
  /// master sees each framework disconnect (failover timeout starts).
  void cut_streams();
  /// Stops sending HEARTBEATs while keeping streams open.
  void pause_heartbeats();
  /// Resumes HEARTBEATs at their usual times.
  void resume_heartbeats();
  /// The next `n` non-SUBSCRIBE calls that pass every check are answered as
  /// usual (202) but have no effect, like calls lost on the way.
  void drop_calls(std::size_t n);
  /// Answers scheduler calls with 503 "Master has not finished recovery"
  /// for `how_long`.
  void unavailable_for(std::chrono::milliseconds how_long);
  /// An operator's teardown (POST /master/teardown): the framework is
  /// removed as by its own TEARDOWN or an expired failover timeout (its
  /// stream ends, its tasks are killed); a later SUBSCRIBE with its id gets
  /// ERROR "Framework has been removed". Every registered framework when
  /// `id` is empty. Returns how many were removed.
  std::size_t teardown(const std::string& id = {});
  /// Master failover: a new master id, every stream cut, frameworks, offers
  /// and filters forgotten; agents keep their tasks and re-register after
  /// agent_reregistration_delay; frameworks must resubscribe (they are
  /// recovered under their ids).
  void restart();

  // -- introspection (tests, admin endpoint) ----------------------------------

  /// Frameworks registered (connected or not) / completed.
  std::size_t framework_count() const;
  std::size_t completed_framework_count() const;
  /// Outstanding offers.
  std::size_t offer_count() const;
  /// Tasks on agents (any state, until their terminal update is ACKed).
  std::size_t task_count() const;
  /// Tasks the master tracks in `state` (latest known state).
  std::size_t tasks_in_state(protocol::task_state state) const;
  /// The value of a /metrics/snapshot key (0 when absent).
  double metric(const std::string& key) const;

  /// An agent as the admin status shows it.
  struct agent_brief {
    protocol::AgentID id;
    std::string hostname;
    std::uint16_t port = 0;
    /// "active", "recovering", "unreachable" or "gone".
    std::string status;
    std::size_t tasks = 0; ///< tasks on it (until their terminal ACK)
  };
  /// Agents known to this master, in registration order.
  std::vector<agent_brief> agents() const;
  /// Tasks the master tracks as active, counted by latest state name
  /// ("TASK_RUNNING" ...).
  std::map<std::string, std::size_t> task_states() const;
  /// Ids of registered frameworks whose stream is open.
  std::vector<std::string> connected_frameworks() const;
  /// The state the task's executor last reported (what its agent knows,
  /// which the scheduler may not have seen yet); nullopt for a task no
  /// agent has.
  std::optional<protocol::task_state>
  agent_task_state(const protocol::FrameworkID& framework,
                   const protocol::TaskID& task) const;

private:
  std::unique_ptr<detail::master_core> core_;
};

} // namespace outrigger::sim
