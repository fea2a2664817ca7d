#pragma once
// Starting and describing child processes for exec agents, with
// posix_spawn: no code of ours runs between fork and exec, which is what
// makes spawning safe in a process full of threads (Asio, ZooKeeper).

#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace outrigger::sim {

/// How to start one child.
struct spawn_request {
  /// A path, or a bare name looked up in PATH when `search_path` is set.
  std::string program;
  /// The full argv, argv[0] included.
  std::vector<std::string> argv;
  /// The whole environment, "NAME=value" each.
  std::vector<std::string> env;
  /// Working directory.
  std::filesystem::path cwd;
  /// Files that receive the child's stdout and stderr (created/truncated).
  std::filesystem::path stdout_file;
  std::filesystem::path stderr_file;
  /// execvp semantics for `program`.
  bool search_path = false;
};

/// A started child, or why it did not start.
struct spawn_result {
  pid_t pid = -1;    ///< > 0 on success
  std::string error; ///< what failed, when pid <= 0
};

/// Starts the child as the leader of a new process group (so that the whole
/// tree can be signalled), stdin on /dev/null, every signal at its default
/// disposition and unblocked, and no descriptor above 2 inherited.
spawn_result spawn_process(const spawn_request& request);

/// Sends `signal` to the process group `group`; false when there is none.
bool signal_group(pid_t group, int signal);

/// A wait(2) status in Mesos' words (WSTRINGIFY in src/common/
/// status_utils.hpp): "exited with status 3", "terminated with signal
/// Terminated", "terminated with signal Killed (core dumped)".
std::string describe_wait_status(int status);

} // namespace outrigger::sim
