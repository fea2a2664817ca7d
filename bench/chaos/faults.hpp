#pragma once
// The fault generator of the chaos run (Jepsen's "nemesis"): at random,
// seeded moments it picks one fault class, injects it, and undoes it when
// the class has a duration (a paused process is resumed, a lost agent comes
// back, ZooKeeper is started again). One fault at a time; every injection is
// counted by class and noted in the history. The classes and what each does
// are listed in docs/RELIABILITY.md.

#include "bench/chaos/history.hpp"
#include "bench/chaos/supervisor.hpp"
#include "tests/support/zk_server.hpp"

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace outrigger::chaos {

/// What the faults act on.
struct fault_targets {
  test::zk_server* zk = nullptr;
  std::string zk_path = "/mesos"; ///< the masters' group
  std::uint16_t sim_admin = 0;    ///< outrigger-sim's admin API
  supervisor* serve = nullptr;
  /// The small file system holding outrigger's data directory (filled up
  /// for disk_full); empty when there is none.
  std::filesystem::path small_fs;
  std::string small_fs_missing; ///< why there is none
  double heartbeat_s = 1;       ///< the masters' HEARTBEAT interval
  int missed_heartbeats = 3;    ///< outrigger's --max-missed-heartbeats
  double master_session_s = 4;  ///< the masters' ZooKeeper session timeout
};

/// The generator (see the file comment).
class fault_runner {
public:
  /// Fault classes, in the order of docs/RELIABILITY.md.
  static const std::vector<std::string>& classes();

  /// Faults `gap` seconds apart (uniform in [lo, hi]); only `enabled`
  /// classes (all when empty).
  fault_runner(fault_targets t, history& h, std::uint64_t seed,
               std::pair<double, double> gap,
               std::vector<std::string> enabled = {});
  fault_runner(const fault_runner&) = delete;
  fault_runner& operator=(const fault_runner&) = delete;

  /// Injects faults until `until`, on the calling thread: it must be the
  /// thread that started ZooKeeper, which dies with the thread that starts
  /// it (zk_server). The fault in progress at `until` is undone first.
  void run_until(std::chrono::steady_clock::time_point until);

  /// Injections by class.
  std::map<std::string, int> counts() const;
  /// Classes skipped, with the reason.
  std::map<std::string, std::string> skipped() const;

private:
  /// Injects one fault of `cls`; false when it could not (reason noted).
  bool inject(const std::string& cls);
  bool kill_leader(std::optional<int> election_lag_ms);
  bool expire_session();
  bool fill_disk();
  /// Sleeps `s` seconds (the undo of a fault always runs, even on stop).
  void hold(double s);
  double uniform(double lo, double hi);

  fault_targets t_;
  history& history_;
  std::mt19937_64 rng_;
  std::pair<double, double> gap_;
  std::vector<std::string> enabled_;
  mutable std::mutex mu_;
  std::map<std::string, int> counts_;
  std::map<std::string, std::string> skipped_;
  int session_turn_ = 0;
  std::vector<std::string> bag_; // classes not drawn yet this round
};

} // namespace outrigger::chaos
