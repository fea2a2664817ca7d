// The cluster's admin API (sim/cluster_admin.hpp) over HTTP: validation of
// its input, and each fault as a scheduler sees it.

#include "tests/sim/sim_it_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace outrigger;
using namespace outrigger::test;

namespace {

http_reply admin(sim::cluster& c, const std::string& path,
                 const std::string& body = {},
                 const std::string& method = "POST") {
  return request(*c.admin_port(), method, path, body,
                 {{"Content-Type", "application/json"}});
}

} // namespace

TEST_CASE("admin: status, and clear errors for bad input") {
  sim::cluster c(test_cluster(2));
  auto r = admin(c, "/sim/status", {}, "GET");
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") == "application/json");
  auto doc = nlohmann::json::parse(r.body);
  CHECK(doc["leader"] == 1);
  CHECK(doc["masters"].size() == 2);
  CHECK(doc["masters"][1]["leading"] == false);

  struct bad {
    std::string path, body;
    unsigned status;
    std::string message;
  };
  for (auto& b : std::vector<bad>{
         {"/sim/delay", R"({"ms":-1})", 400,
          "'ms' must be a non-negative integer\n"},
         {"/sim/delay", R"({"ms":1,"x":1})", 400,
          "unknown member 'x' (expected: ms)\n"},
         {"/sim/delay", "ms=1", 400, "the body is not JSON\n"},
         {"/sim/delay", "[1]", 400, "the body must be a JSON object\n"},
         {"/sim/delay", "", 400, "missing member 'ms'\n"},
         {"/sim/fail-over", R"({"now":true})", 400,
          "unknown member 'now' (this action takes none)\n"},
         {"/sim/kill-master", R"({"master":3})", 400,
          "'master' must be between 1 and 2\n"},
         {"/sim/heartbeats", R"({"paused":"yes"})", 400,
          "'paused' must be true or false\n"},
         {"/sim/lose-agent", R"({"agent":"a","how":"sideways"})", 400,
          "'how' must be \"partition\" or \"disconnected\"\n"},
         {"/sim/add-agents", R"({"mode":"docker"})", 400,
          "'mode' must be \"synthetic\" or \"exec\"\n"},
         {"/sim/add-agents", R"({"resources":"cpus:many"})", 400, ""},
         {"/sim/add-agents", R"({"mode":"exec"})", 400, ""},
         {"/sim/nope", "", 404, ""},
       }) {
    INFO(b.path << " " << b.body);
    r = admin(c, b.path, b.body);
    CHECK(r.status == b.status);
    CHECK(r.header("Content-Type") == "text/plain; charset=utf-8");
    if (!b.message.empty())
      CHECK(r.body == b.message);
  }
  r = admin(c, "/sim/fail-over", {}, "GET");
  CHECK(r.status == 405);
  CHECK(r.header("Allow") == "POST");
  r = admin(c, "/sim/status");
  CHECK(r.status == 405);
  CHECK(r.header("Allow") == "GET");
  CHECK(admin(c, "/master/state", {}, "GET").status == 404);
}

TEST_CASE("admin: faults as a scheduler sees them") {
  auto options = test_cluster(2);
  options.master.heartbeat_interval = 200ms;
  sim::cluster c(options);
  auto added = nlohmann::json::parse(
    admin(c, "/sim/add-agents", R"({"count":1,"port":5061})").body);
  REQUIRE(added["agents"].size() == 1);
  auto agent = added["agents"][0].get<std::string>();
  scheduler_stream s(c.port(0), subscribe_body(framework("admin")));
  auto fw = s.next().subscribed->framework_id;
  auto offer = s.next_of(pr::event_type::offers).offers->offers.at(0);
  CHECK(offer.agent_id.value == agent);

  // drop-calls: answered 202, no effect.
  CHECK(admin(c, "/sim/drop-calls", R"({"count":1})").status == 200);
  auto decline = pr::make_decline(fw, {offer.id});
  CHECK(post_call(c.port(0), decline, s.stream_id()).status == 202);
  CHECK(status_of(c)["offers"] == 1);
  CHECK(post_call(c.port(0), decline, s.stream_id()).status == 202);
  CHECK(status_of(c)["offers"] == 0);

  // heartbeats: none while paused (one may have been on its way), then
  // again. The flag is set before resuming so no later one counts.
  CHECK(admin(c, "/sim/heartbeats", R"({"paused":true})").status == 200);
  std::atomic<bool> resumed{false};
  std::thread resume([&] {
    std::this_thread::sleep_for(1500ms); // 7 heartbeats if not paused
    resumed = true;
    admin(c, "/sim/heartbeats", R"({"paused":false})");
  });
  int while_paused = 0;
  for (;;) {
    auto e = s.next();
    if (e.type != pr::event_type::heartbeat)
      continue;
    if (!resumed)
      ++while_paused;
    else
      break;
  }
  resume.join();
  CHECK(while_paused <= 1);

  // delay: every answer waits.
  CHECK(admin(c, "/sim/delay", R"({"ms":300})").status == 200);
  auto before = std::chrono::steady_clock::now();
  CHECK(post_call(c.port(0), pr::make_revive(fw), s.stream_id()).status == 202);
  CHECK(std::chrono::steady_clock::now() - before >= 300ms);
  CHECK(admin(c, "/sim/delay", R"({"ms":0})").status == 200);

  // An agent lost and back: FAILURE to every framework (transcripts2 4).
  CHECK(admin(c, "/sim/lose-agent", R"({"agent":")" + agent + R"("})").status ==
        200);
  auto failure = s.next_of(pr::event_type::failure);
  CHECK(failure.failure->agent_id->value == agent);
  CHECK(status_of(c)["agents"][0]["status"] == "unreachable");
  CHECK(
    admin(c, "/sim/return-agent", R"({"agent":")" + agent + R"("})").status ==
    200);
  CHECK(status_of(c)["agents"][0]["status"] == "active");

  // cut-streams: the connection drops without the terminating chunk.
  CHECK(admin(c, "/sim/cut-streams").status == 200);
  CHECK_FALSE(s.read_to_end());

  // fail-over: master 2 leads, master 1 is a new standby pointing at it.
  auto old_id = c.master_id(0);
  CHECK(admin(c, "/sim/fail-over").status == 200);
  auto doc = status_of(c);
  CHECK(doc["leader"] == 2);
  CHECK(doc["masters"][0]["alive"] == true);
  CHECK(doc["masters"][0]["id"] != old_id);
  auto r = request(c.port(0), "GET", "/master/redirect");
  CHECK(r.header("Location") == "//localhost:" + std::to_string(c.port(1)));

  // kill / start / restart.
  CHECK(admin(c, "/sim/kill-master", R"({"master":2})").status == 200);
  CHECK(status_of(c)["leader"] == 1);
  CHECK(status_of(c)["agents"].size() == 1); // the agent moved along
  CHECK(admin(c, "/sim/start-master", R"({"master":2})").status == 200);
  CHECK(admin(c, "/sim/restart-master", R"({"master":2})").status == 200);
  CHECK(status_of(c)["leader"] == 1);

  // unavailable: 503 from the leader for a while.
  CHECK(admin(c, "/sim/unavailable", R"({"ms":60000})").status == 200);
  scheduler_stream refused(c.port(0), subscribe_body(framework("late")));
  CHECK(refused.head().status == 503);
  CHECK(refused.head().body == "Master has not finished recovery");

  // Every master dead: nothing leads, faults on the leader are refused.
  c.kill_master(0);
  c.kill_master(1);
  r = admin(c, "/sim/cut-streams");
  CHECK(r.status == 409);
  CHECK(r.body == "no master leads\n");
  CHECK(status_of(c)["agents_in_transit"] == 1);
}

TEST_CASE("admin: teardown removes the framework, its next SUBSCRIBE gets "
          "ERROR") {
  sim::cluster c(test_cluster(1));
  REQUIRE(admin(c, "/sim/add-agents", R"({"count":1})").status == 200);
  auto info = framework("torn");
  scheduler_stream s(c.port(0), subscribe_body(info));
  auto fw = s.next().subscribed->framework_id;
  CHECK(admin(c, "/sim/teardown", R"({"framework":"nope"})").body ==
        R"({"ok":true,"removed":0})");
  auto r = admin(c, "/sim/teardown");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"ok":true,"removed":1})");
  CHECK(s.read_to_end()); // the stream ends with its terminating chunk
  CHECK(status_of(c)["frameworks"]["completed"] == 1);
  info.id = fw;
  scheduler_stream again(c.port(0), subscribe_body(info));
  REQUIRE(again.head().status == 200);
  auto e = again.next();
  REQUIRE(e.type == pr::event_type::error);
  CHECK(e.error->message == "Framework has been removed");
}

TEST_CASE("admin: launches and launched_twice count what agents ran") {
  sim::cluster c(test_cluster(1));
  auto added =
    nlohmann::json::parse(admin(c, "/sim/add-agents", R"({"count":1})").body);
  pr::AgentID agent{added["agents"][0].get<std::string>()};
  scheduler_stream s(c.port(0), subscribe_body(framework("twice")));
  auto fw = s.next().subscribed->framework_id;
  // The same task id launched again once the first has ended: Mesos only
  // refuses ids of active tasks, so the agent runs it twice.
  for (int round = 0; round < 2; ++round) {
    auto offer = s.next_of(pr::event_type::offers).offers->offers.at(0);
    auto launch = pr::make_accept(
      fw, {offer.id}, {pr::make_launch({shell_task("t1", agent, "sleep 0")})});
    REQUIRE(post_call(c.port(0), launch, s.stream_id()).status == 202);
    for (;;) {
      auto u = s.next_update();
      if (u.uuid)
        post_call(c.port(0), *pr::acknowledgement_for(fw, u), s.stream_id());
      if (u.state == pr::task_state::finished)
        break;
    }
  }
  auto doc = status_of(c);
  CHECK(doc["launches"] == 2);
  CHECK(doc["launched_twice"] == nlohmann::json::array({"t1"}));
}
