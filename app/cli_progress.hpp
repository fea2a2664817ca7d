#pragma once
// What `outrigger wait` shows: the counts of the tasks it waits for, the
// rate at which they end and an ETA, the live status line and the final
// summary. Pure (no I/O): tested in tests/app/cli_unit_test.cpp.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace outrigger::app {

/// The tasks waited for, by state.
struct wait_counts {
  std::map<std::string, std::uint64_t> by_state; ///< only non-zero states
  std::uint64_t total = 0;
  std::uint64_t ended = 0;   ///< in a terminal state
  std::uint64_t failed = 0;  ///< ended, but not FINISHED
  std::uint64_t queued = 0;  ///< QUEUED
  std::uint64_t running = 0; ///< neither queued nor ended

  /// Counts one more task in `state`.
  void add(const std::string& state, std::uint64_t n = 1);
};

/// The counts from GET /v1/framework's "tasks" object.
wait_counts counts_of_framework(const nlohmann::json& tasks_by_state);

/// How fast tasks end: samples of the ended count over the last
/// `window` (a bounded deque), so that the rate follows changes.
class rate_meter {
public:
  using clock = std::chrono::steady_clock;

  explicit rate_meter(std::chrono::seconds window = std::chrono::seconds{20})
    : window_(window) {}

  /// Records that `ended` tasks had ended at `now`.
  void sample(clock::time_point now, std::uint64_t ended);

  /// Tasks ended per second over the window; nullopt before a second of
  /// samples.
  std::optional<double> rate() const;

  /// Seconds until `remaining` more tasks end at the current rate;
  /// nullopt when the rate is unknown or zero.
  std::optional<double> eta(std::uint64_t remaining) const;

private:
  std::chrono::seconds window_;
  std::deque<std::pair<clock::time_point, std::uint64_t>> samples_;
};

/// "12s", "3m05s", "1h02m".
std::string short_duration(double seconds);

/// The status line: "57/200 done  3 failed  40 running  100 queued
/// 12.5/s  ETA 11s  waiting: <reason>"; parts that are zero or unknown are
/// left out; cut to `width` - 1 columns (0: not cut) so that it never
/// wraps (a wrapped line cannot be redrawn in place).
std::string status_line(const wait_counts& c, std::optional<double> rate,
                        std::optional<double> eta,
                        const std::string& pending_reason, unsigned width);

/// The most common of `reasons` (empty when none); ties go to the first
/// seen.
std::string most_common(const std::vector<std::string>& reasons);

/// The final summary: a line of counts by state and the time taken, then
/// the items (results or tasks) that did not finish, each with its outcome
/// and stderr tail when it has one; at most `max_listed`, the rest
/// counted.
std::string summary_text(const wait_counts& c, double seconds,
                         const std::vector<nlohmann::json>& failures,
                         std::size_t max_listed, bool colour);

} // namespace outrigger::app
