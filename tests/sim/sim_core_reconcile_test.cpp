// RECONCILE (implicit and the six explicit cases of design.md §M13) and KILL.

#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

struct cluster {
  harness h;
  pr::AgentID agent;
  subscription s;
  pr::Offer offer;
  explicit cluster(pr::FrameworkInfo info = framework_info(),
                   task_runtime* runtime = nullptr)
    : h() {
    agent = h.add_agent(5051, runtime);
    s = h.subscribe(info);
    h.advance(0ms);
    offer = h.take_offers(s.stream).at(0);
  }
  // Launches `ids` on the first offer and ACKs until they run.
  void run(std::vector<std::string> ids) {
    std::vector<pr::TaskInfo> tasks;
    for (auto& id : ids) {
      tasks.push_back(command_task(id, agent));
      tasks.back().labels =
        pr::Labels{{{"outrigger.sim/duration_ms", "600000"}}};
    }
    h.call(launch_call(s.framework, offer.id, tasks), s);
    for (int i = 0; i < 2; ++i) {
      h.advance(10ms);
      for (auto& u : h.take_updates(s.stream))
        h.call(ack_of(s.framework, u), s);
    }
  }
  std::vector<pr::TaskStatus> reconcile(std::vector<pr::ReconcileTask> t) {
    CHECK(h.call(pr::make_reconcile(s.framework, std::move(t)), s).status ==
          202);
    return h.take_updates(s.stream);
  }
};

pr::ReconcileTask rt(std::string task, std::optional<std::string> agent = {}) {
  pr::ReconcileTask r;
  r.task_id.value = std::move(task);
  if (agent)
    r.agent_id = pr::AgentID{*agent};
  return r;
}

void check_reconciliation(const pr::TaskStatus& st) {
  CHECK(st.source == pr::status_source::master);
  CHECK(st.reason == pr::status_reason::reconciliation);
  CHECK_FALSE(st.uuid);
  CHECK(st.timestamp);
}

} // namespace

TEST_CASE("implicit reconciliation: the latest state of every active task") {
  cluster c;
  CHECK(c.reconcile({}).empty());
  c.run({"a", "b"});
  auto u = c.reconcile({});
  REQUIRE(u.size() == 2);
  for (auto& st : u) {
    check_reconciliation(st);
    CHECK(st.state == pr::task_state::running);
    CHECK(st.message == "Reconciliation: Latest task state");
    CHECK(st.agent_id == c.agent);
    CHECK_FALSE(st.executor_id); // command tasks: none (obs 22)
    CHECK(st.container_status->executor_pid);
  }
}

TEST_CASE("explicit reconciliation, case by case (obs 23, 72)") {
  bool pa = true;
  SUBCASE("PARTITION_AWARE") {}
  SUBCASE("legacy: TASK_LOST for every unknown task") {
    pa = false;
  }
  auto info = framework_info();
  if (!pa)
    info.capabilities.clear();
  cluster c(info);
  c.run({"known"});
  auto lost = pr::task_state::lost;
  auto u = c.reconcile({rt("known"), rt("task-does-not-exist"),
                        rt("task-does-not-exist-on-agent", c.agent.value),
                        rt("task-on-unknown-agent", "no-such-agent-S99")});
  REQUIRE(u.size() == 4);
  for (auto& st : u)
    check_reconciliation(st);
  CHECK(u[0].state == pr::task_state::running);
  CHECK(u[0].message == "Reconciliation: Latest task state");
  CHECK(u[1].state == (pa ? pr::task_state::unknown : lost));
  CHECK(u[1].message == "Reconciliation: Task is unknown");
  CHECK_FALSE(u[1].agent_id);
  CHECK(u[2].state == (pa ? pr::task_state::gone : lost));
  CHECK(u[2].message == "Reconciliation: Task is unknown to the agent");
  CHECK(u[2].agent_id == c.agent);
  CHECK(u[3].state == (pa ? pr::task_state::unknown : lost));
  CHECK(u[3].agent_id->value == "no-such-agent-S99"); // echoed
}

TEST_CASE("finished and acknowledged tasks are unknown (surprise 0.7)") {
  cluster c;
  c.h.call(launch_call(c.s.framework, c.offer.id, {command_task("t", c.agent)}),
           c.s);
  for (int i = 0; i < 4; ++i) {
    c.h.advance(1s);
    for (auto& u : c.h.take_updates(c.s.stream))
      c.h.call(ack_of(c.s.framework, u), c.s);
  }
  CHECK(c.h.m.task_count() == 0);
  auto u = c.reconcile({rt("t"), rt("t", c.agent.value)});
  REQUIRE(u.size() == 2);
  CHECK(u[0].state == pr::task_state::unknown);
  CHECK(u[1].state == pr::task_state::gone);
}

TEST_CASE("unreachable and gone agents") {
  cluster c;
  c.run({"t"});
  c.h.m.lose_agent(c.agent);
  c.h.pump();
  c.h.take(c.s.stream);
  auto u = c.reconcile({rt("t", c.agent.value), rt("t")});
  REQUIRE(u.size() == 2);
  CHECK(u[0].state == pr::task_state::unreachable);
  CHECK(u[0].message == "Reconciliation: Task is unreachable");
  CHECK(u[0].unreachable_time);
  CHECK(u[1].state == pr::task_state::unknown);
  CHECK(c.reconcile({}).empty()); // unreachable tasks are not "active"
  c.h.m.remove_agent(c.agent);
  c.h.pump();
  c.h.take(c.s.stream);
  u = c.reconcile({rt("t", c.agent.value)});
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::gone_by_operator);
  CHECK(u[0].message == "Reconciliation: Task is gone");
}

TEST_CASE("no answer while agents re-register after a master restart") {
  cluster c;
  c.run({"t"});
  c.h.m.restart();
  c.h.pump();
  CHECK(c.h.streams[c.s.stream].cut);
  auto info = framework_info();
  info.id = c.s.framework;
  c.s = c.h.subscribe(info);
  CHECK(c.s.framework == *info.id); // recovered under the same id
  CHECK(c.reconcile({rt("t"), rt("x", c.agent.value)}).empty());
  CHECK(c.reconcile({}).empty());
  c.h.advance(1s); // agent_reregistration_delay
  auto u = c.reconcile({rt("t"), rt("x", c.agent.value)});
  REQUIRE(u.size() == 2);
  CHECK(u[0].state == pr::task_state::running);
  CHECK(u[1].state == pr::task_state::gone);
  CHECK(c.reconcile({}).size() == 1);
}

TEST_CASE("KILL with TASK_KILLING_STATE: KILLING, then KILLED after the ACK") {
  cluster c;
  c.run({"task-sleep-1"});
  c.h.call(pr::make_kill(c.s.framework, pr::TaskID{"task-sleep-1"}), c.s);
  c.h.advance(0ms);
  auto u = c.h.take_updates(c.s.stream);
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::killing);
  CHECK(u[0].source == pr::status_source::executor);
  CHECK(u[0].uuid);
  c.h.advance(1s);
  CHECK(c.h.take_updates(c.s.stream).empty()); // KILLED waits for the ACK
  c.h.call(ack_of(c.s.framework, u[0]), c.s);
  u = c.h.take_updates(c.s.stream);
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::killed);
  CHECK(u[0].message == "Command terminated with signal Terminated");
}

TEST_CASE("KILL without TASK_KILLING_STATE goes straight to KILLED") {
  auto info = framework_info();
  info.capabilities = {{pr::framework_capability::partition_aware}};
  cluster c(info);
  c.run({"t"});
  c.h.call(pr::make_kill(c.s.framework, pr::TaskID{"t"}), c.s);
  c.h.advance(1s);
  auto u = c.h.take_updates(c.s.stream);
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::killed);
}

TEST_CASE("KILL of an unknown task is answered by reconciliation (obs 27)") {
  cluster c;
  c.h.call(pr::make_kill(c.s.framework, pr::TaskID{"task-never-launched"}),
           c.s);
  auto u = c.h.take_updates(c.s.stream);
  REQUIRE(u.size() == 1);
  check_reconciliation(u[0]);
  CHECK(u[0].state == pr::task_state::unknown);
  CHECK(u[0].message == "Reconciliation: Task is unknown");
}

TEST_CASE("KILL passes the grace period and capability to the runtime") {
  recording_runtime runtime;
  cluster c(framework_info(), &runtime);
  auto offer = c.offer;
  auto task = command_task("t", c.agent);
  pr::KillPolicy policy;
  policy.grace_period = pr::DurationInfo{7'000'000'000};
  SUBCASE("default: 3 s") {}
  SUBCASE("the task's kill policy") {
    task.kill_policy = policy;
  }
  c.h.call(launch_call(c.s.framework, offer.id, {task}), c.s);
  REQUIRE(runtime.launched.size() == 1);
  c.h.call(pr::make_kill(c.s.framework, pr::TaskID{"t"}), c.s);
  REQUIRE(runtime.kills.size() == 1);
  CHECK(runtime.kills[0].grace == (task.kill_policy
                                     ? std::chrono::milliseconds(7000)
                                     : std::chrono::milliseconds(3000)));
  CHECK(runtime.kills[0].killing_state);
  // The call's kill policy wins; a wrong agent id is silently ignored.
  pr::KillPolicy quick;
  quick.grace_period = pr::DurationInfo{1'000'000'000};
  c.h.call(pr::make_kill(c.s.framework, pr::TaskID{"t"}, c.agent, quick), c.s);
  REQUIRE(runtime.kills.size() == 2);
  CHECK(runtime.kills[1].grace == std::chrono::milliseconds(1000));
  c.h.call(pr::make_kill(c.s.framework, pr::TaskID{"t"}, pr::AgentID{"x"}),
           c.s);
  CHECK(runtime.kills.size() == 2);
  CHECK(c.h.take_updates(c.s.stream).empty());
}
