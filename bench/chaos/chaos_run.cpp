// chaos_run: a Jepsen-style chaos run of outrigger (issue 13). Starts a
// private ZooKeeper server, a multi-master `outrigger-sim` cluster electing
// in it, and `outrigger serve --master zk://...` under a supervisor that
// restarts it whenever it exits; drives a continuous client workload through
// the HTTP API while a seeded fault generator injects every fault class;
// then lets the work drain, SIGKILLs and restarts outrigger once more, reads
// the final state and checks the invariants over the client's history.
// Prints a summary; exit status 0 when every invariant held, 1 on a
// violation (listed with the offending keys), 2 when the run itself could
// not be set up. docs/RELIABILITY.md has the fault classes, the invariants
// and the figures of past runs.

#include "bench/chaos/checker.hpp"
#include "bench/chaos/faults.hpp"
#include "bench/chaos/history.hpp"
#include "bench/chaos/supervisor.hpp"
#include "bench/chaos/workload.hpp"
#include "bench/e2e/http_line.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/zk_server.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/mount.h>
#include <unistd.h>

namespace {

using namespace outrigger;
using namespace outrigger::chaos;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

struct options {
  std::uint64_t seed = 1;
  double minutes = 1.5;
  std::string sim = "build/sim/outrigger-sim";
  std::string outrigger = "build/app/outrigger";
  std::size_t masters = 3;
  std::size_t agents = 4;
  double rate = 6;
  std::string fault_gap = "1-4";
  std::vector<std::string> faults;
  double drain_s = 240;
  std::string keep;
  int small_fs_mib = 64;
  std::string serve_log_level = "info";
};

// A tmpfs of bounded size for outrigger's data directory, so the disk can
// really fill up (ENOSPC) without LD_PRELOAD. Needs CAP_SYS_ADMIN.
struct small_fs {
  fs::path mount_point;
  std::string error; // why there is none
  small_fs(const fs::path& at, int mib) {
    fs::create_directories(at);
    auto opts = "size=" + std::to_string(mib) + "m,mode=0700";
    if (::mount("tmpfs", at.c_str(), "tmpfs", 0, opts.c_str()) == 0)
      mount_point = at;
    else
      error = std::string{"mounting a tmpfs failed ("} + std::strerror(errno) +
              "): needs CAP_SYS_ADMIN";
  }
  ~small_fs() { unmount(); }
  void unmount() {
    if (!mount_point.empty())
      ::umount2(mount_point.c_str(), MNT_DETACH);
    mount_point.clear();
  }
};

std::pair<double, double> parse_range(const std::string& s) {
  auto dash = s.find('-');
  auto lo = std::stod(s.substr(0, dash));
  auto hi = dash == std::string::npos ? lo : std::stod(s.substr(dash + 1));
  if (lo < 0 || hi < lo)
    throw std::invalid_argument("bad range '" + s + "'");
  return {lo, hi};
}

bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

json get_json(bench::http_line& l, const std::string& target) {
  for (int i = 0; i < 50; ++i) {
    auto a = l.call("GET", target);
    if (a.status == 200) {
      auto doc = json::parse(a.body, nullptr, false);
      if (!doc.is_discarded())
        return doc;
    }
    std::this_thread::sleep_for(200ms);
  }
  throw std::runtime_error("GET " + target + " kept failing");
}

final_state read_final(std::uint16_t api_port, std::uint16_t admin) {
  final_state f;
  bench::http_line api{api_port, 10000};
  std::uint64_t cursor = 0;
  for (;;) {
    auto page =
      get_json(api, "/v1/tasks?limit=1000&cursor=" + std::to_string(cursor));
    for (auto& t : page["tasks"])
      f.tasks.push_back(t);
    if (page["next"].is_null())
      break;
    cursor = page["next"].get<std::uint64_t>();
  }
  std::uint64_t after = 0;
  for (;;) {
    auto page =
      get_json(api, "/v1/results?limit=1000&after=" + std::to_string(after));
    for (auto& r : page["results"]) {
      result_entry e;
      e.cursor = r.value("cursor", std::uint64_t{0});
      e.id = r.value("id", std::uint64_t{0});
      e.key = r.value("key", "");
      e.state = r.value("state", "");
      e.attempts = r.value("attempts", 0);
      f.results.push_back(e);
    }
    if (page["results"].empty())
      break;
    after = page["next"].get<std::uint64_t>();
  }
  f.framework_id = get_json(api, "/v1/framework").value("framework_id", "");
  bench::http_line sim_admin{admin, 10000};
  f.sim_status = get_json(sim_admin, "/sim/status");
  if (f.sim_status["leader"].is_number()) {
    auto url =
      f.sim_status["masters"][f.sim_status["leader"].get<int>() - 1].value(
        "url", "");
    bench::http_line master{test::port_in(url), 10000};
    f.master_state = get_json(master, "/master/state");
  }
  return f;
}

int run(const options& o) {
  auto start = std::chrono::steady_clock::now();
  char tmpl[] = "/tmp/outrigger-chaos-XXXXXX";
  if (!::mkdtemp(tmpl))
    throw std::runtime_error("mkdtemp failed");
  fs::path dir = tmpl;
  std::printf("chaos_run: seed %llu, %.2f minutes, logs in %s\n",
              static_cast<unsigned long long>(o.seed), o.minutes, dir.c_str());
  std::fflush(stdout);
  history h{dir / "history.jsonl"};
  small_fs disk{dir / "fs", o.small_fs_mib};
  auto data_dir = disk.mount_point.empty() ? dir / "data" : dir / "fs" / "data";
  if (!disk.error.empty())
    std::printf("  disk_full: %s; the data directory is on the ordinary "
                "disk and the class is skipped\n",
                disk.error.c_str());

  test::zk_server zk;
  auto zk_url = "zk://" + zk.connect_string() + "/mesos";
  constexpr double heartbeat_s = 1, master_session_s = 4;
  test::child_process sim{{o.sim,
                           "--masters",
                           std::to_string(o.masters),
                           "--port",
                           "0",
                           "--zk",
                           zk_url,
                           "--zk-session-timeout",
                           std::to_string(master_session_s),
                           "--recovery-time",
                           "0.5",
                           "--agents",
                           std::to_string(o.agents),
                           "--mode",
                           "synthetic",
                           "--synthetic-duration",
                           "100-5000",
                           "--allocation-interval",
                           "0.2",
                           "--heartbeat-interval",
                           std::to_string(heartbeat_s),
                           "--agent-reregistration-delay",
                           "0.5",
                           "--admin-port",
                           "0",
                           "--seed",
                           std::to_string(o.seed)},
                          {},
                          dir / "sim.log"};
  if (!sim.wait_for_line("ready", 60s))
    throw std::runtime_error("outrigger-sim did not get ready; see " +
                             (dir / "sim.log").string());
  std::uint16_t admin = 0;
  for (auto& l : sim.lines())
    if (l.find("admin listening on") != std::string::npos)
      admin = test::port_in(l);
  if (admin == 0)
    throw std::runtime_error("cannot read the simulator's admin port");

  auto api_port = test::free_loopback_port();
  supervisor serve{{o.outrigger,
                    "serve",
                    "--master",
                    zk_url,
                    "--data-dir",
                    data_dir.string(),
                    "--listen",
                    "127.0.0.1:" + std::to_string(api_port),
                    "--backoff-min",
                    "0.05",
                    "--backoff-max",
                    "1",
                    "--max-missed-heartbeats",
                    "3",
                    "--master-outage-timeout",
                    "60",
                    "--reconcile-interval",
                    "15",
                    "--on-removed",
                    "new",
                    "--shutdown-timeout",
                    "10",
                    "--log-level",
                    o.serve_log_level},
                   dir,
                   h};
  serve.start();
  bench::http_line probe{api_port, 5000};
  if (!wait_until([&] { return probe.call("GET", "/readyz").status == 200; },
                  60s))
    throw std::runtime_error("outrigger never subscribed");

  workload_options wo;
  wo.api_port = api_port;
  wo.seed = o.seed;
  wo.tasks_per_second = o.rate;
  workload work{wo, h};
  work.start();

  fault_targets t;
  t.zk = &zk;
  t.sim_admin = admin;
  t.serve = &serve;
  t.small_fs = disk.mount_point;
  t.small_fs_missing = disk.error;
  t.heartbeat_s = heartbeat_s;
  t.missed_heartbeats = 3;
  t.master_session_s = master_session_s;
  fault_runner faults{t, h, o.seed, parse_range(o.fault_gap), o.faults};
  auto load_end =
    start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(o.minutes * 60));
  faults.run_until(load_end);
  h.note("load phase over");
  work.stop_submitting();

  // Every master up again for the drain.
  bench::http_line sim_admin{admin, 10000};
  auto status = get_json(sim_admin, "/sim/status");
  for (auto& m : status["masters"])
    if (!m.value("alive", true))
      sim_admin.call("POST", "/sim/start-master",
                     json{{"master", m["master"]}}.dump());

  // Drain: every acknowledged task gets its result.
  work.finish_kills();
  auto drained = [&] {
    std::set<std::uint64_t> ended;
    for (auto& r : h.results())
      ended.insert(r.id);
    for (auto& s : h.submissions())
      if (s.acked && ended.count(*s.id) == 0)
        return false;
    return true;
  };
  bool drained_ok = wait_until(
    drained, std::chrono::milliseconds{static_cast<long>(o.drain_s * 1000)});
  work.stop();
  h.note("drain over", {{"complete", drained_ok}});

  // One more crash: what was acknowledged must survive it.
  serve.signal(SIGKILL, true);
  std::this_thread::sleep_for(1s);
  if (!wait_until([&] { return probe.call("GET", "/readyz").status == 200; },
                  90s))
    std::printf("  outrigger did not get ready after the final restart\n");
  auto final = read_final(api_port, admin);
  {
    std::ofstream out{dir / "final.json"};
    out << json{{"tasks", final.tasks},
                {"master_state", final.master_state},
                {"sim_status", final.sim_status}}
             .dump(1);
  }
  auto counts = faults.counts();
  auto v = check(h, final, counts["framework_removed"]);
  if (!drained_ok)
    v.violations.insert(v.violations.begin(),
                        "drain: some acknowledged tasks had no result after " +
                          std::to_string(static_cast<int>(o.drain_s)) + " s");
  for (auto& e : h.exits()) {
    bool ours = e.expected && (e.status == 128 + SIGKILL || e.status == 0);
    if (ours || e.status == 1 || e.status == 3)
      continue; // restart with backoff: what a supervisor does
    std::string why = e.status == 0 ? " unasked (a supervisor would not "
                                      "restart it)"
                      : e.status == 4 || e.status == 5
                        ? " (a supervisor would not restart it: a person "
                          "is asked)"
                        : " (a crash)";
    v.violations.push_back("outrigger exited with status " +
                           std::to_string(e.status) + why);
  }

  // The summary.
  auto elapsed =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
  std::printf("chaos_run: seed %llu, %.2f minutes of load, %.0f s in all, "
              "%zu masters, %zu agents\n",
              static_cast<unsigned long long>(o.seed), o.minutes, elapsed,
              o.masters, o.agents);
  int total = 0;
  std::printf("  faults:");
  for (auto& c : fault_runner::classes()) {
    std::printf(" %s=%d", c.c_str(), counts[c]);
    total += counts[c];
  }
  std::printf(" (total %d)\n", total);
  for (auto& [c, why] : faults.skipped())
    std::printf("  skipped %s: %s\n", c.c_str(), why.c_str());
  std::printf("  tasks: %zu submitted, %zu acknowledged, %zu never "
              "acknowledged; %zu attempts; %llu launches on the agents, %zu "
              "Mesos tasks in the final master's state\n",
              v.submitted, v.acked, v.unacked, v.attempts,
              static_cast<unsigned long long>(
                final.sim_status.value("launches", std::uint64_t{0})),
              v.launches_seen);
  std::printf("  outcomes:");
  for (auto& [s, n] : v.outcomes)
    std::printf(" %s=%d", s.c_str(), n);
  std::printf("\n  kills: %zu sent, %zu ended KILLED (or lost), %zu ended "
              "on their own first\n",
              h.kills().size(), v.kills_honoured, v.kills_moot);
  std::map<int, int> exits;
  for (auto& e : h.exits())
    ++exits[e.status];
  std::printf("  outrigger: %d lives; exits:", serve.starts());
  for (auto& [s, n] : exits)
    std::printf(" %d x%d", s, n);
  std::printf("; framework ids %zu\n", h.framework_ids().size());
  serve.stop();
  sim.signal(SIGTERM);
  sim.wait(20s);
  disk.unmount(); // its files are gone with it; the run's directory can go
  if (v.violations.empty()) {
    std::printf("  outcome: PASS (every invariant held)\n");
    if (o.keep.empty())
      fs::remove_all(dir, *std::make_unique<std::error_code>());
  } else {
    std::printf("  outcome: FAIL, %zu violations:\n", v.violations.size());
    for (std::size_t i = 0; i < v.violations.size() && i < 50; ++i)
      std::printf("    %s\n", v.violations[i].c_str());
    std::printf("  history and logs kept in %s\n", dir.c_str());
  }
  if (!o.keep.empty()) {
    fs::create_directories(o.keep);
    for (auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file())
        fs::copy_file(e.path(), fs::path{o.keep} / e.path().filename(),
                      fs::copy_options::overwrite_existing);
    std::printf("  history and logs copied to %s\n", o.keep.c_str());
  }
  return v.violations.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"a chaos run of outrigger: ZooKeeper, outrigger-sim masters "
               "and outrigger serve as processes, faults of every class, a "
               "checker of invariants"};
  app.add_option("--seed", o.seed, "seed of the workload and the faults")
    ->capture_default_str();
  app.add_option("--minutes", o.minutes, "length of the load phase")
    ->check(CLI::Range(0.1, 24 * 60.0))
    ->capture_default_str();
  app.add_option("--sim", o.sim, "outrigger-sim binary")->capture_default_str();
  app.add_option("--outrigger", o.outrigger, "outrigger binary")
    ->capture_default_str();
  app.add_option("--masters", o.masters, "simulated masters (2..5)")
    ->check(CLI::Range(2, 5))
    ->capture_default_str();
  app.add_option("--agents", o.agents, "synthetic agents")
    ->check(CLI::Range(1, 100))
    ->capture_default_str();
  app.add_option("--rate", o.rate, "tasks submitted per second")
    ->check(CLI::Range(0.1, 1000.0))
    ->capture_default_str();
  app
    .add_option("--fault-gap", o.fault_gap,
                "seconds between faults: S or MIN-MAX")
    ->capture_default_str();
  app
    .add_option("--faults", o.faults,
                "only these fault classes (comma-separated; default all)")
    ->delimiter(',')
    ->check(CLI::IsMember(fault_runner::classes()));
  app
    .add_option("--drain", o.drain_s,
                "seconds the work may take to end after the load phase")
    ->capture_default_str();
  app
    .add_option("--small-fs-mib", o.small_fs_mib,
                "size of the tmpfs holding the data directory")
    ->check(CLI::Range(8, 4096))
    ->capture_default_str();
  app
    .add_option("--serve-log-level", o.serve_log_level,
                "outrigger's --log-level")
    ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
    ->capture_default_str();
  app.add_option("--keep", o.keep,
                 "copy the history and every log to this directory");
  CLI11_PARSE(app, argc, argv);
  // The defaults are relative to the project root: from anywhere else a
  // missing binary would only show as a simulator that never got ready.
  for (auto [flag, path] :
       {std::pair{"--sim", &o.sim}, std::pair{"--outrigger", &o.outrigger}}) {
    if (::access(path->c_str(), X_OK) != 0) {
      std::fprintf(stderr,
                   "chaos_run: %s %s: no executable there (build it, or "
                   "pass %s with its path)\n",
                   flag, path->c_str(), flag);
      return 2;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chaos_run: %s\n", e.what());
    return 2;
  }
}
