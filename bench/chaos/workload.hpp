#pragma once
// The chaos run's client: submits tasks continuously (mixed durations, some
// failing, some with retries, some killed by the client later), retries
// every request on a missing answer, 429 or 503 with the same key, and reads
// the results log and the framework id. Everything it sees goes into the
// history. Durations and exit codes are per task (the simulator's labels
// outrigger.sim/duration_ms and outrigger.sim/exit_code), so the checker
// knows what each task would have done if left alone.

#include "bench/chaos/history.hpp"

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace outrigger::chaos {

/// The shape of the work.
struct workload_options {
  std::uint16_t api_port = 0;
  std::uint64_t seed = 1;
  double tasks_per_second = 6;
  double kill_share = 0.12; ///< tasks the client kills
  double fail_share = 0.12; ///< tasks that exit 1
  double long_share = 0.15; ///< 22-35 s tasks (kill targets mostly)
  /// A request is given up after this long of failed tries (the task is
  /// then "unacknowledged": it may or may not exist).
  std::chrono::seconds give_up{90};
};

/// The client threads (see the file comment).
class workload {
public:
  workload(workload_options o, history& h);
  ~workload();
  workload(const workload&) = delete;
  workload& operator=(const workload&) = delete;

  /// Starts submitting, killing and reading.
  void start();
  /// Stops submitting (kills already planned still go out); readers go on.
  void stop_submitting();
  /// Waits until every planned kill was sent (bounded by give_up).
  void finish_kills();
  /// Stops every thread.
  void stop();
  /// The highest results cursor read.
  std::uint64_t cursor() const { return cursor_; }

private:
  void submit_loop();
  void kill_loop();
  void read_loop();

  workload_options o_;
  history& history_;
  std::atomic<bool> submitting_{false}, running_{false};
  std::atomic<std::uint64_t> cursor_{0};
  std::mutex kill_mu_;
  /// (due time, submission index): kills not sent yet.
  std::vector<std::pair<wall::time_point, std::size_t>> planned_kills_;
  std::atomic<bool> kills_idle_{true};
  std::vector<std::thread> threads_;
};

} // namespace outrigger::chaos
