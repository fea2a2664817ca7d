// SUBSCRIBE and the framework lifecycle: first events against the recorded
// stream, heartbeats, failover, disconnection, failover timeout, TEARDOWN.

#include "sim/uuid.hpp"
#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

TEST_CASE("first events match the recorded stream field by field") {
  auto recorded = recorded_records("transcripts/10-subscribe-stream1");
  if (!recorded)
    return;
  harness h;
  h.add_agent(5051);
  auto s = h.subscribe(framework_info());
  h.advance(0ms); // the allocation run dispatched by the subscription
  auto& ours = h.streams[s.stream].records;
  REQUIRE(ours.size() >= 3);
  for (std::size_t i = 0; i < 3; ++i) {
    auto expected = normalized(json::parse((*recorded)[i]));
    auto actual = normalized(json::parse(ours[i]));
    auto diff = json_diff(expected, actual);
    INFO("record " << i << ": " << ours[i]);
    for (auto& d : diff)
      INFO(d);
    CHECK(diff.empty());
  }
}

TEST_CASE("SUBSCRIBE answers 200 with a fresh uuid4 stream id per stream") {
  harness h;
  auto a = h.subscribe(framework_info("a"));
  auto b = h.subscribe(framework_info("b"));
  CHECK(a.response.status == 200);
  CHECK(header(a.response, "Content-Type") == "application/json");
  CHECK(is_uuid4_text(a.stream_uuid));
  CHECK(is_uuid4_text(b.stream_uuid));
  CHECK(a.stream_uuid != b.stream_uuid);
  CHECK(a.framework.value == h.m.info().id + "-0000");
  CHECK(b.framework.value == h.m.info().id + "-0001");
  auto events = h.take(a.stream);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == pr::event_type::subscribed);
  CHECK(events[0].subscribed->heartbeat_interval_seconds == 15.0);
  CHECK(events[0].subscribed->master_info->id == h.m.info().id);
  CHECK(events[1].type == pr::event_type::heartbeat);
}

TEST_CASE("HEARTBEAT every interval - pause and resume") {
  auto cfg = harness::default_config();
  SUBCASE("default 15 s") {}
  SUBCASE("configured 5 s") {
    cfg.heartbeat_interval = 5s;
  }
  harness h(cfg);
  auto s = h.subscribe(framework_info());
  auto step = cfg.heartbeat_interval;
  h.take(s.stream);
  h.advance(step - 1ms);
  CHECK(h.take(s.stream, pr::event_type::heartbeat).empty());
  h.advance(1ms);
  CHECK(h.take(s.stream, pr::event_type::heartbeat).size() == 1);
  h.advance(step * 3);
  CHECK(h.take(s.stream, pr::event_type::heartbeat).size() == 3);
  h.m.pause_heartbeats();
  h.advance(step * 4);
  CHECK(h.take(s.stream, pr::event_type::heartbeat).empty());
  CHECK_FALSE(h.streams[s.stream].ended);
  h.m.resume_heartbeats();
  h.advance(step);
  CHECK(h.take(s.stream, pr::event_type::heartbeat).size() == 1);
}

TEST_CASE("resubscribe while connected fails the old stream over") {
  harness h;
  h.add_agent();
  auto first = h.subscribe(framework_info());
  h.advance(0ms);
  auto offers = h.take_offers(first.stream);
  REQUIRE(offers.size() == 1);
  h.take(first.stream); // SUBSCRIBED, HEARTBEAT

  auto info = framework_info();
  info.id = first.framework;
  auto second = h.subscribe(info);
  CHECK(second.framework == first.framework);
  CHECK(second.stream_uuid != first.stream_uuid);
  // Old stream: ERROR "Framework failed over", then the end; no RESCIND.
  auto old_events = h.take(first.stream);
  REQUIRE(old_events.size() == 1);
  CHECK(old_events[0].type == pr::event_type::error);
  CHECK(old_events[0].error->message == "Framework failed over");
  CHECK(h.streams[first.stream].ended);
  // New stream: SUBSCRIBED, HEARTBEAT, then a fresh offer.
  h.advance(1s);
  auto fresh = h.take_offers(second.stream);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].id != offers[0].id);
  // The old stream id is refused (obs 59), the old offer is gone.
  auto r = h.call(pr::make_revive(first.framework), first);
  CHECK(r.status == 400);
  CHECK(r.body.find("didn't match the stream ID") != std::string::npos);
  h.call(launch_call(second.framework, offers[0].id,
                     {command_task("t", offers[0].agent_id)}),
         second);
  auto lost = h.take_updates(second.stream);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].state == pr::task_state::dropped);
}

TEST_CASE("disconnect: 403 until resubscribed, tasks kept") {
  harness h;
  auto agent = h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
  h.advance(1s);
  CHECK(h.m.tasks_in_state(pr::task_state::starting) == 1);
  h.m.stream_closed(s.stream);
  auto r = h.call(pr::make_revive(s.framework), s);
  CHECK(r.status == 403);
  CHECK(r.body == "Framework is not subscribed");
  h.advance(1800s); // within failover_timeout 3600
  auto info = framework_info();
  info.id = s.framework;
  auto again = h.subscribe(info);
  CHECK(again.framework == s.framework);
  CHECK(h.m.task_count() == 1);
  // The unacknowledged STARTING is resent at once on the new stream.
  auto updates = h.take_updates(again.stream);
  REQUIRE_FALSE(updates.empty());
  CHECK(updates[0].state == pr::task_state::starting);
  CHECK(h.call(pr::make_revive(s.framework), again).status == 202);
}

TEST_CASE("failover timeout expiry removes the framework and its tasks") {
  recording_runtime runtime;
  harness h;
  auto agent = h.add_agent(5051, &runtime);
  auto info = framework_info();
  info.failover_timeout = 5;
  auto s = h.subscribe(info);
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
  REQUIRE(runtime.launched.size() == 1);
  h.m.stream_closed(s.stream);
  h.advance(4999ms);
  CHECK(h.m.framework_count() == 1);
  CHECK(runtime.shutdowns.empty());
  h.advance(1ms);
  CHECK(h.m.framework_count() == 0);
  REQUIRE(runtime.shutdowns.size() == 1);
  CHECK(runtime.shutdowns[0].second == s.framework);
  auto r = h.call(pr::make_revive(s.framework), s);
  CHECK(r.status == 400);
  CHECK(r.body == "Framework cannot be found");
  // Re-SUBSCRIBE: 200, fresh stream id, one ERROR, end (obs 75).
  info.id = s.framework;
  auto again = h.subscribe(info);
  CHECK(again.response.status == 200);
  CHECK(is_uuid4_text(again.stream_uuid));
  auto& st = h.streams[again.stream];
  REQUIRE(st.records.size() == 1);
  CHECK(st.records[0] ==
        R"({"type":"ERROR","error":{"message":"Framework has been removed"}})");
  CHECK(st.ended);
}

TEST_CASE("failover_timeout 0 (the Mesos default) removes at once") {
  harness h;
  auto s = h.subscribe(legacy_framework_info());
  h.m.stream_closed(s.stream);
  CHECK(h.m.framework_count() == 0);
  CHECK(h.m.completed_framework_count() == 1);
  CHECK(h.call(pr::make_revive(s.framework), s).status == 400);
}

TEST_CASE("TEARDOWN ends the stream with no event and kills in state only") {
  recording_runtime runtime;
  harness h;
  auto agent = h.add_agent(5051, &runtime);
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
  h.take(s.stream);
  auto r = h.call(pr::make_teardown(s.framework), s);
  CHECK(r.status == 202);
  CHECK(r.body.empty());
  CHECK(h.take(s.stream).empty());
  CHECK(h.streams[s.stream].ended);
  CHECK_FALSE(h.streams[s.stream].cut);
  REQUIRE(runtime.shutdowns.size() == 1);
  auto state = json::parse(h.get("/master/state").body);
  auto& done = state["completed_frameworks"];
  REQUIRE(done.size() == 1);
  CHECK(done[0]["completed_tasks"][0]["state"] == "TASK_KILLED");
  CHECK(h.call(pr::make_revive(s.framework), s).body ==
        "Framework cannot be found");
  auto info = framework_info();
  info.id = s.framework;
  auto again = h.subscribe(info);
  REQUIRE(h.streams[again.stream].events.size() == 1);
  CHECK(h.streams[again.stream].events[0].error->message ==
        "Framework has been removed");
}

TEST_CASE("refused subscriptions are an ERROR inside a 200 stream") {
  harness h;
  auto info = framework_info();
  std::string expected;
  SUBCASE("roles without MULTI_ROLE") {
    info.roles = {"analytics"};
    expected = "'FrameworkInfo.roles' must not be set when the framework is "
               "not MULTI_ROLE capable";
  }
  SUBCASE("suppressed role not subscribed") {
    info.role = "batch";
    expected = "Suppressed roles { nosuchrole } are not contained in the set "
               "of roles";
  }
  SUBCASE("invalid role") {
    info.role = "a b";
    expected = "'FrameworkInfo.role' is not a valid role: Role component "
               "'a b' is invalid because it contains backspace or whitespace";
  }
  auto s = h.subscribe(info, expected.find("Suppressed") == 0
                               ? std::vector<std::string>{"nosuchrole"}
                               : std::vector<std::string>{});
  CHECK(s.response.status == 200);
  auto& st = h.streams[s.stream];
  REQUIRE(st.events.size() == 1);
  CHECK(st.events[0].error->message == expected);
  CHECK(st.ended);
  CHECK(h.m.framework_count() == 0);
}

TEST_CASE("an id unknown to this master is re-created (recoverFramework)") {
  harness h;
  auto info = framework_info();
  info.id = pr::FrameworkID{"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"};
  auto s = h.subscribe(info);
  CHECK(s.framework == *info.id);
  CHECK(h.take(s.stream).at(0).type == pr::event_type::subscribed);
  CHECK(h.call(pr::make_revive(s.framework), s).status == 202);
}

TEST_CASE("bounds: maximum frameworks") {
  auto cfg = harness::default_config();
  cfg.max_frameworks = 2;
  harness h(cfg);
  h.subscribe(framework_info("a"));
  h.subscribe(framework_info("b"));
  auto c = h.subscribe(framework_info("c"));
  REQUIRE(h.streams[c.stream].events.size() == 1);
  CHECK(h.streams[c.stream].events[0].error->message.find(
          "Too many frameworks") == 0);
  CHECK(h.m.framework_count() == 2);
}
