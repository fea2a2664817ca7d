// Values of specific events recorded from a real Mesos 1.12 master: what a
// scheduler built on the protocol library actually sees (ids, states,
// reasons, messages). The streams are described in
// mesos-wire/transcripts*/README.md; record numbers count from 0.

#include "wire_events.hpp"

#include <doctest/doctest.h>

using namespace outrigger::protocol;
using namespace outrigger::conformance;

// SUBSCRIBED: the framework id the master assigned, the fixed 15 s
// heartbeat, and MasterInfo in proto field order with `ip` as the IPv4
// address in network byte order read as a little-endian uint32.
TEST_CASE("conformance: SUBSCRIBED of the first stream") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  REQUIRE(events.size() == 30);
  auto& e = events[0];
  REQUIRE(e.type == event_type::subscribed);
  REQUIRE(e.subscribed.has_value());
  CHECK(e.subscribed->framework_id.value == id(master1, "-0000"));
  CHECK(e.subscribed->heartbeat_interval_seconds == 15.0);
  REQUIRE(e.subscribed->master_info.has_value());
  auto& m = *e.subscribed->master_info;
  CHECK(m.id == master1);
  CHECK(m.ip == 16777343u);
  CHECK(m.ip == (127u | 0u << 8 | 0u << 16 | 1u << 24)); // 127.0.0.1
  CHECK(m.port == 5050);
  CHECK(m.pid == "master@127.0.0.1:5050");
  CHECK(m.hostname == "localhost");
  CHECK(m.version == "1.12.0");
  REQUIRE(m.address.has_value());
  CHECK(m.address->hostname == "localhost");
  CHECK(m.address->ip == "127.0.0.1");
  CHECK(m.address->port == 5050);
  REQUIRE(m.capabilities.size() == 3);
  CHECK(m.capabilities[0].type == master_capability::agent_update);
  CHECK(m.capabilities[1].type == master_capability::agent_draining);
  CHECK(m.capabilities[2].type == master_capability::quota_v2);
  // A HEARTBEAT follows at once; it has nothing but its type.
  Event heartbeat;
  heartbeat.type = event_type::heartbeat;
  CHECK(events[1] == heartbeat);
}

// OFFERS to a framework without MULTI_ROLE: the deprecated `role: "*"` on
// every resource, no allocation_info, ports as RANGES, the agent's URL.
TEST_CASE("conformance: first OFFERS of the first stream") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  CHECK(offer_ids(events[2]) == std::vector{id(master1, "-O0")});
  auto& offer = offers_of(events[2])[0];
  CHECK(offer.framework_id.value == id(master1, "-0000"));
  CHECK(offer.agent_id.value == id(master1, "-S0"));
  CHECK(offer.hostname == "localhost");
  REQUIRE(offer.url.has_value());
  CHECK(offer.url->scheme == "http");
  CHECK(offer.url->address.hostname == "localhost");
  CHECK(offer.url->address.ip == "127.0.0.1");
  CHECK(offer.url->address.port == 5051);
  CHECK(offer.url->path == "/slave(1)");
  REQUIRE(offer.resources.size() == 4);
  CHECK(offer.resources[0].name == "ports");
  CHECK(ports(offer) == port_ranges{{31000, 32000}});
  CHECK(scalar(offer, "cpus") == 2.0);
  CHECK(scalar(offer, "mem") == 2048.0);
  CHECK(scalar(offer, "disk") == 4096.0);
  for (auto& r : offer.resources) {
    CHECK(r.role == "*");
    CHECK_FALSE(r.allocation_info.has_value());
  }
  CHECK_FALSE(offer.allocation_info.has_value());
  CHECK(offer.attributes.empty());
}

// A command task: STARTING, RUNNING, FINISHED from the command executor,
// each with a uuid (16 raw bytes, base64 on the wire) to echo in the ACK.
TEST_CASE("conformance: command task updates of task-echo-1") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  check_executor_update(events[3], "task-echo-1", task_state::starting,
                        "task-echo-1");
  check_executor_update(events[6], "task-echo-1", task_state::running,
                        "task-echo-1");
  check_executor_update(events[8], "task-echo-1", task_state::finished,
                        "task-echo-1");
  auto& starting = status_of(events[3]);
  CHECK(base64_encode(starting.uuid->data) == "a/+9w2FrR92K0/BQA7adSw==");
  CHECK(starting.timestamp == 1795308142.573653);
  CHECK(starting.agent_id->value == id(master1, "-S0"));
  CHECK_FALSE(starting.message.has_value());
  auto& container = *starting.container_status;
  CHECK(container.container_id->value ==
        "357e4425-4599-480a-8666-c5fcaef44852");
  CHECK(container.executor_pid == 24654u);
  REQUIRE(container.network_infos.size() == 1);
  REQUIRE(container.network_infos[0].ip_addresses.size() == 1);
  auto& ip = container.network_infos[0].ip_addresses[0];
  CHECK(ip.protocol == network_protocol::ipv4);
  CHECK(ip.ip_address == "127.0.0.1");
  CHECK_FALSE(status_of(events[6]).message.has_value());
  CHECK(status_of(events[8]).message == "Command exited with status 0");
  // Three different updates, three different uuids.
  CHECK(status_of(events[3]).uuid != status_of(events[6]).uuid);
  CHECK(status_of(events[6]).uuid != status_of(events[8]).uuid);
}

// ACCEPT problems come back as master-generated UPDATEs without uuid:
// an invalid offer drops the task (PARTITION_AWARE: TASK_DROPPED, legacy:
// TASK_LOST), a task asking too much is TASK_ERROR.
TEST_CASE("conformance: updates for invalid ACCEPTs") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  check_master_update(events[13], "task-invalid-offer", task_state::dropped,
                      status_reason::invalid_offers,
                      "Task launched with invalid offers: Offer " +
                        id(master1, "-O3") + " is no longer valid");
  CHECK(status_of(events[13]).agent_id->value == id(master1, "-S0"));
  check_master_update(
    events[14], "task-too-big", task_state::error, status_reason::task_invalid,
    "Total resources cpus(allocated: *):100; mem(allocated: *):32 required by "
    "task and its executor is more than available ports(allocated: "
    "*):[31000-32000]; cpus(allocated: *):2; mem(allocated: *):2048; "
    "disk(allocated: *):4096");

  auto legacy = events_of(*dir, "transcripts/70-subscribe-legacy-fw2-stream");
  REQUIRE(legacy.size() == 6);
  check_master_update(legacy[2], "task-legacy-invalid-offer", task_state::lost,
                      status_reason::invalid_offers,
                      "Task launched with invalid offers: Offer "
                      "no-such-offer-O42 is no longer valid");
  check_master_update(legacy[5], "task-legacy-no-offers", task_state::lost,
                      status_reason::invalid_offers,
                      "Task launched with invalid offers: No offers specified");
}

// Reconciliation answers: SOURCE_MASTER, REASON_RECONCILIATION, no uuid; a
// finished and acknowledged task is unknown; an unknown agent id is echoed.
TEST_CASE("conformance: reconciliation updates") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  const auto latest = std::string{"Reconciliation: Latest task state"};
  const auto unknown = std::string{"Reconciliation: Task is unknown"};
  auto reconciled = [](const Event& e, const char* task, task_state state,
                       const std::string& message) {
    check_master_update(e, task, state, status_reason::reconciliation, message);
  };
  reconciled(events[19], "task-sleep-1", task_state::running, latest);
  reconciled(events[20], "task-sleep-1", task_state::running, latest);
  CHECK(status_of(events[19]).container_status.has_value());
  reconciled(events[21], "task-does-not-exist", task_state::unknown, unknown);
  CHECK_FALSE(status_of(events[21]).agent_id.has_value());
  reconciled(events[22], "task-does-not-exist-on-agent", task_state::gone,
             "Reconciliation: Task is unknown to the agent");
  reconciled(events[23], "task-on-unknown-agent", task_state::unknown, unknown);
  CHECK(status_of(events[23]).agent_id->value == "no-such-agent-S99");
  reconciled(events[24], "task-echo-1", task_state::unknown, unknown);
  // KILL of a task the master never saw is answered like a reconciliation.
  reconciled(events[27], "task-never-launched", task_state::unknown, unknown);

  // After the master failover: the agent re-registered, the task is gone.
  auto after =
    events_of(*dir, "transcripts/50-resubscribe-after-master-failover-"
                    "stream2");
  reconciled(after[3], "task-sleep-1", task_state::gone,
             "Reconciliation: Task is unknown to the agent");
  reconciled(after[4], "task-sleep-1", task_state::unknown, unknown);
  // Without PARTITION_AWARE the same answers are TASK_LOST.
  auto legacy = events_of(*dir, "transcripts/70-subscribe-legacy-fw2-stream");
  reconciled(legacy[3], "nope-1", task_state::lost,
             "Reconciliation: Task is unknown to the agent");
  reconciled(legacy[4], "nope-2", task_state::lost, unknown);
}

// KILL with TASK_KILLING_STATE: TASK_KILLING, then (after its ACK)
// TASK_KILLED with the executor's message, both to be acknowledged.
TEST_CASE("conformance: TASK_KILLING and TASK_KILLED") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  check_executor_update(events[25], "task-sleep-1", task_state::killing,
                        "task-sleep-1");
  CHECK_FALSE(status_of(events[25]).message.has_value());
  check_executor_update(events[26], "task-sleep-1", task_state::killed,
                        "task-sleep-1");
  CHECK(status_of(events[26]).message ==
        "Command terminated with signal Terminated");
}

// In-band refusals on a 200 stream: one ERROR record, then the stream ends.
TEST_CASE("conformance: in-band ERROR events") {
  auto dir = wire_dir();
  if (!dir)
    return;
  for (auto name : {"transcripts/68-resubscribe-after-teardown",
                    "transcripts/75-resubscribe-removed-framework",
                    "transcripts2/75-resubscribe-f5-after-failover-timeout"}) {
    CAPTURE(name);
    auto events = events_of(*dir, name);
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == event_type::error);
    REQUIRE(events[0].error.has_value());
    CHECK(events[0].error->message == "Framework has been removed");
  }
  // The old stream of a framework that subscribed again ends with this.
  for (auto name : {"transcripts/50-resubscribe-after-master-failover-stream2",
                    "transcripts2/20-subscribe-f2-multi-role"}) {
    CAPTURE(name);
    auto events = events_of(*dir, name);
    REQUIRE_FALSE(events.empty());
    auto& last = events.back();
    CHECK(last.type == event_type::error);
    REQUIRE(last.error.has_value());
    CHECK(last.error->message == "Framework failed over");
  }
  // The re-subscribed framework kept its id on the restarted master.
  auto after =
    events_of(*dir, "transcripts/50-resubscribe-after-master-failover-"
                    "stream2");
  CHECK(after[0].subscribed->framework_id.value == id(master1, "-0000"));
  CHECK(after[0].subscribed->master_info->id ==
        "4dedf40c-bc5c-433a-8a05-1fcca249cf1d");
}
