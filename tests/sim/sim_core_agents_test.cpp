// Agents: flag parsing, loss (partition and disconnect), return, removal,
// with the event sequences of transcripts2 item 4.

#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

// Two frameworks (PARTITION_AWARE and not) each running a long task on the
// same agent; a third framework with nothing there.
struct partitioned {
  harness h;
  pr::AgentID agent;
  subscription pa, legacy, bystander;
  explicit partitioned(std::string duration_ms = "600000") {
    agent = h.add_agent();
    pa = h.subscribe(framework_info("f4a"));
    auto info = framework_info("f4b");
    info.capabilities.clear();
    legacy = h.subscribe(info);
    h.advance(0ms);
    for (auto* s : {&pa, &legacy}) {
      auto offers = h.take_offers(s->stream);
      if (offers.empty()) {
        h.advance(1s);
        offers = h.take_offers(s->stream);
      }
      REQUIRE_FALSE(offers.empty());
      auto task = command_task(s == &pa ? "pa" : "legacy", agent);
      task.labels = pr::Labels{{{"outrigger.sim/duration_ms", duration_ms}}};
      // f4a keeps the rest of the agent away from itself for an hour, so
      // f4b ends up holding an offer (O22 of the recording).
      h.call(
        launch_call(s->framework, offers[0].id, {task}, s == &pa ? 3600 : 0),
        *s);
    }
    for (int i = 0; i < 2; ++i) {
      h.advance(10ms);
      for (auto* s : {&pa, &legacy})
        for (auto& u : h.take_updates(s->stream))
          h.call(ack_of(s->framework, u), *s);
    }
    bystander = h.subscribe(framework_info("f1"), {"*"}); // suppressed
    h.advance(2s); // the legacy framework now holds an offer of the rest
    for (auto* s : {&pa, &legacy, &bystander})
      h.take(s->stream);
  }
};

} // namespace

TEST_CASE("agent flags: resources and attributes") {
  auto r = parse_agent_resources(
    "cpus:2;mem:2048;disk:4096;ports:[31000-31099,32000-32099]");
  REQUIRE(r.ok());
  REQUIRE(r.value.size() == 4);
  CHECK(r.value[3].name == "ports");
  CHECK(r.value[3].ranges->range.size() == 2);
  CHECK(r.value[0].role == "*");
  auto defaults = parse_agent_resources("cpus(analytics):1");
  REQUIRE(defaults.ok());
  CHECK(defaults.value.size() == 4); // mem, disk, ports added
  CHECK(defaults.value[0].role == "analytics");
  CHECK_FALSE(parse_agent_resources("cpus:two").ok());
  CHECK_FALSE(parse_agent_resources("cpus").ok());

  auto a = parse_agent_attributes("rack:r1;zone:a;level:3.5;ids:[1-4];x:-1");
  REQUIRE(a.ok());
  REQUIRE(a.value.size() == 5);
  CHECK(a.value[0].type == pr::value_type::text);
  CHECK(a.value[2].type == pr::value_type::scalar);
  CHECK(a.value[2].scalar->value == 3.5);
  CHECK(a.value[3].type == pr::value_type::ranges);
  CHECK(a.value[4].type == pr::value_type::text); // negative → TEXT
  CHECK_FALSE(parse_agent_attributes("s:{a,b}").ok());
  CHECK_FALSE(parse_agent_attributes("nocolon").ok());

  harness h;
  agent_spec bad;
  bad.resources = "cpus:[1-2";
  CHECK_THROWS_AS(h.m.add_agent(bad), std::invalid_argument);
  auto id = h.add_agent();
  CHECK(id.value == h.m.info().id + "-S0");
  CHECK(h.add_agent(5052).value == h.m.info().id + "-S1");
}

TEST_CASE("partition: UNREACHABLE / LOST, RESCIND, FAILURE to everyone") {
  partitioned p;
  p.h.m.lose_agent(p.agent);
  p.h.pump();
  auto pa = p.h.take(p.pa.stream);
  REQUIRE(pa.size() == 2);
  auto& u = pa[0].update->status;
  CHECK(u.state == pr::task_state::unreachable);
  CHECK(u.reason == pr::status_reason::agent_removed);
  CHECK(u.message == "health check timed out");
  CHECK(u.source == pr::status_source::master);
  CHECK(u.unreachable_time);
  CHECK_FALSE(u.uuid);
  CHECK_FALSE(u.container_status);
  CHECK(pa[1].type == pr::event_type::failure);
  CHECK(pa[1].failure->agent_id == p.agent);

  // Order as recorded: UPDATE, RESCIND (the legacy framework's offer),
  // FAILURE.
  auto legacy = p.h.take(p.legacy.stream);
  REQUIRE(legacy.size() == 3);
  CHECK(legacy[0].update->status.state == pr::task_state::lost);
  CHECK(legacy[0].update->status.unreachable_time);
  CHECK(legacy[1].type == pr::event_type::rescind);
  CHECK(legacy[2].type == pr::event_type::failure);

  auto bystander = p.h.take(p.bystander.stream);
  REQUIRE(bystander.size() == 1);
  CHECK(bystander[0].type == pr::event_type::failure);
  CHECK(p.h.m.metric("master/slaves_unreachable") == 1);
  auto state = json::parse(p.h.get("/master/state").body);
  CHECK(state["unreachable_slaves"] == 1);
  CHECK(state["slaves"].empty());
}

TEST_CASE("return: TASK_RUNNING to both, REASON_AGENT_REREGISTERED") {
  partitioned p;
  p.h.m.lose_agent(p.agent);
  p.h.pump();
  p.h.advance(12s);
  for (auto* s : {&p.pa, &p.legacy, &p.bystander})
    p.h.take(s->stream);
  p.h.m.return_agent(p.agent);
  p.h.pump();
  for (auto* s : {&p.pa, &p.legacy}) {
    auto u = p.h.take_updates(s->stream);
    REQUIRE(u.size() == 1);
    CHECK(u[0].state == pr::task_state::running);
    CHECK(u[0].reason == pr::status_reason::agent_reregistered);
    CHECK(u[0].message == "Unreachable agent re-reregistered"); // (sic)
    CHECK(u[0].container_status);
    CHECK_FALSE(u[0].uuid);
  }
  CHECK(p.h.take_updates(p.bystander.stream).empty());
  p.h.advance(1s);
  CHECK(p.h.m.tasks_in_state(pr::task_state::running) == 2);
  CHECK(p.h.m.offer_count() >= 1); // the agent is offered again
}

TEST_CASE("updates made during a partition arrive after the return") {
  partitioned p("5000"); // the tasks end about 3 s into the partition
  p.h.m.lose_agent(p.agent);
  p.h.pump();
  p.h.take(p.pa.stream);
  p.h.advance(10s);
  CHECK(p.h.take_updates(p.pa.stream).empty()); // the agent cannot report
  p.h.m.return_agent(p.agent);
  p.h.pump();
  auto u = p.h.take_updates(p.pa.stream);
  REQUIRE(u.size() == 2);
  // The re-registration reports the agent's latest state, then the paused
  // status update stream resumes with the executor's update.
  CHECK(u[0].reason == pr::status_reason::agent_reregistered);
  CHECK(u[0].state == pr::task_state::finished);
  CHECK_FALSE(u[0].uuid);
  CHECK(u[1].state == pr::task_state::finished);
  CHECK(u[1].source == pr::status_source::executor);
  CHECK(u[1].uuid);
  p.h.call(ack_of(p.pa.framework, u[1]), p.pa);
  CHECK(p.h.m.tasks_in_state(pr::task_state::finished) == 1); // legacy's
}

TEST_CASE("an agent back without its tasks: TASK_GONE on reconciliation") {
  partitioned p;
  p.h.m.lose_agent(p.agent);
  p.h.pump();
  p.h.m.return_agent(p.agent, true);
  p.h.pump();
  p.h.take(p.pa.stream);
  CHECK(p.h.m.task_count() == 0);
  pr::ReconcileTask rt{pr::TaskID{"pa"}, p.agent};
  p.h.call(pr::make_reconcile(p.pa.framework, {rt}), p.pa);
  auto u = p.h.take_updates(p.pa.stream);
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::gone);
  CHECK(u[0].message == "Reconciliation: Task is unknown to the agent");
}

TEST_CASE("MARK_AGENT_GONE: GONE_BY_OPERATOR / LOST, RESCIND, FAILURE") {
  partitioned p;
  p.h.m.remove_agent(p.agent);
  p.h.pump();
  auto pa = p.h.take(p.pa.stream);
  REQUIRE(pa.size() == 2);
  CHECK(pa[0].update->status.state == pr::task_state::gone_by_operator);
  CHECK(pa[0].update->status.reason ==
        pr::status_reason::agent_removed_by_operator);
  CHECK(pa[0].update->status.message == "Agent has been marked gone");
  CHECK(pa[1].type == pr::event_type::failure);
  auto legacy = p.h.take(p.legacy.stream);
  REQUIRE(legacy.size() == 3);
  CHECK(legacy[0].update->status.state == pr::task_state::lost);
  CHECK(legacy[0].update->status.reason == pr::status_reason::agent_removed);
  CHECK(legacy[1].type == pr::event_type::rescind);
  CHECK(p.h.m.task_count() == 0);
  p.h.m.return_agent(p.agent);
  p.h.pump(); // gone agents never come back
  CHECK(p.h.take(p.pa.stream).empty());
}

TEST_CASE("a crashed agent: tasks of non-checkpointing frameworks are LOST") {
  recording_runtime runtime;
  harness h;
  auto agent = h.add_agent(5051, &runtime);
  auto info = framework_info("f4c"); // PARTITION_AWARE, checkpoint unset
  auto s = h.subscribe(info);
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}), s);
  h.m.lose_agent(agent, agent_loss::disconnected);
  h.pump();
  auto u = h.take_updates(s.stream);
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::lost);
  CHECK(u[0].reason == pr::status_reason::agent_disconnected);
  CHECK(u[0].message == "Agent localhost disconnected");
  REQUIRE(runtime.shutdowns.size() == 1);
}
