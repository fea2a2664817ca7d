// State and metrics endpoints, faults, determinism and the small pieces
// (uuids, timers, header negotiation, JSON syntax errors).

#include "sim/http_checks.hpp"
#include "sim/timer_queue.hpp"
#include "sim/uuid.hpp"
#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

TEST_CASE("/master/state: a faithful subset (transcripts 05, 100)") {
  harness h;
  auto agent = h.add_agent(5081, nullptr,
                           "cpus:2;mem:2048;disk:4096;ports:[31000-31099,"
                           "32000-32099]",
                           "rack:r1;zone:a;level:2");
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
  h.advance(10ms);
  auto r = h.get("/master/state");
  CHECK(r.status == 200);
  CHECK(header(r, "Content-Type") == "application/json");
  auto j = json::parse(r.body);
  CHECK(j["version"] == "1.12.0");
  CHECK(j["id"] == h.m.info().id);
  CHECK(j["pid"] == "master@127.0.0.1:5050");
  CHECK(j["hostname"] == "localhost");
  CHECK(j["leader"] == "master@127.0.0.1:5050");
  CHECK(j["activated_slaves"] == 1.0);
  auto& slave = j["slaves"][0];
  CHECK(slave["id"] == agent.value);
  CHECK(slave["attributes"] ==
        json::parse(R"({"rack":"r1","zone":"a","level":2.0})"));
  CHECK(
    slave["resources"].dump() ==
    R"({"disk":4096.0,"mem":2048.0,"gpus":0.0,"cpus":2.0,"ports":"[31000-31099, 32000-32099]"})");
  CHECK(slave["used_resources"]["cpus"] == 0.1);
  CHECK(slave["used_resources"]["mem"] == 32.0);
  auto& fw = j["frameworks"][0];
  CHECK(fw["id"] == s.framework.value);
  CHECK(fw["name"] == "golden-framework");
  CHECK(fw["active"] == true);
  CHECK(fw["connected"] == true);
  CHECK(fw["role"] == "*");
  CHECK(fw["failover_timeout"] == 3600.0);
  CHECK(fw["capabilities"] ==
        json::parse(R"(["PARTITION_AWARE","TASK_KILLING_STATE"])"));
  auto& task = fw["tasks"][0];
  CHECK(task["id"] == "t");
  CHECK(task["executor_id"] == "");
  CHECK(task["slave_id"] == agent.value);
  CHECK(task["state"] == "TASK_STARTING");
  CHECK(task["statuses"][0]["state"] == "TASK_STARTING");
  CHECK(j["completed_frameworks"].empty());

  h.m.stream_closed(s.stream);
  j = json::parse(h.get("/master/state").body);
  CHECK(j["frameworks"][0]["connected"] == false);
  CHECK(j["frameworks"][0]["unregistered_time"] == 0.0);
}

TEST_CASE("/metrics/snapshot: a subset of the real keys") {
  harness h;
  auto agent = h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
  h.advance(10ms);
  auto r = h.get("/metrics/snapshot");
  CHECK(r.status == 200);
  auto j = json::parse(r.body);
  CHECK(j["master/elected"] == 1.0);
  CHECK(j["master/frameworks_active"] == 1.0);
  CHECK(j["master/slaves_active"] == 1.0);
  CHECK(j["master/tasks_starting"] == 1.0);
  CHECK(j["master/tasks_running"] == 0.0);
  CHECK(j["master/messages_launch_tasks"] == 1.0);
  CHECK(j["master/messages_register_framework"] == 1.0);
  CHECK(j["master/cpus_total"] == 2.0);
  CHECK(j["master/cpus_used"] == 0.1);
  CHECK(j["master/uptime_secs"].get<double>() == doctest::Approx(0.01));
  auto base = "master/frameworks/golden-framework/" + s.framework.value + "/";
  CHECK(j[base + "calls/accept"] == 1.0);
  CHECK(j[base + "events/subscribed"] == 1.0);
  CHECK(j[base + "offers/accepted"] == 1.0);
  std::string previous;
  for (auto& [k, v] : j.items()) { // sorted keys, doubles only
    CHECK(k > previous);
    CHECK(v.is_number_float());
    previous = k;
  }
  // Any master answers metrics; a standby redirects /state only.
  h.m.set_no_leader();
  CHECK(h.get("/metrics/snapshot").status == 200);
  CHECK(h.get("/master/health").status == 200);
}

TEST_CASE("fault: cut every stream - frameworks disconnect") {
  harness h;
  auto s = h.subscribe(framework_info());
  h.m.cut_streams();
  h.pump();
  CHECK(h.streams[s.stream].cut);
  CHECK_FALSE(h.streams[s.stream].ended);
  CHECK(h.call(pr::make_revive(s.framework), s).status == 403);
  h.m.stream_closed(s.stream); // the server reports it again: no effect
  CHECK(h.m.framework_count() == 1);
}

TEST_CASE("fault: dropped calls are answered but have no effect") {
  harness h;
  h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.m.drop_calls(1);
  CHECK(h.call(pr::make_decline(s.framework, {offer.id}), s).status == 202);
  CHECK(h.m.offer_count() == 1);
  CHECK(h.call(pr::make_decline(s.framework, {offer.id}), s).status == 202);
  CHECK(h.m.offer_count() == 0);
}

TEST_CASE("restart: new master id, streams cut, frameworks recovered") {
  harness h;
  auto agent = h.add_agent();
  auto old_id = h.m.info().id;
  auto s = h.subscribe(framework_info());
  h.m.restart();
  h.pump();
  CHECK(h.streams[s.stream].cut);
  CHECK(h.m.info().id != old_id);
  CHECK(h.m.framework_count() == 0);
  CHECK(h.call(pr::make_revive(s.framework), s).body ==
        "Framework cannot be found");
  auto info = framework_info();
  info.id = s.framework;
  auto again = h.subscribe(info);
  auto first = h.take(again.stream).at(0);
  CHECK(first.subscribed->framework_id == s.framework);
  CHECK(first.subscribed->master_info->id == h.m.info().id);
  h.advance(1s);
  auto offers = h.take_offers(again.stream);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].agent_id == agent); // the agent keeps its old id
  CHECK(offers[0].id.value == h.m.info().id + "-O0");
}

TEST_CASE("same seed, same bytes - idle masters have no deadline") {
  auto run = [] {
    harness h;
    auto agent = h.add_agent();
    auto s = h.subscribe(framework_info());
    h.advance(0ms);
    auto offer = h.take_offers(s.stream).at(0);
    h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
    h.advance(30s);
    return h.streams[s.stream].records;
  };
  CHECK(run() == run());
  harness idle;
  CHECK_FALSE(idle.m.next_deadline());
  idle.add_agent();
  CHECK(idle.m.next_deadline());
  idle.advance(1s);
  CHECK_FALSE(idle.m.next_deadline()); // nothing to offer to anyone
}

TEST_CASE("uuid4 generation is valid and deterministic") {
  uuid_generator a(9), b(9), c(10);
  for (int i = 0; i < 100; ++i) {
    auto x = a.next_text();
    CHECK(is_uuid4_text(x));
    CHECK(x == b.next_text());
    CHECK(is_uuid4_raw(c.next_raw()));
  }
  CHECK_FALSE(is_uuid4_text("105d21d1-b075-1e05-8d19-3d4b8fdb8c76"));
  CHECK_FALSE(is_uuid4_raw("hello"));
}

TEST_CASE("timers fire in time order, then in scheduling order") {
  timer_queue q;
  std::vector<int> fired;
  auto at = t0();
  q.schedule(at + 2s, [&] { fired.push_back(3); });
  q.schedule(at + 1s, [&] { fired.push_back(1); });
  auto dead = q.schedule(at + 1s, [&] { fired.push_back(99); });
  q.schedule(at + 1s, [&] {
    fired.push_back(2);
    q.schedule(at + 1s, [&] { fired.push_back(25); }); // same instant
  });
  q.cancel(dead);
  CHECK(q.next() == at + 1s);
  CHECK(q.run_until(at + 1s) == 3);
  CHECK(fired == std::vector<int>{1, 2, 25});
  q.run_until(at + 5s);
  CHECK(fired.back() == 3);
  CHECK_FALSE(q.next());
}

TEST_CASE("Accept negotiation and JSON syntax errors (unit)") {
  CHECK(accepts_media_type(std::nullopt, "application/json"));
  CHECK(accepts_media_type("application/json", "application/json"));
  CHECK(accepts_media_type("APPLICATION/JSON", "application/json"));
  CHECK(accepts_media_type("text/html, application/*", "application/json"));
  CHECK_FALSE(accepts_media_type("application/json;q=0", "application/json"));
  CHECK_FALSE(accepts_media_type("text/html", "application/json"));
  CHECK(accepts_media_type("*/*;q=0.1", "application/json"));

  CHECK_FALSE(json_syntax_error(R"({"a":[1,2,{"b":null}],"c":"\u00e9"})"));
  CHECK(json_syntax_error("{\"a\":1,}") == "syntax error at line 1 near: }");
  CHECK(json_syntax_error("  ") == "syntax error at line 1 near: ");
  CHECK(json_syntax_error("{\"a\":\"x\ny\"}") ==
        "syntax error at line 1 near: ");
}

TEST_CASE("bounds: open subscription streams") {
  auto cfg = harness::default_config();
  cfg.max_open_streams = 2;
  harness h(cfg);
  auto a = h.subscribe(framework_info("a"));
  h.subscribe(framework_info("b"));
  auto c = h.subscribe(framework_info("c"));
  CHECK(c.response.status == 503);
  CHECK(c.response.body == "Too many open subscription streams");
  h.m.stream_closed(a.stream); // one closes: room again
  CHECK(h.subscribe(framework_info("d")).response.status == 200);
}

TEST_CASE("synthetic runtime: failure probability, sleep durations") {
  auto cfg = harness::default_config();
  cfg.synthetic.failure_probability = 1.0;
  harness h(cfg);
  auto agent = h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  auto sleeper = command_task("sleeper", agent);
  sleeper.command->value = "sleep 30";
  h.call(
    launch_call(s.framework, offer.id, {command_task("t", agent), sleeper}), s);
  std::map<std::string, pr::TaskStatus> last;
  for (int i = 0; i < 40; ++i) {
    h.advance(1s);
    for (auto& u : h.take_updates(s.stream)) {
      last[u.task_id.value] = u;
      h.call(ack_of(s.framework, u), s);
    }
    if (i == 25)
      CHECK(last["sleeper"].state == pr::task_state::running);
  }
  CHECK(last["t"].state == pr::task_state::failed);
  CHECK(last["t"].message == "Command exited with status 1");
  CHECK(last["sleeper"].state == pr::task_state::failed);
  CHECK(h.m.synthetic().live_tasks() == 0);
}
