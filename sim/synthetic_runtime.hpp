#pragma once
// A task runtime that only pretends: tasks go TASK_STARTING → TASK_RUNNING →
// TASK_FINISHED (or TASK_FAILED) on the simulated clock, with the messages
// of the Mesos command executor (src/launcher/executor.cpp). Deterministic
// for a given seed, and cheap enough for hundreds of thousands of tasks:
// one hash map entry and at most one timer per live task.

#include "sim/master_config.hpp"
#include "sim/task_runtime.hpp"
#include "sim/timer_queue.hpp"

#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace outrigger::sim {

/// A generated sandbox: file name -> content, with its modification time.
struct virtual_sandbox {
  std::map<std::string, std::string> files;
  double mtime = 0; ///< seconds since the epoch
};

/// Something with its own timers that the master drives with its clock.
class clocked {
public:
  virtual ~clocked() = default;
  /// Runs everything due at or before `now`.
  virtual void advance(sim_time now) = 0;
  /// When advance() next has work to do, if ever.
  virtual std::optional<sim_time> next_deadline() const = 0;
};

/// Simulated command executors.
///
/// How long a task runs: the `duration_ms` of the task's label
/// `outrigger.sim/duration_ms` if present, else `N` seconds for a command
/// `sleep N`, else a duration drawn from the configured range. It fails
/// ("Command exited with status N") when the label
/// `outrigger.sim/exit_code` is a non-zero N, or with the configured
/// probability (status 1).
class synthetic_runtime final : public task_runtime, public clocked {
public:
  explicit synthetic_runtime(synthetic_config config = {},
                             task_listener* listener = nullptr);

  /// Where state changes go (the master).
  void set_listener(task_listener* listener) noexcept { listener_ = listener; }

  void launch(const protocol::AgentID& agent,
              const protocol::FrameworkID& framework,
              const protocol::TaskInfo& task) override;
  void kill(const protocol::AgentID& agent, const protocol::TaskID& task,
            std::chrono::milliseconds grace, bool killing_state) override;
  void shutdown_framework(const protocol::AgentID& agent,
                          const protocol::FrameworkID& framework) override;

  void advance(sim_time now) override;
  std::optional<sim_time> next_deadline() const override;

  /// Drops every task of `agent` without a report (an agent that restarted
  /// without recovering its executors).
  void forget_agent(const protocol::AgentID& agent);

  /// The generated sandbox of one of the last `sandbox_history` tasks
  /// launched (the executor id of a command task is its task id): a
  /// `stdout` telling what ran, an empty `stderr`. What the files endpoint
  /// of a synthetic agent serves.
  std::optional<virtual_sandbox> sandbox(const std::string& agent,
                                         const std::string& framework,
                                         const std::string& executor) const;

  /// Launches remembered for sandbox().
  static constexpr std::size_t sandbox_history = 4096;

  /// Every launch() so far (tasks the agents were asked to run).
  std::uint64_t launches() const noexcept { return launches_; }
  /// Task ids launched more than once, across agents and frameworks (a
  /// scheduler must never reuse a task id); at most `max_twice` are kept.
  const std::vector<std::string>& launched_twice() const noexcept {
    return launched_twice_;
  }
  /// Task ids remembered for launched_twice(); past this many, ids are no
  /// longer checked (`launch_ids_full()`).
  static constexpr std::size_t max_launch_ids = 1'000'000;
  static constexpr std::size_t max_twice = 100;
  bool launch_ids_full() const noexcept {
    return launch_ids_.size() >= max_launch_ids;
  }

  /// Tasks that have not reached a terminal state.
  std::size_t live_tasks() const noexcept { return tasks_.size(); }

private:
  enum class phase : std::uint8_t { staging, starting, running, killing };
  struct entry {
    protocol::AgentID agent;
    protocol::FrameworkID framework;
    protocol::TaskID task;
    phase at = phase::staging;
    std::chrono::milliseconds run_for{0};
    int exit_code = 0;
    timer_queue::id timer = 0;
  };

  static std::string key(const protocol::AgentID& agent,
                         const protocol::FrameworkID& framework,
                         const protocol::TaskID& task);
  void step(const std::string& key);
  void report(const entry& e, protocol::task_state state, std::string message);

  synthetic_config config_;
  task_listener* listener_;
  std::mt19937_64 rng_;
  timer_queue timers_;
  sim_time now_{};
  std::unordered_map<std::string, entry> tasks_;
  struct launched {
    std::string command;
    sim_time at{};
  };
  std::unordered_map<std::string, launched> recent_; ///< by key()
  std::deque<std::string> recent_order_;             ///< oldest first
  std::uint64_t launches_ = 0;
  std::unordered_set<std::string> launch_ids_;
  std::vector<std::string> launched_twice_;
  // agent + task id → keys (a task id is unique per framework only).
  std::unordered_multimap<std::string, std::string> by_agent_task_;
};

} // namespace outrigger::sim
