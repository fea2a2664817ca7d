#pragma once
// A program started by a test (outrigger serve, outrigger-sim, the CLI):
// its stdout is captured line by line so a test can wait for "listening on
// ..." and read the port it printed; stderr goes to a log file. Stopped with
// SIGKILL on destruction if still running. Waits are bounded.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace outrigger::test {

/// A running child process.
class child_process {
public:
  /// Starts `argv[0]` with `argv` and extra environment `env`
  /// ("NAME=value"); stderr goes to `stderr_path` (or /dev/null).
  child_process(std::vector<std::string> argv,
                std::vector<std::string> env = {},
                std::filesystem::path stderr_path = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Waits until a stdout line contains `needle`; returns the line.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds limit);

  /// Every stdout line so far.
  std::vector<std::string> lines() const;

  /// Sends `sig`.
  void signal(int sig);

  /// Waits for the exit; the exit status (128 + n for signal n), or nullopt
  /// when it did not exit within `limit`.
  std::optional<int> wait(std::chrono::milliseconds limit);

  /// The pid.
  pid_t pid() const noexcept { return pid_; }

  /// User + system CPU seconds used so far (from /proc; 0 once reaped).
  double cpu_seconds() const;

  /// Resident set size in bytes (from /proc; 0 once reaped).
  std::size_t rss_bytes() const;

private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::optional<int> status_;
  mutable std::mutex mtx_;
  std::vector<std::string> lines_;
  std::thread reader_;
};

/// Runs a program to completion (at most `limit`); its exit status, stdout
/// and stderr.
struct run_result {
  int status = -1;
  std::string out;
  std::string err;
};
run_result
run_program(std::vector<std::string> argv, std::vector<std::string> env = {},
            std::chrono::milliseconds limit = std::chrono::seconds{60},
            const std::string& stdin_text = {});

/// The port in a line "... http://127.0.0.1:<port>...", or 0.
std::uint16_t port_in(const std::string& line);

} // namespace outrigger::test
