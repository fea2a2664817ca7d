// The outrigger-sim program: it starts, prints one parseable line per
// master, serves SUBSCRIBE, and stops cleanly on SIGTERM.

#include "tests/sim/sim_it_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace outrigger;
using namespace outrigger::test;

namespace {

/// outrigger-sim as a child process with its stdout on a pipe.
class sim_process {
public:
  explicit sim_process(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    args.insert(args.begin(), OUTRIGGER_SIM_BINARY);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, OUTRIGGER_SIM_BINARY, &actions, nullptr,
                        argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~sim_process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
  }

  /// The next line of its stdout; nullopt at EOF or after 20 s.
  std::optional<std::string> line() {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        auto l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return std::nullopt;
      char chunk[4096];
      auto n = read(out_, chunk, sizeof chunk);
      if (n <= 0)
        return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// Sends `signal` and waits (up to 20 s) for the exit; its wait status.
  std::optional<int> stop(int signal) {
    kill(pid_, signal);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  /// Waits (up to 20 s) for it to exit by itself.
  std::optional<int> wait() { return stop(0); }

private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

} // namespace

TEST_CASE("outrigger-sim: starts, prints its URLs, serves SUBSCRIBE, stops "
          "on SIGTERM") {
  temp_dir work("sim-program");
  sim_process p({"--masters", "2", "--port", "0", "--agents", "1", "--mode",
                 "exec", "--resources", "cpus:1;mem:512", "--work-dir",
                 work.path().string(), "--log-level", "error"});
  static const std::regex master_line{
    R"(outrigger-sim: master (\d+) listening on http://127\.0\.0\.1:(\d+) \((leader|standby)\))"};
  std::vector<std::uint16_t> ports;
  std::vector<std::string> roles;
  std::string l;
  for (auto next = p.line(); next; next = p.line()) {
    l = *next;
    if (l.rfind("outrigger-sim: ready", 0) == 0)
      break;
    std::smatch m;
    if (std::regex_match(l, m, master_line)) {
      CHECK(std::stoul(m[1]) == ports.size() + 1);
      ports.push_back(static_cast<std::uint16_t>(std::stoul(m[2])));
      roles.push_back(m[3]);
    }
  }
  REQUIRE(l.rfind("outrigger-sim: ready", 0) == 0);
  REQUIRE(ports.size() == 2);
  CHECK(roles == std::vector<std::string>{"leader", "standby"});

  scheduler_stream s(ports[0], subscribe_body(framework("program")));
  CHECK(s.head().status == 200);
  CHECK(s.next().type == pr::event_type::subscribed);
  auto offer = s.next_of(pr::event_type::offers).offers->offers.at(0);
  auto cpus = std::find_if(offer.resources.begin(), offer.resources.end(),
                           [](auto& r) { return r.name == "cpus"; });
  REQUIRE(cpus != offer.resources.end());
  CHECK(cpus->scalar->value == 1.0);
  CHECK(request(ports[1], "GET", "/master/redirect").status == 307);

  auto status = p.stop(SIGTERM);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(p.line() == "outrigger-sim: stopping (SIGTERM)");
  CHECK_FALSE(s.read_to_end()); // its connections closed
}

TEST_CASE("outrigger-sim: --help, and bad flags fail with a message") {
  {
    sim_process help({"--help"});
    bool mentions_zk = false;
    for (auto l = help.line(); l; l = help.line())
      mentions_zk |= l->find("--zk") != std::string::npos;
    CHECK(mentions_zk);
    auto status = help.wait();
    REQUIRE(status);
    CHECK(WEXITSTATUS(*status) == 0);
  }
  sim_process bad({"--mode", "fly"});
  auto status = bad.wait();
  REQUIRE(status);
  CHECK(WEXITSTATUS(*status) != 0);
}
