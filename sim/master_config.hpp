#pragma once
// Settings of the simulated master. Defaults are the real master's (Mesos
// 1.12, src/master/flags.cpp and src/master/constants.hpp) where one exists;
// the bounds marked "simulator" have no Mesos counterpart and only keep one
// process safe from runaway clients.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outrigger::sim {

/// One entry of Mesos' --credentials: a principal and its secret.
struct credential {
  std::string principal;
  std::string secret;
};

/// How the built-in synthetic runtime makes tasks behave.
struct synthetic_config {
  /// TASK_STARTING this long after launch (the command executor's start).
  std::chrono::milliseconds start_delay{10};
  /// TASK_RUNNING this long after TASK_STARTING.
  std::chrono::milliseconds running_delay{10};
  /// Run time from TASK_RUNNING to the end; a task runs for a duration drawn
  /// uniformly from [min_duration, max_duration].
  std::chrono::milliseconds min_duration{1000};
  std::chrono::milliseconds max_duration{1000};
  /// Probability that a task ends TASK_FAILED ("Command exited with status
  /// 1") instead of TASK_FINISHED.
  double failure_probability = 0.0;
  /// How long a killed task takes to die after SIGTERM (well below the
  /// grace period: `sleep` dies at once).
  std::chrono::milliseconds kill_delay{10};
  /// Seed of the runtime's own generator (durations, failures, pids).
  std::uint64_t seed = 7;
};

/// Everything configurable about a simulated master.
struct master_config {
  /// The master id (MasterInfo.id); empty: a fresh uuid4 from `seed`.
  std::string master_id;
  std::string hostname = "localhost";
  std::string ip = "127.0.0.1";
  std::uint16_t port = 5050;
  std::string version = "1.12.0";
  /// Seed of every random choice (ids, uuids, agent order): same seed, same
  /// run.
  std::uint64_t seed = 1;

  /// DEFAULT_HEARTBEAT_INTERVAL (src/master/constants.hpp:61). Not
  /// configurable in Mesos; configurable here so tests can shorten it.
  std::chrono::milliseconds heartbeat_interval{15000};
  /// --allocation_interval (default 1secs).
  std::chrono::milliseconds allocation_interval{1000};
  /// --offer_timeout (default none: offers are never rescinded for age).
  std::optional<std::chrono::milliseconds> offer_timeout;
  /// --min_allocatable_resources default "cpus:0.01|mem:32": an agent's free
  /// resources are offered only if they hold at least one of the two.
  double min_allocatable_cpus = 0.01;
  double min_allocatable_mem = 32;
  /// Agent-side status update retries: first after 10 s, doubling, capped at
  /// 10 min (src/slave/constants.hpp:58-59).
  std::chrono::milliseconds status_update_retry_min{10000};
  std::chrono::milliseconds status_update_retry_max{600000};
  /// After restart(): how long agents take to re-register with the new
  /// master. Meanwhile explicit reconciliation of tasks unknown to the
  /// master gets no answer (src/master/master.cpp:9045-9056).
  std::chrono::milliseconds agent_reregistration_delay{1000};
  /// --root_submissions (default true).
  bool root_submissions = true;
  /// --max_completed_frameworks / --max_completed_tasks_per_framework.
  std::size_t max_completed_frameworks = 50;
  std::size_t max_completed_tasks_per_framework = 1000;
  /// --max_unreachable_tasks_per_framework.
  std::size_t max_unreachable_tasks_per_framework = 1000;

  /// `{"type":"UNKNOWN"}` from a subscribed framework aborts the real master
  /// (design.md §M1). false: answer 501 instead (the documented behaviour).
  /// true: emulate the crash (see master::handle).
  bool crash_on_unknown_call = false;

  /// --authenticate_http_frameworks (default false): every request to the
  /// scheduler API must carry HTTP basic credentials that match one of
  /// `credentials` (--http_framework_authenticators=basic, realm
  /// "mesos-master-scheduler"), else 401 (transcripts2 items 101-113).
  bool authenticate_http_frameworks = false;
  /// --credentials: the principals allowed in. With authentication on and
  /// no credentials, every scheduler request is refused.
  std::vector<credential> credentials;

  /// Simulator bounds (no Mesos counterpart).
  std::size_t max_frameworks = 1000;   ///< active + disconnected
  std::size_t max_open_streams = 4096; ///< SUBSCRIBE streams open at once
  std::size_t max_tasks_per_agent = 10000;
  std::size_t max_body_bytes = 16u << 20; ///< request bodies (413 beyond)

  /// The built-in runtime used by agents added without one.
  synthetic_config synthetic;
};

} // namespace outrigger::sim
