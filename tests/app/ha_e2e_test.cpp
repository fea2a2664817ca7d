// High availability end to end (issue 14): three `outrigger serve --ha`
// replicas, a two-master `outrigger-sim` and one private ZooKeeper server,
// all separate processes on loopback. While 1,000 tasks are submitted
// through whichever replica (standbys forward to the leader), the leader is
// SIGKILLed three times at seeded random moments, paused past its session
// timeout and resumed (it must step down, not act), and ZooKeeper is
// restarted. A supervisor restarts replicas that exit, as Kubernetes would.
// Outcomes only: every task ends exactly once, one framework id throughout.

#include "service_fixture.hpp"
#include "tests/support/zk_server.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>

namespace outrigger::test {

namespace {

/// One replica: a fixed port (its advertised URL), restarted on demand.
class replica {
public:
  replica(int n, std::vector<std::string> args, std::filesystem::path dir)
    : n_(n), port_(free_loopback_port()), args_(std::move(args)),
      dir_(std::move(dir)) {
    start();
  }

  void start() {
    std::vector<std::string> argv{outrigger_bin(),   "serve",
                                  "--listen",        "127.0.0.1:" + port(),
                                  "--advertise-url", url()};
    argv.insert(argv.end(), args_.begin(), args_.end());
    auto log = dir_ / ("replica-" + std::to_string(n_) + "-" +
                       std::to_string(starts_++) + ".log");
    proc_ =
      std::make_unique<child_process>(argv, std::vector<std::string>{}, log);
    REQUIRE(proc_->wait_for_line("API listening on", 30s));
  }

  std::string port() const { return std::to_string(port_); }
  std::string url() const { return "http://127.0.0.1:" + port(); }
  child_process& process() { return *proc_; }
  int starts() const { return starts_; }

  api_answer call(const std::string& method, const std::string& target,
                  const std::string& body = {},
                  std::chrono::seconds timeout = 5s) const {
    auto r = app::http_call(url(), method, target, body, "", timeout);
    api_answer a{r.status, nlohmann::json::parse(r.body, nullptr, false)};
    if (a.body.is_discarded())
      a.body = nullptr;
    return a;
  }

private:
  int n_;
  std::uint16_t port_;
  std::vector<std::string> args_;
  std::filesystem::path dir_;
  int starts_ = 0;
  std::unique_ptr<child_process> proc_;
};

} // namespace

TEST_CASE("ha: three replicas lose their leader again and again and every "
          "task ends exactly once") {
  auto seed = std::random_device{}();
  MESSAGE("seed " << seed);
  std::mt19937 rng{seed};
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>{lo, hi}(rng);
  };

  zk_server zk;
  temp_dir dir{"or-ha"};
  auto mesos = "zk://" + zk.connect_string() + "/mesos";
  child_process sim{{sim_bin(), "--masters", "2", "--port", "0", "--zk", mesos,
                     "--zk-session-timeout", "20", "--recovery-time", "0.2",
                     "--agents", "4", "--mode", "synthetic",
                     "--synthetic-duration", "200-1500", "--heartbeat-interval",
                     "1"},
                    {},
                    dir.path() / "sim.log"};
  REQUIRE(sim.wait_for_line("ready", 60s));

  std::vector<std::string> common{"--master",
                                  mesos,
                                  "--ha",
                                  "zk://" + zk.connect_string() + "/outrigger",
                                  "--ha-session-timeout",
                                  "4",
                                  "--backoff-min",
                                  "0.05",
                                  "--backoff-max",
                                  "0.5",
                                  "--shutdown-timeout",
                                  "5"};
  std::vector<std::unique_ptr<replica>> replicas;
  for (int i = 0; i < 3; ++i)
    replicas.push_back(std::make_unique<replica>(i, common, dir.path()));
  // Guards the replicas' processes (the supervisor restarts them) and
  // `framework_ids`; HTTP calls need no lock (a replica keeps its port).
  std::mutex m;
  std::atomic<int> paused{-1}; // a SIGSTOPped replica answers nothing

  // Who leads, as any replica reports it (standbys forward the question).
  std::set<std::string> framework_ids;
  auto leader_index = [&]() -> int {
    for (std::size_t n = 0; n < replicas.size(); ++n) {
      if (static_cast<int>(n) == paused)
        continue;
      auto a = replicas[n]->call("GET", "/v1/framework");
      std::lock_guard lock{m};
      if (a.status != 200 || !a.body.is_object())
        continue;
      if (a.body.contains("framework_id") &&
          a.body["framework_id"].is_string() &&
          !a.body["framework_id"].get<std::string>().empty())
        framework_ids.insert(a.body["framework_id"].get<std::string>());
      auto url = a.body["ha"].value("leader", "");
      if (a.body.value("connected", false))
        for (std::size_t i = 0; i < replicas.size(); ++i)
          if (replicas[i]->url() == url)
            return static_cast<int>(i);
    }
    return -1;
  };
  auto wait_leader = [&](std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int i = leader_index();
      if (i >= 0)
        return i;
      std::this_thread::sleep_for(200ms);
    }
    return -1;
  };
  REQUIRE(wait_leader(60s) >= 0);

  // A supervisor: replicas that exit are restarted. Status 6 is a leader
  // stepping down; 137 is our SIGKILL.
  std::atomic<bool> done{false};
  std::map<int, int> exits;
  std::thread supervisor{[&] {
    while (!done) {
      {
        std::lock_guard lock{m};
        for (auto& r : replicas)
          if (auto st = r->process().wait(0ms)) {
            ++exits[*st];
            r->start();
          }
      }
      std::this_thread::sleep_for(100ms);
    }
  }};

  // The client: 1,000 tasks in batches through random replicas, each batch
  // retried until every item is accepted (the key makes retries safe).
  constexpr int tasks = 1000;
  std::atomic<int> accepted{0};
  std::thread client{[&, client_seed = seed + 1] {
    std::mt19937 crng{client_seed};
    for (int first = 0; first < tasks && !done; first += 50) {
      nlohmann::json batch{{"tasks", nlohmann::json::array()}};
      for (int i = first; i < first + 50; ++i)
        batch["tasks"].push_back(
          nlohmann::json::parse(task_body("t-" + std::to_string(i), "true")));
      for (;;) {
        auto n = static_cast<int>(crng() % replicas.size());
        if (n == paused)
          continue;
        auto r = app::http_call(replicas[n]->url(), "POST", "/v1/tasks",
                                batch.dump(), "", 30s);
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        bool all = r.status == 200 && j.is_object() && j.contains("tasks");
        if (all)
          for (auto& item : j["tasks"])
            all = all && (item.value("status", 0) == 200 ||
                          item.value("status", 0) == 201);
        if (all)
          break;
        std::this_thread::sleep_for(200ms);
      }
      accepted += 50;
    }
  }};

  auto fault_kill_leader = [&] {
    int i = wait_leader(90s);
    REQUIRE(i >= 0);
    MESSAGE("SIGKILL the leader, replica " << i);
    std::lock_guard lock{m};
    replicas[i]->process().signal(SIGKILL);
  };
  for (int k = 0; k < 3; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(500, 4000)));
    fault_kill_leader();
  }

  // Pause the leader past its session timeout: another is elected; resumed,
  // the old one must step down (exit 6) instead of acting as leader.
  std::this_thread::sleep_for(std::chrono::milliseconds(pick(500, 3000)));
  int stopped = wait_leader(90s);
  REQUIRE(stopped >= 0);
  pid_t paused_pid = 0;
  {
    std::lock_guard lock{m};
    paused_pid = replicas[stopped]->process().pid();
    paused = stopped;
    replicas[stopped]->process().signal(SIGSTOP);
  }
  MESSAGE("SIGSTOP the leader, replica " << stopped);
  std::this_thread::sleep_for(7s);
  int next = wait_leader(60s);
  CHECK(next >= 0);
  CHECK(next != stopped);
  int exits_before = 0;
  {
    std::lock_guard lock{m};
    exits_before = exits[6];
    REQUIRE(replicas[stopped]->process().pid() == paused_pid);
    replicas[stopped]->process().signal(SIGCONT);
    paused = -1;
  }
  auto stepped_down = [&] {
    std::lock_guard lock{m};
    return exits[6] > exits_before;
  };
  for (int i = 0; i < 300 && !stepped_down(); ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(stepped_down());

  // ZooKeeper restarts: the leader steps down; the replicas elect again.
  std::this_thread::sleep_for(std::chrono::milliseconds(pick(500, 3000)));
  MESSAGE("restart ZooKeeper");
  zk.stop();
  std::this_thread::sleep_for(1s);
  zk.start();

  client.join();
  CHECK(accepted == tasks);
  REQUIRE(wait_leader(120s) >= 0);

  // Every task ends, exactly once.
  std::map<std::string, int> ends;
  std::set<std::uint64_t> cursors;
  auto deadline = std::chrono::steady_clock::now() + 240s;
  while (std::chrono::steady_clock::now() < deadline) {
    ends.clear();
    cursors.clear();
    std::uint64_t after = 0;
    bool ok = true;
    for (;;) {
      auto a = replicas[0]->call("GET", "/v1/results?limit=1000&after=" +
                                          std::to_string(after));
      if (a.status != 200) {
        ok = false;
        break;
      }
      for (auto& r : a.body["results"]) {
        ++ends[r["key"].get<std::string>()];
        cursors.insert(r["cursor"].get<std::uint64_t>());
        CHECK(r["state"] == "FINISHED");
        CHECK(r["attempts"].get<int>() <= 3);
      }
      if (a.body["results"].empty())
        break;
      after = a.body["next"].get<std::uint64_t>();
    }
    if (ok && ends.size() == static_cast<std::size_t>(tasks))
      break;
    std::this_thread::sleep_for(500ms);
  }
  done = true;
  supervisor.join();
  CHECK(ends.size() == static_cast<std::size_t>(tasks));
  for (auto& [key, n] : ends)
    CHECK_MESSAGE(n == 1, key << " ended " << n << " times");
  leader_index(); // one more framework id sample
  CHECK(framework_ids.size() == 1);
  CHECK(exits[137] >= 3);
  CHECK(exits[6] >= 1);
  for (auto& r : replicas) {
    r->process().signal(SIGTERM);
    r->process().wait(20s);
  }
}

} // namespace outrigger::test

namespace outrigger::test {

TEST_CASE("ha: a replica started while ZooKeeper is down waits, says so, "
          "and leads once it is back") {
  zk_server zk;
  temp_dir dir{"or-ha-nozk"};
  sim_process sim{{"--agents", "1", "--mode", "synthetic"},
                  dir.path() / "sim.log"};
  REQUIRE(sim.up());
  zk.stop();
  replica r{0,
            {"--master", sim.url(), "--ha",
             "zk://" + zk.connect_string() + "/outrigger",
             "--ha-session-timeout", "4"},
            dir.path()};
  // Not ready, not crashed, and the log says why.
  auto answer = r.call("GET", "/readyz");
  CHECK(answer.status == 503);
  CHECK(answer.body["role"] == "joining");
  CHECK(r.call("POST", "/v1/tasks", task_body("early", "true")).status == 503);
  auto log = dir.path() / "replica-0-0.log";
  auto said = [&] {
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line))
      if (line.find("ZooKeeper not reachable; still trying") !=
          std::string::npos)
        return true;
    return false;
  };
  for (int i = 0; i < 300 && !said(); ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(said());
  CHECK_FALSE(r.process().wait(0ms)); // still running: no crash loop

  zk.start();
  bool ready = false;
  for (int i = 0; i < 600 && !ready; ++i) {
    auto a = r.call("GET", "/readyz");
    ready = a.status == 200 && a.body.value("role", "") == "leader";
    if (!ready)
      std::this_thread::sleep_for(100ms);
  }
  CHECK(ready);
  CHECK(r.call("POST", "/v1/tasks", task_body("late", "true")).status == 201);
  r.process().signal(SIGTERM);
  CHECK(r.process().wait(20s) == 0);
}

} // namespace outrigger::test
