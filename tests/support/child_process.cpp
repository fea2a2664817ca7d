#include "tests/support/child_process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace outrigger::test {

namespace {

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string>
environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    env.emplace_back(*e);
  for (auto& x : extra) {
    auto name = x.substr(0, x.find('=') + 1);
    std::erase_if(env, [&](auto& e) { return e.rfind(name, 0) == 0; });
    env.push_back(x);
  }
  return env;
}

// Forks and execs; the child's stdin/stdout/stderr are the given fds.
pid_t spawn(std::vector<std::string> argv, const std::vector<std::string>& env,
            int in_fd, int out_fd, int err_fd) {
  auto envs = environment_with(env);
  auto cargv = c_strings(argv);
  auto cenv = c_strings(envs);
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  return pid;
}

int decode(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

} // namespace

child_process::child_process(std::vector<std::string> argv,
                             std::vector<std::string> env,
                             std::filesystem::path stderr_path) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int err = stderr_path.empty()
              ? open("/dev/null", O_WRONLY | O_CLOEXEC)
              : open(stderr_path.c_str(),
                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  pid_ = spawn(std::move(argv), env, in, pipefd[1], err);
  close(in);
  close(err);
  close(pipefd[1]);
  out_fd_ = pipefd[0];
  reader_ = std::thread{[this] {
    std::string pending;
    char buf[4096];
    for (;;) {
      auto n = read(out_fd_, buf, sizeof buf);
      if (n <= 0)
        break;
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::lock_guard guard{mtx_};
        lines_.push_back(pending.substr(0, nl));
        pending.erase(0, nl + 1);
      }
    }
  }};
}

child_process::~child_process() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds{10});
  }
  if (reader_.joinable())
    reader_.join();
  close(out_fd_);
}

std::optional<std::string>
child_process::wait_for_line(const std::string& needle,
                             std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard guard{mtx_};
      for (auto& l : lines_)
        if (l.find(needle) != std::string::npos)
          return l;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return std::nullopt;
}

std::vector<std::string> child_process::lines() const {
  std::lock_guard guard{mtx_};
  return lines_;
}

double child_process::cpu_seconds() const {
  std::ifstream in{"/proc/" + std::to_string(pid_) + "/stat"};
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos)
    return 0;
  // After the name: field 3 is the state, 14 utime and 15 stime (ticks).
  std::istringstream fields{text.substr(close_paren + 2)};
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i >= 14)
      ticks += std::stod(f);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::size_t child_process::rss_bytes() const {
  std::ifstream in{"/proc/" + std::to_string(pid_) + "/statm"};
  std::size_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

void child_process::signal(int sig) {
  if (!status_)
    ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds limit) {
  if (status_)
    return status_;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int st = 0;
    auto r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = decode(st);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

run_result run_program(std::vector<std::string> argv,
                       std::vector<std::string> env,
                       std::chrono::milliseconds limit,
                       const std::string& stdin_text) {
  int out[2], in[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0 ||
      pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  auto pid = spawn(std::move(argv), env, in[0], out[1], err[1]);
  close(err[1]);
  close(out[1]);
  close(in[0]);
  run_result r;
  auto drain = [](int fd, std::string& into) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      into.append(buf, static_cast<std::size_t>(n));
  };
  std::thread reader{[&] { drain(out[0], r.out); }};
  std::thread err_reader{[&] { drain(err[0], r.err); }};
  if (!stdin_text.empty())
    (void)!write(in[1], stdin_text.data(), stdin_text.size());
  close(in[1]);
  auto deadline = std::chrono::steady_clock::now() + limit;
  int st = 0;
  for (;;) {
    if (waitpid(pid, &st, WNOHANG) == pid) {
      r.status = decode(st);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      r.status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  reader.join();
  err_reader.join();
  close(out[0]);
  close(err[0]);
  return r;
}

std::uint16_t port_in(const std::string& line) {
  auto at = line.find("127.0.0.1:");
  if (at == std::string::npos)
    return 0;
  return static_cast<std::uint16_t>(
    std::strtoul(line.c_str() + at + 10, nullptr, 10));
}

} // namespace outrigger::test
