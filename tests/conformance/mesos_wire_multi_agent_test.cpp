// Values of events from the second recording (mesos-wire/transcripts2): two
// agents with attributes, MULTI_ROLE offers, LAUNCH_GROUP, agent loss and
// status update retries. Record numbers count from 0.

#include "wire_events.hpp"

#include <doctest/doctest.h>

using namespace outrigger::protocol;
using namespace outrigger::conformance;

// Several agents' offers arrive in one OFFERS event. Attributes are TEXT
// values in offers; agent1 has two port ranges. Only the URL port and the
// agent id tell the agents apart (both are "localhost", "/slave(1)").
TEST_CASE("conformance: offers of two agents with attributes") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events =
    events_of(*dir, "transcripts2/01-subscribe-f1-two-agents-offers");
  REQUIRE(events.size() == 36);
  CHECK(offer_ids(events[2]) ==
        std::vector{id(master2, "-O0"), id(master2, "-O1")});
  auto& agent2 = offers_of(events[2])[0];
  auto& agent1 = offers_of(events[2])[1];
  CHECK(agent2.agent_id.value == id(master2, "-S1"));
  CHECK(agent1.agent_id.value == id(master2, "-S0"));
  for (auto* offer : {&agent1, &agent2}) {
    CHECK(offer->framework_id.value == id(master2, "-0000"));
    CHECK(offer->hostname == "localhost");
    CHECK(offer->url->path == "/slave(1)");
    CHECK_FALSE(offer->allocation_info.has_value());
  }
  CHECK(agent2.url->address.port == 5082);
  CHECK(agent1.url->address.port == 5081);
  CHECK(text_attributes(agent2) ==
        std::vector<std::string>{"rack=r2", "zone=b"});
  CHECK(text_attributes(agent1) ==
        std::vector<std::string>{"rack=r1", "zone=a"});
  CHECK(ports(agent2) == port_ranges{{33000, 33049}});
  CHECK(ports(agent1) == port_ranges{{31000, 31099}, {32000, 32099}});
  CHECK(scalar(agent2, "cpus") == 1.0);
  CHECK(scalar(agent2, "mem") == 1024.0);
  CHECK(scalar(agent2, "disk") == 2048.0);
  CHECK(scalar(agent1, "cpus") == 2.0);
  CHECK(scalar(agent1, "mem") == 2048.0);
  CHECK(scalar(agent1, "disk") == 4096.0);

  // Lost agents are announced to every framework, even one with nothing on
  // them: FAILURE with only the agent id.
  for (auto [index, agent] : {std::pair{17, "-S1"}, std::pair{20, "-S1"},
                              std::pair{31, "-S0"}, std::pair{34, "-S0"}}) {
    CAPTURE(index);
    auto& e = events[static_cast<std::size_t>(index)];
    REQUIRE(e.type == event_type::failure);
    CHECK(e.failure->agent_id->value == id(master2, agent));
    CHECK_FALSE(e.failure->executor_id.has_value());
    CHECK_FALSE(e.failure->status.has_value());
  }
}

// MULTI_ROLE: every resource has both the deprecated `role: "*"` (the
// reservation role) and allocation_info.role (the role it is offered to),
// and so has the offer. Removing a role rescinds its offers.
TEST_CASE("conformance: MULTI_ROLE offers with allocation_info") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts2/20-subscribe-f2-multi-role");
  REQUIRE(events.size() == 14);
  auto allocated_to = [](const Offer& offer, const char* role) {
    CAPTURE(offer.id.value);
    REQUIRE(offer.allocation_info.has_value());
    CHECK(offer.allocation_info->role == role);
    REQUIRE(offer.resources.size() == 4);
    for (auto& r : offer.resources) {
      CHECK(r.role == "*");
      REQUIRE(r.allocation_info.has_value());
      CHECK(r.allocation_info->role == role);
    }
  };
  CHECK(offer_ids(events[2]) ==
        std::vector{id(master2, "-O5"), id(master2, "-O6")});
  allocated_to(offers_of(events[2])[0], "*");
  allocated_to(offers_of(events[2])[1], "analytics");
  CHECK(offers_of(events[2])[1].agent_id.value == id(master2, "-S0"));
  allocated_to(offers_of(events[3])[0], "*");
  allocated_to(offers_of(events[4])[0], "*");
  CHECK(offer_ids(events[6]) ==
        std::vector{id(master2, "-O9"), id(master2, "-O10")});
  allocated_to(offers_of(events[6])[0], "analytics");
  allocated_to(offers_of(events[6])[1], "analytics");
  // UPDATE_FRAMEWORK to roles [batch, *]: analytics offers rescinded.
  for (auto [index, offer] : {std::pair{7, "-O10"}, std::pair{8, "-O9"},
                              std::pair{11, "-O12"}, std::pair{12, "-O11"}}) {
    CAPTURE(index);
    auto& e = events[static_cast<std::size_t>(index)];
    REQUIRE(e.type == event_type::rescind);
    CHECK(e.rescind->offer_id.value == id(master2, offer));
  }
  allocated_to(offers_of(events[9])[0], "batch");
  allocated_to(offers_of(events[9])[1], "batch");
}

// LAUNCH_GROUP with the default executor: updates name the executor
// (default-exec-1) and a nested container with a parent; only RUNNING has
// the executor pid and network. When both tasks are done the executor exits
// and the scheduler gets FAILURE with status 0.
TEST_CASE("conformance: LAUNCH_GROUP updates") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts2/40-subscribe-f3-launch-group");
  REQUIRE(events.size() == 11);
  struct expected_update {
    std::size_t index;
    const char* task;
    task_state state;
  };
  const expected_update order[] = {
    {3, "group-sleep-2", task_state::starting},
    {4, "group-echo-hi", task_state::starting},
    {5, "group-sleep-2", task_state::running},
    {6, "group-echo-hi", task_state::running},
    {8, "group-echo-hi", task_state::finished},
    {9, "group-sleep-2", task_state::finished},
  };
  const std::string parent = "e988ce03-0994-4d7a-a120-02555e10b57c";
  for (auto& u : order) {
    CAPTURE(u.index);
    auto& e = events[u.index];
    check_executor_update(e, u.task, u.state, "default-exec-1");
    auto& container = *status_of(e).container_status;
    REQUIRE(container.container_id.has_value());
    REQUIRE(container.container_id->parent.size() == 1);
    CHECK(container.container_id->parent[0].value == parent);
    CHECK(container.container_id->parent[0].parent.empty());
    bool running = u.state == task_state::running;
    CHECK(container.executor_pid.has_value() == running);
    CHECK(container.network_infos.empty() == !running);
  }
  CHECK(status_of(events[5]).container_status->executor_pid == 30578u);
  CHECK(status_of(events[8]).message == "Command exited with status 0");
  CHECK(status_of(events[9]).message == "Command exited with status 0");
  // The resources of the finished echo task were offered again (O17).
  CHECK(offer_ids(events[7]) == std::vector{id(master2, "-O17")});
  CHECK(scalar(offers_of(events[7])[0], "cpus") == doctest::Approx(1.8));
  auto& exited = events[10];
  REQUIRE(exited.type == event_type::failure);
  CHECK(exited.failure->agent_id->value == id(master2, "-S0"));
  CHECK(exited.failure->executor_id->value == "default-exec-1");
  CHECK(exited.failure->status == 0);
}

// A partitioned agent (kill -STOP): PARTITION_AWARE frameworks get
// TASK_UNREACHABLE, others TASK_LOST, both REASON_AGENT_REMOVED with
// unreachable_time; when it comes back TASK_RUNNING/REASON_AGENT_REREGISTERED
// (also to the framework told TASK_LOST); MARK_AGENT_GONE gives
// TASK_GONE_BY_OPERATOR or TASK_LOST. All from the master, without uuid.
TEST_CASE("conformance: agent loss TASK_UNREACHABLE TASK_LOST TASK_GONE") {
  auto dir = wire_dir();
  if (!dir)
    return;
  const std::int64_t unreachable_since = 1795309324820219136;
  auto pa = events_of(*dir, "transcripts2/50-subscribe-f4a-partition-aware");
  REQUIRE(pa.size() == 19);
  check_master_update(pa[6], "pa-sleep-600", task_state::unreachable,
                      status_reason::agent_removed, "health check timed out");
  CHECK(status_of(pa[6]).unreachable_time->nanoseconds == unreachable_since);
  CHECK(pa[7].failure->agent_id->value == id(master2, "-S1"));
  check_master_update(pa[9], "pa-sleep-600", task_state::unreachable,
                      status_reason::reconciliation,
                      "Reconciliation: Task is unreachable");
  CHECK(status_of(pa[9]).unreachable_time->nanoseconds == unreachable_since);
  check_master_update(pa[10], "pa-sleep-600", task_state::running,
                      status_reason::agent_reregistered,
                      "Unreachable agent re-reregistered");
  CHECK(status_of(pa[10]).container_status.has_value());
  CHECK_FALSE(status_of(pa[10]).unreachable_time.has_value());
  check_master_update(pa[14], "pa-sleep-600", task_state::gone_by_operator,
                      status_reason::agent_removed_by_operator,
                      "Agent has been marked gone");
  CHECK(pa[15].rescind->offer_id.value == id(master2, "-O23"));
  CHECK(pa[16].type == event_type::failure);

  auto legacy =
    events_of(*dir, "transcripts2/51-subscribe-f4b-not-partition-aware");
  REQUIRE(legacy.size() == 19);
  check_master_update(legacy[7], "legacy-sleep-600", task_state::lost,
                      status_reason::agent_removed, "health check timed out");
  CHECK(status_of(legacy[7]).unreachable_time->nanoseconds ==
        unreachable_since);
  CHECK(legacy[8].rescind->offer_id.value == id(master2, "-O22"));
  CHECK(legacy[9].failure->agent_id->value == id(master2, "-S1"));
  check_master_update(legacy[11], "legacy-sleep-600", task_state::lost,
                      status_reason::reconciliation,
                      "Reconciliation: Task is unreachable");
  check_master_update(legacy[12], "legacy-sleep-600", task_state::running,
                      status_reason::agent_reregistered,
                      "Unreachable agent re-reregistered");
  check_master_update(legacy[15], "legacy-sleep-600", task_state::lost,
                      status_reason::agent_removed,
                      "Agent has been marked gone");

  // kill -KILL of the agent: without checkpointing the task is lost at once
  // on disconnect; with checkpointing it is unreachable, then running again.
  auto restart =
    events_of(*dir, "transcripts2/95-subscribe-f4c-agent-kill9-restart");
  check_master_update(restart[5], "restart-sleep-600", task_state::lost,
                      status_reason::agent_disconnected,
                      "Agent localhost disconnected");
  CHECK(restart[6].type == event_type::failure);
  auto ckpt =
    events_of(*dir, "transcripts2/98-subscribe-f4d-checkpoint-agent-kill9-"
                    "restart");
  check_master_update(ckpt[5], "ckpt-sleep-600", task_state::unreachable,
                      status_reason::agent_removed, "health check timed out");
  check_master_update(ckpt[8], "ckpt-sleep-600", task_state::running,
                      status_reason::agent_reregistered,
                      "Unreachable agent re-reregistered");
}

// Without an ACK the agent re-sends the same update (10 s, then doubling):
// the retries are byte-identical, same uuid and timestamp, so a scheduler can
// recognize them as duplicates.
TEST_CASE("conformance: status update retries are identical") {
  auto dir = wire_dir();
  if (!dir)
    return;
  stream_file stream;
  stream.base = *dir / "transcripts2/60-subscribe-f6-no-ack-retries";
  auto records = stream_records(stream);
  REQUIRE(records.size() == 14);
  for (std::size_t retry : {5u, 8u, 11u})
    CHECK(records[retry] == records[4]);
  auto events = events_of(*dir, "transcripts2/60-subscribe-f6-no-ack-retries");
  check_executor_update(events[4], "sleep-5", task_state::running, "sleep-5");
  CHECK(events[11] == events[4]);
  check_executor_update(events[13], "sleep-5", task_state::finished, "sleep-5");
  CHECK(status_of(events[13]).uuid != status_of(events[4]).uuid);
}
