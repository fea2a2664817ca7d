#include "bench/chaos/supervisor.hpp"

#include <csignal>
#include <stdexcept>

namespace outrigger::chaos {

using namespace std::chrono_literals;

supervisor::supervisor(std::vector<std::string> argv,
                       std::filesystem::path log_dir, history& h)
  : argv_(std::move(argv)), log_dir_(std::move(log_dir)), history_(h) {}

supervisor::~supervisor() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
}

std::filesystem::path supervisor::current_log() const {
  return log_dir_ / ("serve-" + std::to_string(starts_.load()) + ".log");
}

void supervisor::launch() {
  ++starts_;
  child_ = std::make_unique<test::child_process>(
    argv_, std::vector<std::string>{}, current_log());
  expected_ = false;
}

void supervisor::start() {
  {
    std::lock_guard lock{mu_};
    launch();
    if (!child_->wait_for_line("API listening on", 30s))
      throw std::runtime_error("outrigger serve did not start; see " +
                               current_log().string());
  }
  thread_ = std::thread{[this] { loop(); }};
}

void supervisor::loop() {
  while (!stopping_) {
    std::optional<int> rc;
    {
      std::lock_guard lock{mu_};
      if (child_)
        rc = child_->wait(0ms);
      if (rc) {
        history_.add_exit({*rc, expected_, wall::now()});
        child_.reset();
      }
    }
    if (rc) {
      // systemd's RestartSec, short: the run is about what happens next.
      std::this_thread::sleep_for(300ms);
      if (stopping_)
        break;
      std::lock_guard lock{mu_};
      launch();
    }
    std::this_thread::sleep_for(50ms);
  }
}

bool supervisor::signal(int sig, bool expected_exit) {
  std::lock_guard lock{mu_};
  if (!child_ || child_->wait(0ms))
    return false;
  if (expected_exit)
    expected_ = true;
  child_->signal(sig);
  return true;
}

int supervisor::stop() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
  std::lock_guard lock{mu_};
  if (!child_)
    return -1;
  child_->signal(SIGCONT); // in case a pause was still on
  child_->signal(SIGTERM);
  auto rc = child_->wait(20s);
  if (!rc) {
    child_->signal(SIGKILL);
    rc = child_->wait(10s);
  }
  history_.add_exit({rc.value_or(-1), true, wall::now()});
  child_.reset();
  return rc.value_or(-1);
}

} // namespace outrigger::chaos
