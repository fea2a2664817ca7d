#pragma once
// The chaos run's checker: the invariants outrigger promises, over the
// client's history and the final state read from outrigger and from the
// simulated master (docs/RELIABILITY.md lists them).

#include "bench/chaos/history.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace outrigger::chaos {

/// Everything read at the end of the run.
struct final_state {
  std::vector<nlohmann::json> tasks; ///< every task, GET /v1/tasks
  std::vector<result_entry> results; ///< the results log from the start
  nlohmann::json master_state;       ///< the leader's /master/state
  nlohmann::json sim_status;         ///< /sim/status
  std::string framework_id;          ///< GET /v1/framework
};

/// What the checker found.
struct verdict {
  std::vector<std::string> violations; ///< one line each, naming keys
  std::map<std::string, int> outcomes; ///< final task states
  std::size_t submitted = 0, acked = 0, unacked = 0, attempts = 0;
  std::size_t kills_honoured = 0, kills_moot = 0;
  std::size_t launches_seen = 0; ///< Mesos task ids the master knows
};

/// Slack for "a kill was honoured": a task the client killed may still end
/// on its own (FINISHED, FAILED) only if it ended at most this long after
/// outrigger recorded the kill (faults may hold the KILL call that long).
inline constexpr std::chrono::seconds kill_slack{15};

/// Checks every invariant. `removals`: framework removals injected.
verdict check(const history& h, const final_state& f, int removals);

} // namespace outrigger::chaos
