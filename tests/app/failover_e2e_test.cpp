// Master failover end to end (issue 18): `outrigger serve --master zk://`
// against two `outrigger-sim` masters electing in a private ZooKeeper. The
// dead leader's node lingers until its session expires, which used to spend
// the whole reconnect budget of a fast backoff; now only time without a
// subscription ends the process (--master-outage-timeout, exit status 3).
// Outcomes only: no durations are asserted.

#include "service_fixture.hpp"
#include "tests/support/zk_server.hpp"

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>

namespace outrigger::test {

namespace {

// "outrigger-sim: admin listening on http://127.0.0.1:<port>".
std::string admin_url(child_process& sim) {
  auto line = sim.wait_for_line("admin listening on", 30s);
  REQUIRE(line);
  return "http://127.0.0.1:" + std::to_string(port_in(*line));
}

nlohmann::json admin_status(const std::string& admin) {
  auto r = app::http_call(admin, "GET", "/sim/status", "", "", 30s);
  return nlohmann::json::parse(r.body, nullptr, false);
}

std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("a failover slower than the old reconnect budget keeps serve "
          "running and every task ends exactly once") {
  zk_server zk;
  temp_dir dir{"or-failover"};
  auto zk_url = "zk://" + zk.connect_string() + "/mesos";
  // The masters' ZooKeeper sessions outlive 10 fast attempts (the old
  // default budget) many times over.
  child_process sim{{sim_bin(),   "--masters",
                     "2",         "--port",
                     "0",         "--zk",
                     zk_url,      "--zk-session-timeout",
                     "4",         "--recovery-time",
                     "0.5",       "--agents",
                     "2",         "--mode",
                     "synthetic", "--synthetic-duration",
                     "8000",      "--heartbeat-interval",
                     "1",         "--admin-port",
                     "0"},
                    {},
                    dir.path() / "sim.log"};
  auto admin = admin_url(sim);
  REQUIRE(sim.wait_for_line("ready", 60s));
  serve_process serve{{"--master", zk_url, "--data-dir",
                       (dir.path() / "data").string(), "--backoff-min", "0.05",
                       "--backoff-max", "0.1"},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(serve.eventually(
    "/readyz", [](const api_answer& a) { return a.status == 200; }));
  constexpr int tasks = 8;
  for (int i = 0; i < tasks; ++i)
    REQUIRE(serve
              .call("POST", "/v1/tasks",
                    task_body("f" + std::to_string(i), "sleep 8"))
              .status == 201);
  REQUIRE(serve.eventually("/v1/framework", [](const api_answer& a) {
    return a.status == 200 && a.body["tasks"].value("RUNNING", 0) == tasks;
  }));

  auto status = admin_status(admin);
  REQUIRE(status["leader"].is_number());
  auto old_leader = status["leader"].get<int>();
  auto kill =
    app::http_call(admin, "POST", "/sim/kill-master",
                   nlohmann::json{{"master", old_leader}}.dump(), "", 30s);
  REQUIRE(kill.status == 200);

  // The other master leads once the dead one's session expired; serve
  // follows it and every task ends, once.
  REQUIRE(serve.all_terminal(120s));
  auto after = admin_status(admin);
  CHECK(after["leader"] != old_leader);
  CHECK_FALSE(serve.process().wait(0s)); // still running
  auto results = serve.call("GET", "/v1/results?limit=1000").body["results"];
  std::map<std::uint64_t, int> ends;
  for (auto& r : results) {
    ++ends[r["id"].get<std::uint64_t>()];
    CHECK(r["state"] == "FINISHED");
  }
  CHECK(ends.size() == static_cast<std::size_t>(tasks));
  for (auto& [id, n] : ends)
    CHECK(n == 1);
  auto metrics = app::http_call(serve.url(), "GET", "/metrics", "", "", 30s);
  CHECK(metrics.body.find("outrigger_master_resubscribe_seconds_count") !=
        std::string::npos);
  serve.process().signal(SIGTERM);
  CHECK(serve.process().wait(20s) == 0);
}

TEST_CASE("a master unreachable past --master-outage-timeout ends serve with "
          "exit status 3") {
  temp_dir dir{"or-outage"};
  child_process sim{
    {sim_bin(), "--port", "0", "--agents", "1"}, {}, dir.path() / "sim.log"};
  auto line = sim.wait_for_line("master 1 listening on", 30s);
  REQUIRE(line);
  auto sim_url = "http://127.0.0.1:" + std::to_string(port_in(*line));
  serve_process serve{{"--master", sim_url, "--data-dir",
                       (dir.path() / "data").string(),
                       "--master-outage-timeout", "2", "--backoff-min", "0.05",
                       "--backoff-max", "0.2"},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(serve.eventually(
    "/readyz", [](const api_answer& a) { return a.status == 200; }));
  sim.signal(SIGKILL);
  CHECK(serve.process().wait(120s) == 3);
  auto log = file_text(dir.path() / "serve.log");
  CHECK(log.find("no subscription for 2s") != std::string::npos);
}

} // namespace outrigger::test
