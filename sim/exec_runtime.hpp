#pragma once
// task_runtime for `exec` agents: every task's CommandInfo runs as a real
// local subprocess, reported the way the Mesos command executor reports it
// (src/launcher/executor.cpp): TASK_STARTING, TASK_RUNNING, then
// TASK_FINISHED "Command exited with status 0", TASK_FAILED "Command exited
// with status N" / "Command terminated with signal <name>", or after a kill
// TASK_KILLING (when asked) and TASK_KILLED "Command terminated with signal
// Terminated". Resources are accounted by the master, not enforced here;
// container images are ignored.
//
// Sandboxes follow the agent's layout:
//   <work_dir>/slaves/<agent>/frameworks/<framework>/executors/<task>/runs/<run>
// with a `latest` symlink next to the run directory, and files `stdout` and
// `stderr`. The task runs there with the simulator's environment plus
// MESOS_SANDBOX, MESOS_DIRECTORY, MESOS_TASK_ID, MESOS_EXECUTOR_ID,
// MESOS_AGENT_ID, MESOS_SLAVE_ID and MESOS_FRAMEWORK_ID, then
// CommandInfo.environment (VALUE variables; it wins on conflicts), in a
// process group of its own: kills reach the whole tree, and what is left of
// the group when its leader exits is killed, as a container would be.
//
// Threading: all members and all listener calls run on the io_context's
// (single) thread; reports are posted, never made from inside launch/kill,
// so the listener is not re-entered. Exits are noticed with pidfds (polling
// every 50 ms where the kernel has none), never by blocking. Destroy on the
// io thread, or after it has stopped.

#include "sim/task_runtime.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::sim {

/// Where and how much an exec_runtime runs.
struct exec_options {
  /// Root of the sandboxes (created when missing).
  std::filesystem::path work_dir;
  /// Processes at most; launches beyond fail with
  /// REASON_CONTAINER_LAUNCH_FAILED.
  std::size_t max_processes = 256;
  /// SIGTERM-to-SIGKILL delay of shutdown_framework().
  std::chrono::milliseconds shutdown_grace{3000};
  /// Start from the simulator's own environment (as an agent passes its own
  /// to executors); otherwise only the MESOS_* and the task's variables.
  bool inherit_environment = true;
  /// Notice exits by polling (every 50 ms) even where pidfds exist: the
  /// fallback for kernels before 5.3, selectable to test it.
  bool poll_exits = false;
};

/// Runs command tasks as local subprocesses.
class exec_runtime final : public task_runtime {
public:
  /// @param listener receives every report, on the io thread; must outlive
  ///   the runtime.
  exec_runtime(boost::asio::io_context& context, task_listener& listener,
               exec_options options);

  /// Kills every process group with SIGKILL and reaps them; no reports.
  ~exec_runtime() override;

  exec_runtime(const exec_runtime&) = delete;
  exec_runtime& operator=(const exec_runtime&) = delete;

  /// Starts `task.command` (shell form: `/bin/sh -c value`; argv form:
  /// `value` run with `arguments` as argv, looked up in PATH). Tasks with
  /// a custom executor instead of a command fail (not supported here).
  void launch(const protocol::AgentID& agent,
              const protocol::FrameworkID& framework,
              const protocol::TaskInfo& task) override;

  /// SIGTERM to the task's group, SIGKILL after `grace`; a repeated kill may
  /// only shorten the grace (as the command executor does).
  void kill(const protocol::AgentID& agent, const protocol::TaskID& task,
            std::chrono::milliseconds grace, bool killing_state) override;

  /// Kills the framework's tasks on `agent` (SIGTERM, SIGKILL after
  /// `shutdown_grace`) and reports nothing more about them.
  void shutdown_framework(const protocol::AgentID& agent,
                          const protocol::FrameworkID& framework) override;

  /// The sandbox of the task's latest run (`.../runs/latest`).
  std::filesystem::path sandbox(const protocol::AgentID& agent,
                                const protocol::FrameworkID& framework,
                                const protocol::TaskID& task) const;

  /// Processes started and not yet reaped.
  std::size_t running() const noexcept;

  class impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace outrigger::sim
