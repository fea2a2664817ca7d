// ACCEPT with LAUNCH / LAUNCH_GROUP: validation messages, the executor's
// updates, ACK-gated ordered delivery and the retry schedule.

#include "sim/uuid.hpp"
#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

// A subscribed framework holding one offer of the recorded agent.
struct launched {
  harness h;
  pr::AgentID agent;
  subscription s;
  pr::Offer offer;
  explicit launched(pr::FrameworkInfo info = framework_info(),
                    master_config cfg = harness::default_config())
    : h(cfg) {
    agent = h.add_agent();
    s = h.subscribe(info);
    h.advance(0ms);
    offer = h.take_offers(s.stream).at(0);
  }
  void accept(std::vector<pr::TaskInfo> tasks) {
    CHECK(
      h.call(launch_call(s.framework, offer.id, std::move(tasks)), s).status ==
      202);
  }
  std::vector<pr::TaskStatus> updates() { return h.take_updates(s.stream); }
};

} // namespace

TEST_CASE("happy path: STARTING, RUNNING, FINISHED, each after the ACK") {
  launched l;
  l.accept({command_task("task-echo-1", l.agent)});
  l.h.advance(10ms); // the executor's TASK_STARTING
  auto u = l.updates();
  REQUIRE(u.size() == 1);
  auto st = u[0];
  CHECK(st.state == pr::task_state::starting);
  CHECK(st.source == pr::status_source::executor);
  CHECK_FALSE(st.message);
  CHECK_FALSE(st.reason);
  CHECK(st.agent_id == l.agent);
  CHECK(st.executor_id->value == "task-echo-1");
  REQUIRE(st.uuid);
  CHECK(is_uuid4_raw(st.uuid->data));
  CHECK(
    st.timestamp ==
    std::chrono::duration<double>((t0() + 10ms).time_since_epoch()).count());
  REQUIRE(st.container_status);
  CHECK(is_uuid4_text(st.container_status->container_id->value));
  CHECK(
    st.container_status->network_infos.at(0).ip_addresses.at(0).ip_address ==
    "127.0.0.1");
  CHECK(st.container_status->executor_pid);

  // RUNNING and FINISHED happen meanwhile but wait for the ACK.
  l.h.advance(5s);
  CHECK(l.updates().empty());
  // The master already records the agent's latest state (transcripts2 65).
  l.h.call(ack_of(l.s.framework, st), l.s);
  CHECK(l.h.m.tasks_in_state(pr::task_state::finished) == 1);
  u = l.updates();
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::running);
  CHECK(u[0].uuid != st.uuid);
  CHECK(u[0].container_status->container_id ==
        st.container_status->container_id);
  l.h.call(ack_of(l.s.framework, u[0]), l.s);
  u = l.updates();
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::finished);
  CHECK(u[0].message == "Command exited with status 0");
  CHECK(l.h.m.task_count() == 1);
  l.h.call(ack_of(l.s.framework, u[0]), l.s);
  CHECK(l.h.m.task_count() == 0); // ACK of the terminal update removes it
  auto state = json::parse(l.h.get("/master/state").body);
  auto& fw = state["frameworks"][0];
  CHECK(fw["tasks"].empty());
  CHECK(fw["completed_tasks"][0]["state"] == "TASK_FINISHED");
  CHECK(fw["completed_tasks"][0]["statuses"].size() == 3);
}

TEST_CASE("unacknowledged updates are resent after 10, 20, 40 s ...") {
  auto cfg = harness::default_config();
  std::vector<int> gaps{10, 20, 40, 80, 160, 320, 600, 600};
  SUBCASE("default: doubling, capped at 10 min") {}
  SUBCASE("configured cap") {
    cfg.status_update_retry_max = 40s;
    gaps = {10, 20, 40, 40, 40};
  }
  launched l(framework_info(), cfg);
  l.accept({command_task("t", l.agent)});
  l.h.advance(10ms);
  auto first = l.h.streams[l.s.stream].records.back();
  REQUIRE(l.updates().size() == 1);
  for (auto gap : gaps) {
    l.h.advance(std::chrono::seconds(gap) - 1ms);
    CHECK(l.updates().empty());
    l.h.advance(1ms);
    auto again = l.updates();
    REQUIRE(again.size() == 1);
    CHECK(again[0].state == pr::task_state::starting);
    CHECK(l.h.streams[l.s.stream].records.back() == first); // byte-identical
  }
}

TEST_CASE("duplicate and stale ACKs are ignored") {
  launched l;
  l.accept({command_task("t", l.agent)});
  l.h.advance(10ms);
  auto starting = l.updates().at(0);
  l.h.call(ack_of(l.s.framework, starting), l.s);
  l.h.advance(10ms); // TASK_RUNNING happens 10 ms after TASK_STARTING
  auto running = l.updates().at(0);
  CHECK(l.h.call(ack_of(l.s.framework, starting), l.s).status == 202);
  CHECK(l.updates().empty());
  auto bogus = running;
  bogus.uuid = pr::Bytes{std::string(16, '\x42')};
  l.h.call(ack_of(l.s.framework, bogus), l.s);
  CHECK(l.updates().empty());
  l.h.call(ack_of(l.s.framework, running), l.s);
  l.h.advance(2s);
  CHECK(l.updates().at(0).state == pr::task_state::finished);
}

TEST_CASE("invalid offers: TASK_DROPPED or TASK_LOST, no uuid (obs 17, 71)") {
  bool pa = true;
  SUBCASE("PARTITION_AWARE") {}
  SUBCASE("legacy") {
    pa = false;
  }
  auto info = framework_info();
  if (!pa)
    info.capabilities.clear();
  launched l(info);
  pr::OfferID gone{"no-such-offer"};
  auto c = pr::make_accept(l.s.framework, {l.offer.id, gone},
                           {pr::make_launch({command_task("t", l.agent)})});
  l.h.call(c, l.s);
  auto u = l.updates();
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == (pa ? pr::task_state::dropped : pr::task_state::lost));
  CHECK(u[0].message ==
        "Task launched with invalid offers: Offer no-such-offer is no longer "
        "valid");
  CHECK(u[0].source == pr::status_source::master);
  CHECK(u[0].reason == pr::status_reason::invalid_offers);
  CHECK(u[0].agent_id == l.agent);
  CHECK_FALSE(u[0].uuid);
  CHECK_FALSE(pr::acknowledgement_for(l.s.framework, u[0]));
  CHECK(l.h.m.offer_count() == 0); // the valid offer was discarded too

  l.h.call(pr::make_accept(l.s.framework, {},
                           {pr::make_launch({command_task("t2", l.agent)})}),
           l.s);
  CHECK(l.updates().at(0).message ==
        "Task launched with invalid offers: No offers specified");
}

TEST_CASE("offers of two agents cannot be combined") {
  harness h;
  auto a1 = h.add_agent(5081);
  h.add_agent(5082);
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offers = h.take_offers(s.stream);
  REQUIRE(offers.size() == 2);
  h.call(pr::make_accept(s.framework, {offers[0].id, offers[1].id},
                         {pr::make_launch({command_task("t", a1)})}),
         s);
  auto u = h.take_updates(s.stream).at(0);
  CHECK(u.message == "Task launched with invalid offers: Aggregated offers "
                     "must belong to one single agent. Offer " +
                       offers[1].id.value + " uses agent " +
                       offers[1].agent_id.value + " and agent " +
                       offers[0].agent_id.value);
}

TEST_CASE("TASK_ERROR with the master's messages (obs 18)") {
  launched l;
  pr::TaskInfo task = command_task("task-too-big", l.agent, 100, 32);
  std::string expected =
    "Total resources cpus(allocated: *):100; mem(allocated: *):32 required "
    "by task and its executor is more than available ports(allocated: "
    "*):[31000-32000]; cpus(allocated: *):2; mem(allocated: *):2048; "
    "disk(allocated: *):4096";
  SUBCASE("asks more than offered") {}
  SUBCASE("neither command nor executor") {
    task = command_task("t", l.agent);
    task.command.reset();
    expected = "Task should have at least one (but not both) of CommandInfo "
               "or ExecutorInfo present";
  }
  SUBCASE("invalid resource") {
    task = command_task("t", l.agent, -1);
    expected = "Invalid scalar resource: value <= 0";
  }
  SUBCASE("wrong agent") {
    task = command_task("t", pr::AgentID{"S9"});
    expected = "Task uses invalid agent S9 while agent " + l.agent.value +
               " is expected";
  }
  SUBCASE("invalid id") {
    task = command_task("a/b", l.agent);
    expected = "'a/b' contains invalid characters";
  }
  l.accept({task});
  auto u = l.updates();
  REQUIRE(u.size() == 1);
  CHECK(u[0].state == pr::task_state::error);
  CHECK(u[0].reason == pr::status_reason::task_invalid);
  CHECK(u[0].source == pr::status_source::master);
  CHECK(u[0].message == expected);
  CHECK_FALSE(u[0].uuid);
  CHECK(l.h.m.task_count() == 0);
}

TEST_CASE("a task id in use gets TASK_ERROR - the rest of the ACCEPT runs") {
  launched l;
  l.accept({command_task("t", l.agent), command_task("t", l.agent),
            command_task("u", l.agent)});
  auto u = l.updates();
  REQUIRE(u.size() == 1);
  CHECK(u[0].message == "Task has duplicate ID: t");
  CHECK(l.h.m.task_count() == 2);
}

TEST_CASE("tasks beyond the per-agent bound get TASK_ERROR") {
  auto cfg = harness::default_config();
  cfg.max_tasks_per_agent = 2;
  launched l(framework_info(), cfg);
  l.accept({command_task("a", l.agent), command_task("b", l.agent),
            command_task("c", l.agent)});
  auto u = l.updates();
  REQUIRE(u.size() == 1);
  CHECK(u[0].task_id.value == "c");
  CHECK(u[0].state == pr::task_state::error);
}

TEST_CASE("a non-zero exit ends TASK_FAILED") {
  launched l;
  auto task = command_task("t", l.agent);
  task.labels = pr::Labels{{{"outrigger.sim/exit_code", "2"}}};
  l.accept({task});
  for (int i = 0; i < 3; ++i) {
    l.h.advance(2s);
    for (auto& u : l.updates()) {
      if (u.state == pr::task_state::failed)
        CHECK(u.message == "Command exited with status 2");
      l.h.call(ack_of(l.s.framework, u), l.s);
    }
  }
  CHECK(l.h.m.metric("master/tasks_failed") == 1);
  CHECK(l.h.m.task_count() == 0);
}

TEST_CASE("LAUNCH_GROUP: executor id, nested containers, FAILURE at exit") {
  launched l;
  pr::ExecutorInfo exec;
  exec.type = pr::executor_type::default_;
  exec.executor_id.value = "default-exec-1";
  exec.framework_id = l.s.framework;
  exec.resources = {pr::scalar_resource("cpus", 0.1),
                    pr::scalar_resource("mem", 32),
                    pr::scalar_resource("disk", 32)};
  pr::TaskGroupInfo group;
  group.tasks = {command_task("group-sleep-2", l.agent),
                 command_task("group-echo-hi", l.agent)};
  SUBCASE("valid") {
    l.h.call(pr::make_accept(l.s.framework, {l.offer.id},
                             {pr::make_launch_group(exec, group)}),
             l.s);
    std::set<std::string> finished;
    bool failure = false;
    for (int i = 0; i < 4; ++i) {
      l.h.advance(1s);
      for (auto& e : l.h.take(l.s.stream)) {
        if (e.type == pr::event_type::failure) {
          failure = true;
          CHECK(e.failure->executor_id->value == "default-exec-1");
          CHECK(e.failure->status == 0);
          CHECK(finished.size() == 2);
        }
        if (e.type != pr::event_type::update)
          continue;
        auto& st = e.update->status;
        CHECK(st.executor_id->value == "default-exec-1");
        REQUIRE(st.container_status->container_id->parent.size() == 1);
        bool running = st.state == pr::task_state::running;
        CHECK(st.container_status->executor_pid.has_value() == running);
        if (st.state == pr::task_state::finished)
          finished.insert(st.task_id.value);
        l.h.call(ack_of(l.s.framework, st), l.s);
      }
    }
    CHECK(finished.size() == 2);
    CHECK(failure);
  }
  SUBCASE("executor without disk") {
    exec.resources.pop_back();
    l.h.call(pr::make_accept(l.s.framework, {l.offer.id},
                             {pr::make_launch_group(exec, group)}),
             l.s);
    auto u = l.updates();
    REQUIRE(u.size() == 2);
    for (auto& st : u) {
      CHECK(st.state == pr::task_state::error);
      CHECK(st.reason == pr::status_reason::task_group_invalid);
      CHECK(st.message == "Executor 'default-exec-1' uses no disk");
    }
  }
}

TEST_CASE("UPDATE records match the recorded ones field by field (obs 10-18)") {
  auto recorded = recorded_records("transcripts/10-subscribe-stream1");
  if (!recorded)
    return;
  auto find = [&](const std::string& task, const std::string& state) {
    for (auto& r : *recorded)
      if (r.find("\"" + task + "\"") != std::string::npos &&
          r.find("\"" + state + "\"") != std::string::npos)
        return normalized(json::parse(r));
    FAIL("no recorded " << task << " " << state);
    return json{};
  };
  launched l;
  // The big one first: it is validated against the whole offer.
  l.accept({command_task("task-too-big", l.agent, 100, 32),
            command_task("task-echo-1", l.agent)});
  l.h.call(pr::make_accept(
             l.s.framework,
             {pr::OfferID{"52b37399-815a-42e6-9723-a6a8a61cedbb-O3"}},
             {pr::make_launch({command_task("task-invalid-offer", l.agent)})}),
           l.s);
  l.h.advance(10ms);
  std::vector<std::pair<std::string, std::string>> wanted = {
    {"task-too-big", "TASK_ERROR"},
    {"task-invalid-offer", "TASK_DROPPED"},
    {"task-echo-1", "TASK_STARTING"},
  };
  for (auto& [task, state] : wanted) {
    json ours;
    for (auto& r : l.h.streams[l.s.stream].records)
      if (r.find("\"" + task + "\"") != std::string::npos &&
          r.find("\"" + state + "\"") != std::string::npos)
        ours = normalized(json::parse(r));
    REQUIRE_FALSE(ours.is_null());
    auto diff = json_diff(find(task, state), ours);
    INFO(task << " " << state << ": " << ours.dump());
    for (auto& d : diff)
      INFO(d);
    CHECK(diff.empty());
  }
}
