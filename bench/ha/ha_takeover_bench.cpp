// ha_takeover_bench: a leader replica SIGKILLed with many tasks known, and
// the takeover timed end to end (issue 14). Starts a private ZooKeeper, an
// `outrigger-sim` master with synthetic agents, and two `outrigger serve
// --ha` replicas as separate processes; submits --tasks long tasks through
// the leader and waits until they all run; SIGKILLs the leader and reads
// the standby's log and API for each step of the takeover:
//
//   elected       "ha: elected leader" (the dead leader's session expired)
//   recovered     "outrigger: recovered" (the state loaded from ZooKeeper)
//   SUBSCRIBED    "master_link: subscribed" (same framework id)
//   reconciled    /v1/framework: no reconciliation pending, every task
//                 RUNNING again as far as the new leader knows
//
// The goal: kill -> SUBSCRIBED within the session timeout + 2 s. Figures
// are printed, never asserted.

#include "bench/e2e/http_line.hpp"
#include "bench/log_times.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_server.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <thread>

namespace {

using namespace outrigger;
using namespace std::chrono_literals;
using bench::wall;
namespace fs = std::filesystem;

struct options {
  std::string sim = "build/sim/outrigger-sim";
  std::string outrigger = "build/app/outrigger";
  std::size_t tasks = 10000;
  std::size_t agents = 10;
  double session_timeout = 10;
  std::string keep_logs;
};

bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds limit,
                std::chrono::milliseconds period = 50ms) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::sleep_for(period);
  }
  return false;
}

struct replica {
  std::uint16_t port = test::free_loopback_port();
  fs::path log;
  std::unique_ptr<test::child_process> proc;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

void start(replica& r, const options& o, const std::string& master,
           const std::string& ha, const fs::path& log) {
  r.log = log;
  r.proc = std::make_unique<test::child_process>(
    std::vector<std::string>{o.outrigger, "serve", "--master", master, "--ha",
                             ha, "--ha-session-timeout",
                             std::to_string(o.session_timeout), "--listen",
                             "127.0.0.1:" + std::to_string(r.port),
                             "--advertise-url", r.url(), "--log-level", "info"},
    std::vector<std::string>{}, log);
  if (!r.proc->wait_for_line("API listening on", 30s))
    throw std::runtime_error("a replica did not start; see " + log.string());
}

nlohmann::json framework(bench::http_line& api) {
  auto a = api.call("GET", "/v1/framework");
  if (a.status != 200)
    return nullptr;
  return nlohmann::json::parse(a.body, nullptr, false);
}

int run(const options& o) {
  test::temp_dir dir{"outrigger-ha-takeover"};
  test::zk_server zk;
  auto resources = "cpus:" + std::to_string(o.tasks / o.agents / 50 + 4) +
                   ";mem:" + std::to_string(o.tasks / o.agents * 32 + 1024) +
                   ";disk:1000;ports:[31000-32000]";
  test::child_process sim{
    {o.sim, "--port", "0", "--agents", std::to_string(o.agents), "--resources",
     resources, "--mode", "synthetic", "--synthetic-duration", "3600000"},
    {},
    dir.path() / "sim.log"};
  auto line = sim.wait_for_line("master 1 listening on", 30s);
  if (!line || !sim.wait_for_line("ready", 60s))
    throw std::runtime_error("outrigger-sim did not get ready");
  auto master = "http://127.0.0.1:" + std::to_string(test::port_in(*line));
  auto ha = "zk://" + zk.connect_string() + "/outrigger";

  replica a, b;
  start(a, o, master, ha, dir.path() / "a.log");
  bench::http_line api_a{a.port};
  if (!wait_until([&] { return api_a.call("GET", "/readyz").status == 200; },
                  60s))
    throw std::runtime_error("the first replica did not lead");
  start(b, o, master, ha, dir.path() / "b.log");
  bench::http_line api_b{b.port};
  if (!wait_until([&] { return api_b.call("GET", "/readyz").status == 200; },
                  60s))
    throw std::runtime_error("the second replica did not stand by");

  // Long tasks, submitted in batches through the leader.
  auto t_submit = std::chrono::steady_clock::now();
  for (std::size_t first = 0; first < o.tasks; first += 500) {
    nlohmann::json batch{{"tasks", nlohmann::json::array()}};
    for (auto i = first; i < std::min(o.tasks, first + 500); ++i)
      batch["tasks"].push_back({{"key", "ha-" + std::to_string(i)},
                                {"command", "sleep 3600"},
                                {"resources", {{"cpus", 0.01}, {"mem", 32}}}});
    auto r = api_a.call("POST", "/v1/tasks", batch.dump());
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 200 || !j.is_object())
      throw std::runtime_error("submission refused: " + r.body);
    for (auto& item : j["tasks"])
      if (item.value("status", 0) != 201)
        throw std::runtime_error("a task was refused: " + item.dump());
  }
  auto all_running = [&](bench::http_line& api) {
    auto j = framework(api);
    return j.is_object() &&
           j["tasks"].value("RUNNING", 0) == static_cast<int>(o.tasks) &&
           !j.value("reconciling", true);
  };
  if (!wait_until([&] { return all_running(api_a); }, 600s, 200ms))
    throw std::runtime_error("the tasks did not all start");
  auto started_in =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - t_submit)
      .count();

  auto killed = wall::now();
  a.proc->signal(SIGKILL);
  a.proc->wait(10s);
  std::optional<wall::time_point> reconciled;
  wait_until(
    [&] {
      if (!all_running(api_b))
        return false;
      auto j = framework(api_b);
      if (j["ha"].value("role", "") != "leader")
        return false;
      reconciled = wall::now();
      return true;
    },
    std::chrono::seconds{static_cast<long>(o.session_timeout * 3 + 300)}, 20ms);
  auto elected = bench::first_after(b.log, "ha: elected leader", killed);
  auto recovered = bench::first_after(b.log, "outrigger: recovered", killed);
  auto subscribed =
    bench::first_after(b.log, "master_link: subscribed", killed);

  auto rel = [&](std::optional<wall::time_point> t) {
    if (!t)
      return std::string{"      -"};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%7.3f", bench::secs(*t - killed));
    return std::string{buf};
  };
  std::printf("ha_takeover_bench: %zu tasks running (started in %.1f s) on "
              "%zu synthetic agents, ZooKeeper session timeout %.1f s\n",
              o.tasks, started_in, o.agents, o.session_timeout);
  std::printf("  %-40s %-13s %s\n", "event", "clock (UTC)", "s after kill");
  auto row = [&](const char* what, std::optional<wall::time_point> t) {
    std::printf("  %-40s %-13s %s\n", what,
                t ? bench::clock_text(*t).c_str() : "-", rel(t).c_str());
  };
  row("leader SIGKILLed", killed);
  row("standby elected (leader's session gone)", elected);
  row("state loaded from ZooKeeper", recovered);
  row("SUBSCRIBED with the same framework id", subscribed);
  row("reconciled: every task RUNNING", reconciled);
  if (subscribed)
    std::printf("  kill -> SUBSCRIBED: %.3f s (goal: session timeout + 2 s = "
                "%.1f s); elected -> SUBSCRIBED: %.3f s\n",
                bench::secs(*subscribed - killed), o.session_timeout + 2,
                elected ? bench::secs(*subscribed - *elected) : -1.0);
  if (!o.keep_logs.empty()) {
    fs::create_directories(o.keep_logs);
    for (auto* f : {"sim.log", "a.log", "b.log"})
      fs::copy_file(dir.path() / f, fs::path{o.keep_logs} / f,
                    fs::copy_options::overwrite_existing);
  }
  b.proc->signal(SIGTERM);
  b.proc->wait(20s);
  return subscribed ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times a --ha takeover: leader SIGKILLed with many tasks"};
  options o;
  app.add_option("--sim", o.sim, "outrigger-sim binary")->capture_default_str();
  app.add_option("--outrigger", o.outrigger, "outrigger binary")
    ->capture_default_str();
  app.add_option("--tasks", o.tasks, "tasks running at the kill")
    ->capture_default_str();
  app.add_option("--agents", o.agents, "synthetic agents")
    ->check(CLI::Range(1, 1000))
    ->capture_default_str();
  app
    .add_option("--session-timeout", o.session_timeout,
                "--ha-session-timeout of the replicas, seconds")
    ->capture_default_str();
  app.add_option("--keep-logs", o.keep_logs, "copy the logs to this directory");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ha_takeover_bench: %s\n", e.what());
    return 1;
  }
}
