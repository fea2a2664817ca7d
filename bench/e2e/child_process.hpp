#pragma once
// Child processes for the end-to-end benchmark: the simulator and the
// service run as separate programs, as a user runs them.

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace outrigger::bench {

/// A started program whose standard output is read until a marker line.
class child_process {
public:
  /// Starts `argv` (argv[0] is the path) with stdout piped to us and stderr
  /// to `log_path`.
  child_process(std::vector<std::string> argv, const std::string& log_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Reads stdout lines until one contains `marker` (returned), the program
  /// ends or `timeout` passes (throws, naming the program).
  std::string wait_for_line(const std::string& marker,
                            std::chrono::seconds timeout);

  /// SIGTERM, then SIGKILL after `grace`; returns the exit status (or
  /// 128 + signal).
  int stop(std::chrono::seconds grace = std::chrono::seconds{10});

  /// User + system CPU seconds so far (from /proc).
  double cpu_seconds() const;

  /// Resident set size in bytes (from /proc).
  std::size_t rss_bytes() const;

  pid_t pid() const noexcept { return pid_; }

private:
  std::string name_;
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  bool reaped_ = false;
  int status_ = 0;
};

/// A TCP port on 127.0.0.1 that was free a moment ago.
unsigned short free_port();

} // namespace outrigger::bench
