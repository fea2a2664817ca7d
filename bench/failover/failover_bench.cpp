// failover_bench: a master failover timed end to end (issue 18, design.md
// §M15). Starts a private ZooKeeper server, `outrigger-sim` with several
// masters electing in it (synthetic agents) and `outrigger serve --master
// zk://...` as separate processes; runs tasks that outlive the failover;
// kills the leading master the way SIGKILL does (its ZooKeeper session is
// abandoned, so its node lingers until the session expires); and prints
// when each step of the failover happened, every time taken from outside:
//
//   kill            the admin API answered /sim/kill-master
//   node expired    a watch on the group saw the dead leader's node go
//   elected         the new leader first answered 503 "Master has not
//                   finished recovery" (polled every --poll-ms)
//   recovered       it first answered the scheduler endpoint normally (405
//                   to a GET, which comes after the recovery check)
//   SUBSCRIBED      outrigger's log line "subscribed" (ms timestamps)
//
// and the figure that matters: recovered -> SUBSCRIBED. Then it waits for
// every task to end and checks that each ended exactly once (exit 1 if
// not). Figures are printed, never asserted.

#include "bench/e2e/http_line.hpp"
#include "bench/log_times.hpp"
#include "sim/zk_contender.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_server.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace {

using namespace outrigger;
using namespace std::chrono_literals;
using wall = std::chrono::system_clock;
namespace fs = std::filesystem;

struct options {
  std::string sim = "build/sim/outrigger-sim";
  std::string outrigger = "build/app/outrigger";
  std::size_t masters = 3;
  double session_timeout = 10; // Mesos' default --zk_session_timeout
  double recovery_time = 0.8;  // the recorded cluster (design.md §M15)
  std::size_t tasks = 40;
  std::size_t agents = 2;
  int poll_ms = 5;
  std::vector<std::string> serve_args;
  std::string keep_logs; // copy sim.log and serve.log here
};

using bench::clock_text;
using bench::first_after;
using bench::secs;

std::uint16_t port_in(const std::string& line) {
  return test::port_in(line);
}

// What the poller saw of the masters that survive.
struct master_watch {
  std::mutex mu;
  std::optional<wall::time_point> elected, recovered;
  std::size_t requests = 0;
};

void poll_masters(const std::vector<std::uint16_t>& ports, int poll_ms,
                  master_watch& w, std::atomic<bool>& stop) {
  std::vector<std::unique_ptr<bench::http_line>> lines;
  for (auto p : ports)
    lines.push_back(std::make_unique<bench::http_line>(p));
  while (!stop) {
    for (auto& l : lines) {
      auto a = l->call("GET", "/api/v1/scheduler");
      auto now = wall::now();
      std::lock_guard lock{w.mu};
      ++w.requests;
      if (a.status == 503 &&
          a.body.find("not finished recovery") != std::string::npos &&
          !w.elected)
        w.elected = now;
      if (a.status == 405 && !w.recovered) {
        w.recovered = now;
        if (!w.elected)
          w.elected = now; // recovered within one poll period
      }
    }
    {
      std::lock_guard lock{w.mu};
      if (w.recovered)
        return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{poll_ms});
  }
}

std::string task_spec(std::size_t i, int seconds) {
  return nlohmann::json{{"key", "fo-" + std::to_string(i)},
                        {"command", "sleep " + std::to_string(seconds)},
                        {"resources", {{"cpus", 0.1}, {"mem", 32}}}}
    .dump();
}

int stop_process(test::child_process& p) {
  p.signal(SIGTERM);
  if (auto rc = p.wait(20s))
    return *rc;
  p.signal(SIGKILL);
  return p.wait(10s).value_or(-1);
}

bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

int run(const options& o) {
  test::temp_dir dir{"outrigger-failover"};
  test::zk_server zk;
  auto zk_url = "zk://" + zk.connect_string() + "/mesos";
  test::child_process sim{
    {o.sim, "--masters", std::to_string(o.masters), "--port", "0", "--zk",
     zk_url, "--zk-session-timeout", std::to_string(o.session_timeout),
     "--recovery-time", std::to_string(o.recovery_time), "--agents",
     std::to_string(o.agents), "--mode", "synthetic", "--admin-port", "0"},
    {},
    dir.path() / "sim.log"};
  if (!sim.wait_for_line("ready", 60s))
    throw std::runtime_error("outrigger-sim did not get ready");
  std::vector<std::uint16_t> master_ports;
  std::uint16_t admin = 0;
  for (auto& l : sim.lines()) {
    if (l.find("listening on") != std::string::npos &&
        l.find("master ") != std::string::npos)
      master_ports.push_back(port_in(l));
    if (l.find("admin listening on") != std::string::npos)
      admin = port_in(l);
  }
  if (master_ports.size() != o.masters || admin == 0)
    throw std::runtime_error("cannot read the simulator's ports");

  std::vector<std::string> argv{o.outrigger,  "serve",
                                "--master",   zk_url,
                                "--data-dir", (dir.path() / "data").string(),
                                "--listen",   "127.0.0.1:0"};
  argv.insert(argv.end(), o.serve_args.begin(), o.serve_args.end());
  test::child_process serve{argv, {}, dir.path() / "serve.log"};
  auto api_line = serve.wait_for_line("API listening on", 30s);
  if (!api_line)
    throw std::runtime_error("outrigger did not start");
  auto api = port_in(*api_line);
  bench::http_line client{api};
  if (!wait_until([&] { return client.call("GET", "/readyz").status == 200; },
                  60s))
    throw std::runtime_error("outrigger never subscribed");

  // Tasks that run through the whole failover.
  auto task_seconds =
    static_cast<int>(o.session_timeout + o.recovery_time) + 15;
  for (std::size_t i = 0; i < o.tasks; ++i) {
    auto a = client.call("POST", "/v1/tasks", task_spec(i, task_seconds));
    if (a.status != 201)
      throw std::runtime_error("submission refused: " + a.body);
  }
  auto running = [&] {
    auto a = client.call("GET", "/v1/framework");
    if (a.status != 200)
      return false;
    auto j = nlohmann::json::parse(a.body);
    return j["tasks"].value("RUNNING", 0) == static_cast<int>(o.tasks);
  };
  if (!wait_until(running, 60s))
    throw std::runtime_error("the tasks did not all start");

  // A watch on the group: when does the dead leader's node go?
  std::mutex zk_mu;
  std::vector<std::pair<wall::time_point, std::string>> leaders;
  sim::zk_contender_options zo;
  zo.servers = zk.connect_string();
  zo.path = "/mesos";
  zo.contend = false;
  sim::zk_contender watch{
    zo, protocol::MasterInfo{}, [](std::function<void()> fn) { fn(); },
    [&](const std::optional<sim::zk_leader>& l) {
      std::lock_guard lock{zk_mu};
      leaders.emplace_back(wall::now(), l ? l->node : std::string{"(none)"});
    }};
  if (!wait_until(
        [&] {
          std::lock_guard lock{zk_mu};
          return !leaders.empty();
        },
        30s))
    throw std::runtime_error("the ZooKeeper watch saw no leader");

  bench::http_line sim_admin{admin};
  auto status =
    nlohmann::json::parse(sim_admin.call("GET", "/sim/status").body);
  auto leader = status["leader"].get<int>();
  std::vector<std::uint16_t> survivors;
  for (std::size_t i = 0; i < master_ports.size(); ++i)
    if (static_cast<int>(i) + 1 != leader)
      survivors.push_back(master_ports[i]);

  master_watch mw;
  std::atomic<bool> stop_polling{false};
  std::thread poller;
  auto kill_sent = wall::now();
  auto kill = sim_admin.call("POST", "/sim/kill-master",
                             nlohmann::json{{"master", leader}}.dump());
  auto killed = wall::now();
  if (kill.status != 200)
    throw std::runtime_error("kill-master: " + kill.body);
  poller =
    std::thread{[&] { poll_masters(survivors, o.poll_ms, mw, stop_polling); }};

  auto subscribed_again = [&] {
    return first_after(dir.path() / "serve.log", "master_link: subscribed",
                       kill_sent)
      .has_value();
  };
  bool ok = wait_until(subscribed_again, std::chrono::seconds{static_cast<long>(
                                           o.session_timeout * 3 + 120)});
  stop_polling = true;
  poller.join();
  if (!ok)
    throw std::runtime_error("outrigger did not subscribe again");

  std::optional<wall::time_point> expired;
  {
    std::lock_guard lock{zk_mu};
    if (leaders.size() >= 2)
      expired = leaders[1].first;
  }
  auto sub =
    first_after(dir.path() / "serve.log", "master_link: subscribed", kill_sent);
  auto lost = first_after(dir.path() / "serve.log",
                          "master_link: subscription lost", kill_sent);
  auto rel = [&](std::optional<wall::time_point> t) {
    if (!t)
      return std::string{"      -"};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%7.3f", secs(*t - killed));
    return std::string{buf};
  };
  std::printf("failover_bench: %zu masters, ZooKeeper session timeout %.1f s, "
              "recovery %.1f s, %zu tasks of %d s on %zu synthetic agents\n",
              o.masters, o.session_timeout, o.recovery_time, o.tasks,
              task_seconds, o.agents);
  std::printf("  %-34s %-13s %s\n", "event", "clock (UTC)", "s after kill");
  auto row = [&](const char* what, std::optional<wall::time_point> t) {
    std::printf("  %-34s %-13s %s\n", what, t ? clock_text(*t).c_str() : "-",
                rel(t).c_str());
  };
  row("leader killed (admin API answered)", killed);
  row("outrigger: subscription lost", lost);
  row("ZooKeeper: dead leader's node gone", expired);
  row("new leader elected (503 recovering)", mw.elected);
  row("new leader recovered (serves)", mw.recovered);
  row("outrigger: SUBSCRIBED", sub);
  if (mw.recovered && sub)
    std::printf("  recovered -> SUBSCRIBED: %.3f s (poll period %d ms; log "
                "stamps in ms)\n",
                secs(*sub - *mw.recovered), o.poll_ms);

  // Every task ends, exactly once.
  auto all_done = [&] {
    auto a = client.call("GET", "/v1/results?limit=1000");
    if (a.status != 200)
      return false;
    return nlohmann::json::parse(a.body)["results"].size() >= o.tasks;
  };
  bool done = wait_until(all_done, std::chrono::seconds{task_seconds + 120});
  auto results = nlohmann::json::parse(
    client.call("GET", "/v1/results?limit=1000").body)["results"];
  std::map<std::uint64_t, int> ends;
  std::map<std::string, int> states;
  for (auto& r : results) {
    ++ends[r["id"].get<std::uint64_t>()];
    ++states[r["state"].get<std::string>()];
  }
  bool once = done && ends.size() == o.tasks;
  for (auto& [id, n] : ends)
    once = once && n == 1;
  std::printf("  tasks: %zu results for %zu tasks,", results.size(), o.tasks);
  for (auto& [s, n] : states)
    std::printf(" %s %d", s.c_str(), n);
  std::printf(" - %s\n", once ? "each ended exactly once" : "** NOT ONCE **");
  auto metrics = client.call("GET", "/metrics").body;
  std::istringstream text{metrics};
  std::string line;
  std::printf("  outrigger attempts by reason:");
  while (std::getline(text, line))
    if (line.rfind("outrigger_master_subscribe_attempts_total{", 0) == 0) {
      auto from = line.find('"') + 1;
      auto reason = line.substr(from, line.find('"', from) - from);
      std::printf(" %s=%s", reason.c_str(),
                  line.substr(line.rfind(' ') + 1).c_str());
    }
  std::printf("\n");
  bool alive = !serve.wait(0ms).has_value();
  std::printf("  outrigger still running: %s\n", alive ? "yes" : "NO");
  stop_process(serve);
  stop_process(sim);
  if (!o.keep_logs.empty()) {
    fs::create_directories(o.keep_logs);
    for (auto name : {"sim.log", "serve.log"})
      fs::copy_file(dir.path() / name, fs::path{o.keep_logs} / name,
                    fs::copy_options::overwrite_existing);
    std::printf("  logs copied to %s\n", o.keep_logs.c_str());
  }
  return once && alive ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"a master failover timed end to end: ZooKeeper, outrigger-sim "
               "masters and outrigger serve as processes"};
  app.add_option("--sim", o.sim, "outrigger-sim binary");
  app.add_option("--outrigger", o.outrigger, "outrigger binary");
  app.add_option("--masters", o.masters, "simulated masters (2..9)")
    ->check(CLI::Range(2, 9));
  app
    .add_option("--session-timeout", o.session_timeout,
                "the masters' ZooKeeper session timeout, seconds (1..60)")
    ->check(CLI::Range(1.0, 60.0));
  app
    .add_option("--recovery-time", o.recovery_time,
                "how long the new leader recovers, seconds")
    ->check(CLI::Range(0.0, 60.0));
  app.add_option("--tasks", o.tasks, "tasks running through the failover");
  app.add_option("--agents", o.agents, "synthetic agents");
  app.add_option("--poll-ms", o.poll_ms, "poll period of the masters, ms")
    ->check(CLI::Range(1, 1000));
  app.add_option("--serve-arg", o.serve_args, "extra argument for serve")
    ->allow_extra_args(false);
  app.add_option("--keep-logs", o.keep_logs,
                 "copy the simulator's and outrigger's logs to this directory");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "failover_bench: %s\n", e.what());
    return 2;
  }
}
