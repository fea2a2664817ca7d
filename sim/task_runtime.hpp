#pragma once
// How tasks run on simulated agents. The master core decides what happens to
// a task; a runtime makes it happen: `exec` agents run real subprocesses
// (exec_runtime, in the I/O layer), `synthetic` agents only pretend
// (synthetic_runtime, driven by the master's clock). Both report back through
// task_listener, exactly as a Mesos executor reports to its agent.

#include "protocol/task_info.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace outrigger::sim {

/// Receives what happens to tasks inside a runtime.
class task_listener {
public:
  virtual ~task_listener() = default;

  /// A state change reported by the executor of `task` on `agent`:
  /// TASK_STARTING, TASK_RUNNING, TASK_KILLING, TASK_FINISHED, TASK_FAILED
  /// (message "Command exited with status N" or "Command terminated with
  /// signal X", as the Mesos command executor words it), TASK_KILLED.
  virtual void on_task_state(const protocol::AgentID& agent,
                             const protocol::FrameworkID& framework,
                             const protocol::TaskID& task,
                             protocol::task_state state, std::string message,
                             std::optional<protocol::status_reason> reason)
    = 0;
};

/// Runs tasks for one or more agents.
class task_runtime {
public:
  virtual ~task_runtime() = default;

  /// Starts `task` (already validated and accounted by the master).
  virtual void launch(const protocol::AgentID& agent,
                      const protocol::FrameworkID& framework,
                      const protocol::TaskInfo& task)
    = 0;

  /// Kills `task`: TASK_KILLING first when `killing_state` (the framework has
  /// the TASK_KILLING_STATE capability), then SIGTERM, SIGKILL after `grace`,
  /// then TASK_KILLED. Unknown or finished tasks are ignored.
  virtual void kill(const protocol::AgentID& agent,
                    const protocol::TaskID& task,
                    std::chrono::milliseconds grace, bool killing_state)
    = 0;

  /// Kills every task of `framework` on `agent` without further reports
  /// (the framework is gone; the master marks the tasks itself).
  virtual void shutdown_framework(const protocol::AgentID& agent,
                                  const protocol::FrameworkID& framework)
    = 0;
};

} // namespace outrigger::sim
