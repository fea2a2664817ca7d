// Conformance replay of transcripts2 items 1, 2 and 9 (see
// sim_it_replay_test.cpp for the list of what is replayed and why): two
// agents with attributes and port ranges, a command task, SUPPRESS; a
// MULTI_ROLE framework with SUPPRESS/REVIVE by role, UPDATE_FRAMEWORK and a
// resubscription with suppressed roles; the end of a keep-alive stream on
// TEARDOWN and a second request on that connection.
//
// The cluster is the recorded one: agent1 (S0, port 5081) and agent2 (S1,
// port 5082) with their resources and attributes. Between items the
// recording went through agent losses (item 4) that are not replayed here;
// the harness marks agent2 gone where the recording had (59a), so that the
// later offers are agent1's only, as recorded.

#include "tests/sim/wire_replay.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::test;

namespace {

std::string t2(const std::string& name) {
  return "transcripts2/" + name;
}

} // namespace

TEST_CASE("replay: transcripts2 items 1, 2, 9 - attributes, MULTI_ROLE, "
          "keep-alive") {
  auto dir = mesos_wire_dir();
  if (!dir)
    return;
  temp_dir work("sim-replay2");
  sim::cluster_options options;
  options.work_dir = work.path();
  options.admin_port = 0;
  sim::cluster c(options);
  sim::agent_spec agent1, agent2;
  agent1.port = 5081;
  agent1.resources =
    "cpus:2;mem:2048;disk:4096;ports:[31000-31099,32000-32099]";
  agent1.attributes = "rack:r1;zone:a";
  agent2.port = 5082;
  agent2.resources = "cpus:1;mem:1024;disk:2048;ports:[33000-33049]";
  agent2.attributes = "rack:r2;zone:b";
  c.add_agents(1, agent1, sim::agent_mode::exec);
  auto gone = c.add_agents(1, agent2, sim::agent_mode::exec).at(0);
  replay r(*dir, c);

  // Item 1: f1 on both agents.
  auto f1 = t2("01-subscribe-f1-two-agents-offers");
  r.subscribe(f1, {0, 1});
  r.expect_offers(f1, {2}); // both agents in one event
  r.exchange(t2("10-accept-f1-echo-hello-agent1"), {3});
  r.exchange(t2("11-decline-f1-agent2-offer"));
  // harness: the echo had exited before its STARTING was acknowledged.
  r.wait_for_task(f1, "echo-hello", pr::task_state::finished);
  r.exchange(t2("12-ack-f1-echo-TASK_STARTING"), {4});
  r.expect_offers(f1, {5}); // the echo's resources back with the rest
  r.exchange(t2("12-ack-f1-echo-TASK_RUNNING"), {6});
  r.exchange(t2("12-ack-f1-echo-TASK_FINISHED"));
  r.exchange(t2("13-suppress-f1"));
  r.exchange(t2("14-decline-f1-late-offer"));

  // Item 2: f2, MULTI_ROLE ["analytics", "*"].
  auto f2 = t2("20-subscribe-f2-multi-role");
  r.subscribe(f2, {0, 1});
  r.expect_offers(f2, {2});
  r.exchange(t2("21-suppress-f2-roles-analytics"));
  r.exchange(t2("22-decline-f2-all-offers-refuse-1s"));
  r.expect_offers(f2, {3, 4}); // role "*" only
  r.exchange(t2("23-decline-f2-star-offers-refuse-3600"));
  r.exchange(t2("24-revive-f2-roles-analytics"));
  r.expect_offers(f2, {6});
  r.exchange(t2("25-update-framework-f2-roles-batch-star-suppressed-star"),
             {7, 8});
  r.expect_offers(f2, {9});
  for (auto* name : {"27-update-framework-f2-change-user-400",
                     "28-update-framework-f2-drop-multi-role-capability",
                     "29-update-framework-f2-suppress-role-not-subscribed"})
    r.exchange(t2(name));
  auto f2again = t2("30-resubscribe-f2-with-suppressed-roles");
  r.subscribe(f2again, {0, 1});
  r.expect(f2, {11, 12, 13}); // RESCINDs of role batch, "failed over"
  r.expect_end(f2);
  r.expect_offers(f2again, {2});
  r.exchange(t2("32-teardown-f2"));
  r.expect_end(f2again);

  // harness: agent2 is marked gone, as in the recording (59a); f1 is told.
  c.remove_agent(gone);
  r.expect(f1, {20});

  // Item 9: the stream of a keep-alive connection ends with the zero chunk
  // on TEARDOWN and the connection serves the next request.
  auto f9 = t2("90-subscribe-keepalive-raw-socket-then-teardown");
  r.subscribe(f9, {0, 1});
  r.expect_offers(f9, {2});
  r.exchange(t2("91-teardown-f9-keepalive"));
  r.expect_end(f9);
  auto& connection = r.connection(f9);
  connection.send("GET", "/master/health", {}, {});
  auto health = connection.read_response();
  CHECK(health.status == 200);
  CHECK(health.header_names() ==
        std::vector<std::string>{"Date", "Content-Length"});
  CHECK(health.header("Content-Length") == "0");

  r.exchange(t2("15-teardown-f1"));
  r.expect_end(f1);

  // Item 2 again: the doc's examples.
  auto f2c = t2("33-subscribe-f2c-multi-role-doc-examples");
  r.subscribe(f2c, {0, 2});
  r.expect_offers(f2c, {1});
  for (auto* name : {"34-update-framework-like-doc-example-without-ids",
                     "35-update-framework-without-framework-info-id",
                     "36-revive-with-doc-singular-role-field",
                     "37-suppress-role-not-subscribed", "38-teardown-f2c"})
    r.exchange(t2(name));
  r.expect_end(f2c);
}
