// Failover between two master objects: the leader dies and hands its agents
// over (master::hand_over_agents), the next leader adopts them
// (master::adopt_agents); tasks keep running, the framework resubscribes
// under its id to the new master, as recorded in mesos-wire transcripts
// 110-122 (leader 5050 killed, standby 5052 elected, fw5's `sleep` still
// TASK_RUNNING there).

#include "sim_test_support.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

master_config seeded(std::uint64_t seed) {
  auto c = harness::default_config();
  c.seed = seed;
  return c;
}

// A framework with a 600 s task running (STARTING and RUNNING acked) on an
// agent of `h`'s master, on the master's built-in synthetic runtime.
struct running_task {
  pr::AgentID agent;
  subscription s;
  explicit running_task(harness& h) {
    agent = h.add_agent();
    s = h.subscribe(framework_info("fw5"));
    h.advance(0ms);
    auto offer = h.take_offers(s.stream).at(0);
    auto task = command_task("sleep-600", agent);
    task.command->value = "sleep 600";
    h.call(launch_call(s.framework, offer.id, {task}), s);
    for (int i = 0; i < 2; ++i) {
      h.advance(10ms);
      for (auto& u : h.take_updates(s.stream))
        h.call(ack_of(s.framework, u), s);
    }
    REQUIRE(h.m.tasks_in_state(pr::task_state::running) == 1);
  }
};

pr::Call explicit_reconcile(const pr::FrameworkID& fw, const pr::AgentID& a) {
  return pr::make_reconcile(fw,
                            {pr::ReconcileTask{pr::TaskID{"sleep-600"}, a}});
}

} // namespace

TEST_CASE("handoff: the dying master cuts its streams and becomes a husk") {
  harness a(seeded(1));
  running_task t(a);
  auto handoff = a.m.hand_over_agents();
  a.pump();
  CHECK(a.streams[t.s.stream].cut);
  CHECK(handoff.agent_count() == 1);
  CHECK(handoff.task_count() == 1);
  CHECK_FALSE(a.m.elected());
  CHECK(a.m.agents().empty());
  CHECK(a.m.task_count() == 0);
  CHECK(a.m.framework_count() == 0);
  CHECK_FALSE(a.m.next_deadline()); // nothing left to do
  auto r = a.post(pr::to_json(pr::make_revive(t.s.framework)), t.s.stream_uuid);
  CHECK(r.status == 503);
  CHECK(r.body == "No leader elected");
}

TEST_CASE("handoff: the next leader learns the agents and their running "
          "task - the framework resubscribes under its id") {
  harness a(seeded(1));
  running_task t(a);
  auto handoff = a.m.hand_over_agents();
  harness b(seeded(2));
  REQUIRE(b.m.info().id != a.m.info().id);
  b.m.adopt_agents(std::move(handoff));

  auto agents = b.m.agents();
  REQUIRE(agents.size() == 1);
  CHECK(agents[0].id == t.agent); // agents keep their ids
  CHECK(agents[0].status == "recovering");

  auto info = framework_info("fw5");
  info.id = t.s.framework;
  auto again = b.subscribe(info);
  auto events = b.take(again.stream);
  REQUIRE_FALSE(events.empty());
  CHECK(events[0].subscribed->framework_id == t.s.framework);
  CHECK(events[0].subscribed->master_info->id == b.m.info().id);

  // While the agent re-registers the master does not answer (design.md §M13).
  b.call(explicit_reconcile(t.s.framework, t.agent), again);
  CHECK(b.take_updates(again.stream).empty());

  b.advance(1s); // agent_reregistration_delay
  CHECK(b.m.agents()[0].status == "active");
  CHECK(b.m.tasks_in_state(pr::task_state::running) == 1);
  b.call(explicit_reconcile(t.s.framework, t.agent), again);
  auto updates = b.take_updates(again.stream);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].state == pr::task_state::running);
  CHECK(updates[0].message == "Reconciliation: Latest task state");
  // Implicit reconciliation sees it too (transcripts 117).
  b.call(pr::make_reconcile(t.s.framework, {}), again);
  CHECK(b.take_updates(again.stream).size() == 1);

  // The task goes on running on the new master's clock and ends there.
  b.advance(600s);
  updates = b.take_updates(again.stream);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].state == pr::task_state::finished);
  CHECK(updates[0].uuid.has_value());
  b.call(ack_of(t.s.framework, updates[0]), again);
  CHECK(b.m.task_count() == 0);
}

TEST_CASE("handoff: a framework that resubscribes after the agents came "
          "back gets its pending update") {
  harness a(seeded(1));
  running_task t(a);
  auto handoff = a.m.hand_over_agents();
  // A report made while no master hosts the agent waits with its time.
  auto when = t0() + 5s;
  handoff.set_clock([when] { return when; });
  handoff.listener().on_task_state(
    t.agent, t.s.framework, pr::TaskID{"sleep-600"}, pr::task_state::failed,
    "Command exited with status 1", {});
  CHECK(handoff.report_count() == 1);
  harness b(seeded(2));
  b.m.adopt_agents(std::move(handoff));
  b.advance(2s); // re-registered: the framework is recovered from the agent
  CHECK(b.m.framework_count() == 1);

  auto info = framework_info("fw5");
  info.id = t.s.framework;
  auto again = b.subscribe(info);
  auto updates = b.take_updates(again.stream);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].state == pr::task_state::failed);
  CHECK(updates[0].message == "Command exited with status 1");
  REQUIRE(updates[0].timestamp);
  CHECK(
    std::abs(*updates[0].timestamp -
             std::chrono::duration<double>(when.time_since_epoch()).count()) <
    1e-3);
  b.call(ack_of(t.s.framework, updates[0]), again);
  CHECK(b.m.task_count() == 0);
}

TEST_CASE("handoff: an unreachable agent stays unreachable and can return") {
  harness a(seeded(1));
  running_task t(a);
  a.m.lose_agent(t.agent);
  harness b(seeded(2));
  b.m.adopt_agents(a.m.hand_over_agents());
  b.advance(2s);
  REQUIRE(b.m.agents().size() == 1);
  CHECK(b.m.agents()[0].status == "unreachable");
  auto info = framework_info("fw5");
  info.id = t.s.framework;
  auto again = b.subscribe(info);
  b.take(again.stream);
  b.m.return_agent(t.agent);
  b.pump();
  auto updates = b.take_updates(again.stream);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].state == pr::task_state::running);
  CHECK(updates[0].reason == pr::status_reason::agent_reregistered);
}

TEST_CASE("handoff: an empty handoff changes nothing") {
  harness b(seeded(2));
  b.m.adopt_agents(agent_handoff{});
  CHECK(b.m.agents().empty());
  agent_handoff moved_from;
  auto other = std::move(moved_from);
  CHECK(moved_from.agent_count() == 0); // a moved-from handoff is empty
  CHECK(other.agent_count() == 0);
}
