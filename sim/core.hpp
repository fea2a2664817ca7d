#pragma once
// Internal to sim/: the simulated master's state and the operations on it,
// shared by the translation units that implement them (scheduler_endpoint,
// frameworks, allocator, accept, status_updates, task_calls, agents,
// state_endpoints, core). Only master.hpp is public.
//
// The model keeps what survives a master restart (agents, their tasks, the
// agent-side status update queues) apart from what a restart loses
// (frameworks, offers, filters, the master's view of tasks), so that
// restart() can drop exactly the latter.

#include "protocol/event.hpp"
#include "protocol/resource_math.hpp"
#include "sim/agent_spec.hpp"
#include "sim/master_config.hpp"
#include "sim/synthetic_runtime.hpp"
#include "sim/timer_queue.hpp"
#include "sim/uuid.hpp"

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace outrigger::sim::detail {

using protocol::AgentID;
using protocol::FrameworkID;
using protocol::resource_set;
using protocol::task_state;
using protocol::TaskID;

/// Resource lists shared by the many tasks that ask for the same resources.
using shared_resources = std::shared_ptr<const std::vector<protocol::Resource>>;

/// One status a task went through, as /master/state lists it.
struct status_brief {
  task_state state = task_state::staging;
  double timestamp = 0;
  bool container = false; ///< carried the task's container_status
};

/// The master's view of a task (Task in src/master/master.hpp).
struct task_view {
  TaskID id;
  std::string name;
  FrameworkID framework;
  AgentID agent;
  std::optional<protocol::ExecutorID> executor; ///< unset for command tasks
  task_state state = task_state::staging;       ///< latest state known
  std::optional<task_state> update_state;       ///< state last forwarded
  std::string update_uuid;                      ///< uuid last forwarded
  shared_resources resources;
  std::string role;
  std::vector<status_brief> statuses;
  std::optional<protocol::TimeInfo> unreachable_time;
};

/// A status update waiting in an agent's status update stream.
struct pending_update {
  task_state state = task_state::staging;
  std::optional<protocol::status_reason> reason;
  std::string message;
  std::string uuid; ///< 16 raw bytes
  double timestamp = 0;
};

/// Whether the (current) master knows a task.
enum class known_as : std::uint8_t { unknown, active, unreachable };

/// A task on an agent: the agent's side (survives a master restart) plus the
/// master's view of it.
struct task_rec {
  task_view view;
  known_as master = known_as::active;
  task_state agent_state = task_state::staging; ///< executor's latest
  bool command = true;          ///< command executor: executor_id = task id
  std::string container_id;     ///< the task's container
  std::string parent_container; ///< the executor's container (task groups)
  std::uint32_t pid = 0;
  std::optional<std::int64_t> kill_grace_ns; ///< TaskInfo.kill_policy
  std::vector<pending_update> pending;       ///< [0] is in flight
  std::chrono::milliseconds backoff{0};
  timer_queue::id retry = 0;
  bool resources_released = false;
};

/// A refused-resources offer filter (RefusedOfferFilter,
/// src/master/allocator/mesos/hierarchical.cpp:95-125).
struct refusal {
  resource_set refused;
  sim_time expires;
};

/// A framework as the master knows it.
struct framework_rec {
  FrameworkID id;
  protocol::FrameworkInfo info;
  std::vector<std::string> roles; ///< protobuf::framework::getRoles
  std::set<std::string> suppressed;
  bool connected = false;
  bool active = false;
  bool recovered = false; ///< known from agents only (after a restart)
  std::optional<stream_id> stream;
  std::string stream_uuid;
  timer_queue::id heartbeat = 0;
  timer_queue::id failover = 0;
  std::set<std::string> offers;
  /// role → agent → filters.
  std::map<std::string, std::map<std::string, std::vector<refusal>>> filters;
  std::set<std::string> tasks; ///< ids of tasks the master tracks as active
  std::map<std::string, task_view> unreachable;
  std::deque<task_view> completed;
  resource_set offered; ///< allocated form
  resource_set used;    ///< allocated form
  sim_time registered_time{};
  std::optional<sim_time> reregistered_time;
  std::optional<sim_time> unregistered_time;
  std::map<std::string, double> calls;  ///< per call type (lower case)
  std::map<std::string, double> events; ///< per event type (lower case)

  bool has(protocol::framework_capability c) const {
    return info.has_capability(c);
  }
  bool partition_aware() const {
    return has(protocol::framework_capability::partition_aware);
  }
  bool multi_role() const {
    return has(protocol::framework_capability::multi_role);
  }
};

/// An executor running tasks of a task group (or a custom executor).
struct executor_rec {
  FrameworkID framework;
  protocol::ExecutorID id;
  shared_resources resources;
  std::string container_id;
  std::size_t live_tasks = 0;
};

/// Where an agent stands with the master.
enum class agent_status : std::uint8_t {
  active,      ///< registered
  recovering,  ///< after a master restart, not yet re-registered
  unreachable, ///< partitioned (health checks failed)
  gone,        ///< marked gone; never comes back
};

/// A simulated agent.
struct agent_rec {
  AgentID id;
  std::string hostname;
  std::string ip;
  std::uint16_t port = 5051;
  std::vector<protocol::Resource> total_list; ///< offer order
  resource_set total;
  std::vector<protocol::Attribute> attributes;
  task_runtime* runtime = nullptr;
  agent_status status = agent_status::active;
  resource_set available; ///< unallocated: not offered, not used
  resource_set used;      ///< unallocated form
  std::set<std::string> offers;
  std::set<std::string> task_keys;
  std::map<std::string, protocol::FrameworkInfo> frameworks;
  std::map<std::string, executor_rec> executors; ///< key: fw \x1f executor
  sim_time registered_time{};
  std::optional<sim_time> reregistered_time;
  std::optional<protocol::TimeInfo> unreachable_time;
};

/// An outstanding offer.
struct offer_rec {
  protocol::OfferID id;
  FrameworkID framework;
  AgentID agent;
  std::string role;
  resource_set resources; ///< allocated form
  timer_queue::id timeout = 0;
};

/// The key of a task in core::tasks (ids cannot contain control chars).
inline std::string task_key(const std::string& framework,
                            const std::string& task) {
  return framework + '\x1f' + task;
}

} // namespace outrigger::sim::detail
