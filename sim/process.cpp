#include "sim/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace outrigger::sim {

namespace {

// Owns a descriptor opened in the parent (close-on-exec; the child gets
// dup2'ed copies only).
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

} // namespace

spawn_result spawn_process(const spawn_request& request) {
  spawn_result result;
  // Opened here rather than as spawn file actions so that a bad sandbox
  // gives a clear message instead of a child that dies at birth.
  fd_guard out{::open(request.stdout_file.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  fd_guard err{::open(request.stderr_file.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (out.fd < 0 || err.fd < 0) {
    result.error = "cannot create " +
                   request.stdout_file.parent_path().string() +
                   "/std{out,err}: " + std::strerror(errno);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd, 2);
  posix_spawn_file_actions_addchdir_np(&actions, request.cwd.c_str());
  // Asio and ZooKeeper sockets must not leak into tasks.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all); // e.g. an ignored SIGPIPE
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
                                    POSIX_SPAWN_SETSIGMASK |
                                    POSIX_SPAWN_SETPGROUP);

  auto argv = pointers(request.argv);
  auto envp = pointers(request.env);
  pid_t pid = -1;
  int rc = request.search_path
             ? posix_spawnp(&pid, request.program.c_str(), &actions, &attr,
                            argv.data(), envp.data())
             : posix_spawn(&pid, request.program.c_str(), &actions, &attr,
                           argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.error = "cannot run '" + request.program + "': " + std::strerror(rc);
    return result;
  }
  result.pid = pid;
  return result;
}

bool signal_group(pid_t group, int signal) {
  return group > 0 && ::kill(-group, signal) == 0;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string text = "terminated with signal ";
    text += ::strsignal(WTERMSIG(status));
    if (WCOREDUMP(status))
      text += " (core dumped)";
    return text;
  }
  if (WIFSTOPPED(status))
    return std::string{"stopped on signal "} + ::strsignal(WSTOPSIG(status));
  return "wait status " + std::to_string(status);
}

} // namespace outrigger::sim
