#pragma once
// `outrigger serve` under a supervisor, as systemd would run it: whenever the
// process exits it is started again on the same data directory and port
// (after a short pause), and every exit status is recorded in the history.
// The fault generator signals the current process (SIGKILL, SIGSTOP/SIGCONT).

#include "bench/chaos/history.hpp"
#include "tests/support/child_process.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace outrigger::chaos {

/// The supervised service (see the file comment).
class supervisor {
public:
  /// `argv` is the whole command line (it includes --listen with a fixed
  /// port); each life's stderr goes to `log_dir`/serve-<n>.log.
  supervisor(std::vector<std::string> argv, std::filesystem::path log_dir,
             history& h);
  /// Stops supervising and the process (SIGKILL).
  ~supervisor();
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Starts the first life and the supervising thread; waits until the API
  /// listens. @throws std::runtime_error when it does not within 30 s.
  void start();
  /// Sends `sig` to the running process; `expected_exit` marks the exit it
  /// causes as ours (SIGKILL). False when no process runs.
  bool signal(int sig, bool expected_exit = false);
  /// Stops supervising, then SIGTERM (SIGKILL after 20 s); the last status.
  int stop();
  /// Lives started so far.
  int starts() const { return starts_; }
  /// The log of the current life.
  std::filesystem::path current_log() const;

private:
  void loop();
  void launch(); // under mu_

  std::vector<std::string> argv_;
  std::filesystem::path log_dir_;
  history& history_;
  mutable std::mutex mu_;
  std::unique_ptr<test::child_process> child_;
  bool expected_ = false;
  std::atomic<int> starts_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

} // namespace outrigger::chaos
