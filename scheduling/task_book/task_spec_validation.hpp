#pragma once
// Submission of a task: the defaults that fill what a client left out (cpus 1
// and mem 256 as in Airflow's MesosExecutor), the limits a spec must respect,
// and the check of every field with an error naming it
// ("resources.mem: must be > 0"). Also the JSON form of a spec, used by the
// API and by the task book's records.

#include "scheduling/task_book/api_error.hpp"
#include "scheduling/task_book/task.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace outrigger::scheduling {

/// What a task gets when its submission leaves a field out.
struct task_defaults {
  task_resources resources; ///< cpus 1, mem 256 (Airflow's defaults)
  std::string role = "*";
  std::string queue = "default";
  std::int32_t priority = 0;
  retry_policy retry;
};

/// Bounds of a valid spec.
struct task_limits {
  double max_cpus = 1024;
  double max_mem = 16 * 1024 * 1024; ///< MiB (16 TiB)
  double max_disk = 1024.0 * 1024 * 1024;
  double max_gpus = 64;
  std::uint32_t max_ports = 64;
  std::size_t max_key_bytes = 512;
  std::size_t max_command_bytes = 64 * 1024; ///< shell string or all of argv
  std::size_t max_list_items = 256; ///< environment, labels, uris, argv...
  std::uint16_t max_attempts = 100;
  duration max_backoff = std::chrono::hours{24};
  duration max_kill_grace = std::chrono::hours{24};
};

/// Defaults and limits together: the rules of submission.
struct task_spec_rules {
  task_defaults defaults;
  task_limits limits;
};

/// Checks every field of a resolved spec; the first problem found, naming
/// its field, or nullopt when the spec is valid. Also checks normal form:
/// environment and labels sorted by name without duplicates, scalars at
/// Mesos' precision (three decimals).
std::optional<api_error> validate_task_spec(const task_spec& spec,
                                            const task_limits& limits);

/// Brings a spec into normal form (sorted environment and labels, rounded
/// scalars, empty extras dropped) so that equal specs compare equal and
/// survive a JSON round trip unchanged.
void normalize(task_spec& spec);

/// Decodes a submission (the API body), fills defaults, normalizes and
/// validates. Unknown members are errors (a typo such as "memory" must not
/// silently become the default). The accepted form:
///   {"key": "...", "command": "sh string" | ["argv", ...],
///    "resources": {"cpus", "mem", "disk", "gpus", "ports"},
///    "container": {"type": "MESOS"|"DOCKER", "image", "force_pull"},
///    "environment": {name: value}, "labels": {name: value}, "uris": [...],
///    "user", "role", "queue", "priority",
///    "constraints": [["hostname", "UNIQUE"], ["rack", "LIKE", "r[12]"],
///                    ["zone", "MAX_PER", "2"]],
///    "retry": {"max_attempts", "backoff_seconds", "max_backoff_seconds",
///              "on": ["FAILED", "LOST", ...]},
///    "kill_grace_period_seconds"}
api_result<task_spec> parse_task_spec(const nlohmann::json& body,
                                      const task_spec_rules& rules);

/// The complete JSON form of a spec (every field explicit), which
/// parse_task_spec reads back to an equal spec under any defaults.
nlohmann::json task_spec_to_json(const task_spec& spec);

/// Reads a spec written by task_spec_to_json without applying limits (they
/// may have changed since it was accepted). Throws std::invalid_argument
/// with the field on malformed input.
task_spec task_spec_from_stored_json(const nlohmann::json& stored);

} // namespace outrigger::scheduling
