#pragma once
// Where and with what environment an exec agent's task runs: the Mesos
// agent's sandbox layout and the command executor's environment.

#include "protocol/task_info.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace outrigger::sim {

/// True when `id` can be a directory name (non-empty, no '/' or '\', not
/// "." or ".."); Mesos' own id validation rules these out as well.
bool path_safe(std::string_view id);

/// The directory holding a task's runs, as the agent lays it out:
/// `<work_dir>/slaves/<agent>/frameworks/<framework>/executors/<task>/runs`.
std::filesystem::path task_runs_dir(const std::filesystem::path& work_dir,
                                    const std::string& agent,
                                    const std::string& framework,
                                    const std::string& task);

/// Creates `<runs>/<new run id>` and points the symlink `<runs>/latest` at
/// it; returns the run directory (empty, with `ec` set, on failure).
std::filesystem::path create_run_dir(const std::filesystem::path& runs,
                                     std::error_code& ec);

/// A task's environment, "NAME=value" each: the simulator's own (when
/// `inherit`), then MESOS_SANDBOX, MESOS_DIRECTORY, MESOS_TASK_ID,
/// MESOS_EXECUTOR_ID, MESOS_AGENT_ID, MESOS_SLAVE_ID, MESOS_FRAMEWORK_ID,
/// then the command's VALUE variables, each overriding the earlier ones
/// (secrets are not resolved by the simulator and are left out).
std::vector<std::string> task_environment(bool inherit,
                                          const std::string& agent,
                                          const std::string& framework,
                                          const std::string& task,
                                          const protocol::CommandInfo& command,
                                          const std::filesystem::path& sandbox);

} // namespace outrigger::sim
