// Restart without loss: `outrigger serve` is killed with SIGKILL
// at random moments while hundreds of tasks run on a simulated cluster, and
// started again on the same data directory. In the end every task ran to
// completion, under one framework id, with exactly one result each, and the
// master saw no Mesos task id launched twice.

#include "tests/app/service_fixture.hpp"

#include <csignal>
#include <map>
#include <random>
#include <set>

namespace outrigger::test {

TEST_CASE("SIGKILL at random moments loses no task and launches none twice") {
  temp_dir dir{"or-kill"};
  sim_process sim{{"--agents", "4", "--mode", "synthetic",
                   "--synthetic-duration", "200-1200", "--allocation-interval",
                   "0.1", "--heartbeat-interval", "1"},
                  dir.path() / "sim.log"};
  REQUIRE(sim.up());
  auto data = (dir.path() / "data").string();
  std::vector<std::string> args{
    "--master", sim.url(),       "--data-dir", data,          "--backoff-min",
    "0.05",     "--backoff-max", "0.3",        "--log-level", "warn"};
  auto seed = std::random_device{}();
  MESSAGE("seed " << seed);
  std::mt19937 rng{seed};
  std::uniform_int_distribution<int> pause_ms{100, 1500};
  constexpr int tasks = 300, kills = 6;
  std::set<std::string> accepted; // keys the service answered 201/200 for
  int submitted = 0;
  for (int round = 0; round <= kills; ++round) {
    serve_process serve{args, dir.path() / "serve.log"};
    REQUIRE(serve.up());
    // Submit a share of the tasks in each life of the service.
    auto share =
      tasks / (kills + 1) + (round == kills ? tasks % (kills + 1) : 0);
    for (int i = 0; i < share; ++i, ++submitted) {
      auto key = "k" + std::to_string(submitted);
      auto r = serve.call("POST", "/v1/tasks", task_body(key, "true"));
      REQUIRE(r.status == 201);
      accepted.insert(key);
    }
    if (round == kills) {
      REQUIRE(serve.all_terminal(120s));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{pause_ms(rng)});
    serve.process().signal(SIGKILL);
    REQUIRE(serve.process().wait(10s) == 128 + SIGKILL);
  }
  // A last, clean start: everything is still there.
  serve_process serve{args, dir.path() / "serve.log"};
  REQUIRE(serve.up());
  std::map<std::string, nlohmann::json> by_key;
  std::uint64_t cursor = 0;
  for (;;) {
    auto page = serve.call("GET", "/v1/tasks?limit=1000&cursor=" +
                                    std::to_string(cursor));
    REQUIRE(page.status == 200);
    for (auto& t : page.body["tasks"])
      by_key[t["key"]] = t;
    if (page.body["next"].is_null())
      break;
    cursor = page.body["next"].get<std::uint64_t>();
  }
  REQUIRE(by_key.size() == accepted.size());
  std::set<std::string> attempt_ids;
  for (auto& [key, t] : by_key) {
    CHECK_MESSAGE(t["state"] == "FINISHED", key << " is " << t["state"]);
    for (auto& a : t["attempts"])
      attempt_ids.insert(a["mesos_task_id"].get<std::string>());
  }
  // Exactly one result per task.
  auto results = serve.call("GET", "/v1/results?limit=1000");
  REQUIRE(results.status == 200);
  std::set<std::uint64_t> result_ids;
  for (auto& r : results.body["results"])
    result_ids.insert(r["id"].get<std::uint64_t>());
  CHECK(results.body["results"].size() == by_key.size());
  CHECK(result_ids.size() == by_key.size());
  // One framework, and no Mesos task id launched twice.
  auto state = sim.state();
  REQUIRE(state["frameworks"].size() == 1);
  CHECK(state["completed_frameworks"].empty());
  std::map<std::string, int> launched;
  for (auto& fw : state["frameworks"]) {
    for (auto* list : {"tasks", "completed_tasks", "unreachable_tasks"})
      for (auto& t : fw[list])
        ++launched[t["id"].get<std::string>()];
  }
  std::size_t finished = 0;
  for (auto& [id, n] : launched) {
    CHECK_MESSAGE(n == 1, id << " launched " << n << " times");
    CHECK_MESSAGE(attempt_ids.count(id) == 1, id << " is no attempt");
  }
  for (auto& fw : state["frameworks"])
    for (auto& t : fw["completed_tasks"])
      finished += t["state"] == "TASK_FINISHED";
  CHECK(finished == by_key.size());
  MESSAGE("tasks " << by_key.size() << ", attempts " << attempt_ids.size()
                   << ", launched " << launched.size());
}

} // namespace outrigger::test
