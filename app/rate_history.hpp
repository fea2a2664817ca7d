#pragma once
// The service's own recent activity for the dashboard (GET /v1/stats):
// launches, finishes and failures per interval over the last minutes, in a
// fixed ring, fed with the task book's cumulative counters by the metrics
// poller. Independent of Prometheus.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace outrigger::app {

/// Cumulative counters since the service started.
struct activity_totals {
  std::uint64_t launches = 0; ///< attempts written into ACCEPTs
  std::uint64_t finishes = 0; ///< results FINISHED
  std::uint64_t failures = 0; ///< results FAILED, ERROR, LOST, DROPPED, GONE
};

/// Per-interval counts of a bounded window; thread-safe (the poller writes
/// from a CAF thread, the API reads from the server's).
class rate_history {
public:
  using clock = std::chrono::system_clock;

  /// `slots` intervals of `interval` each (default: 90 x 10 s = 15 min).
  explicit rate_history(
    clock::time_point started,
    std::chrono::seconds interval = std::chrono::seconds{10},
    std::size_t slots = 90);

  /// Takes new totals read at `now`: the growth since the previous call is
  /// counted in the interval of `now` (the first call only sets the base;
  /// totals that went down count from zero).
  void record(clock::time_point now, const activity_totals& totals,
              double oldest_pending_seconds);

  /// GET /v1/stats as JSON at `now`: the window's intervals, oldest first,
  /// ending with the current (partial) one.
  std::string to_json(clock::time_point now) const;

private:
  struct slot {
    std::int64_t index = -1; ///< interval number since the epoch; -1 unused
    activity_totals counts;
  };
  std::int64_t index_of(clock::time_point t) const;

  mutable std::mutex mutex_;
  clock::time_point started_;
  std::chrono::seconds interval_;
  std::vector<slot> slots_;
  bool have_base_ = false;
  activity_totals last_;
  double oldest_pending_ = 0;
};

/// The totals of a book_metrics-like snapshot: results are counted by
/// (state, reason); which states are failures is decided here.
activity_totals totals_of(
  std::uint64_t launches,
  const std::vector<std::pair<std::string, std::uint64_t>>& results_by_state);

} // namespace outrigger::app
