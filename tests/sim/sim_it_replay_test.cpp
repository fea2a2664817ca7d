// Conformance replay: the exchanges recorded from a real Mesos 1.12 master
// (tests/data/mesos-wire) sent again, in their recorded order, to a simulated
// cluster over real sockets, and everything that comes back compared (see
// tests/sim/wire_replay.hpp for what is compared and how ids are mapped).
// The clusters mirror the recorded ones: the agents' resources, attributes
// and ports, 15 s heartbeats, the auth master's credentials. Each session
// lists, per step, which records of the recorded stream it caused.
//
// Replayed (transcripts/):
//   10, 11-14, 15-19, 20-27, 30-42, 43 (the crash: no answer, stream cut),
//   50, 44-47, 51, 52, 56, 57, 58, 59, 60, 61, 70-75, 62-65, 66, 67, 68,
//   02-04, 90-96, 118 (307 / 404 on a standby, the old leader restarted
//   as a standby), 99a-c (503 without a leader).
// Replayed (transcripts2/):
//   01, 10-15 (two agents with attributes), 20-25, 27-30, 32, 33-38
//   (MULTI_ROLE, SUPPRESS/REVIVE by role, UPDATE_FRAMEWORK), 90-91 and the
//   second request on that connection (keep-alive after TEARDOWN),
//   101-111, 113, 113b (HTTP basic authentication).
// Not replayed, and why:
//   - transcripts 01/48/49/97/114/115/119: ZooKeeper dumps, not HTTP
//     (the layout is checked by zk_contender_test, the failover by
//     sim_it_failover_test, which follows 110-118).
//   - 05, 100-108, 121, 122 and transcripts2 02, 26, 31, 56*, 58*, 65*,
//     73*, 74*, 112: state and metrics documents, which the simulator only
//     partly models (docs/simulator.md, "Deviations"); /master/frameworks,
//     /master/tasks, /master/slaves and /files do not exist there.
//   - 80, 81: protobuf, which the simulator does not speak (a deviation).
//   - 98: curl following the 307 (client behaviour; the 307 is 90's).
//   - 123: a curl -v capture in another format (SUBSCRIBE without Accept is
//     checked in sim_core_http_test).
//   - 110-113, 116, 117, 120 (ZooKeeper failover): sim_it_failover_test.
//   - transcripts2 40-46 (task groups): the interleaving of two tasks'
//     updates follows the recording client's ACK timing; the event shapes
//     are compared in sim_core_tasks_test.
//   - transcripts2 50-59, 95-99 (agents stopped, killed, restarted), 60-68
//     (88 s of retries), 70-76 (a 5 s failover timeout), 80-89 (/files):
//     their timing (seconds to minutes) is outside this suite's budget; the
//     simulator core replays them with a fake clock (sim_core_agents_test,
//     sim_core_reconcile_test, sim_core_subscribe_test).
// Harness actions that the recording did not make are marked "harness:"
// below; each replaces a wait for a refusal filter to expire (5 s).

#include "tests/sim/wire_replay.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::test;

namespace {

// The recorded cluster of transcripts/: one agent, cpus:2;mem:2048;
// disk:4096;ports:[31000-32000] on port 5051, exec tasks.
sim::cluster_options recorded_cluster(std::size_t masters = 1) {
  sim::cluster_options o;
  o.masters = masters;
  o.master.agent_reregistration_delay = std::chrono::milliseconds(100);
  o.admin_port = 0;
  return o;
}

std::string t1(const std::string& name) {
  return "transcripts/" + name;
}

std::string t2(const std::string& name) {
  return "transcripts2/" + name;
}

} // namespace

TEST_CASE("replay: transcripts 10-75 - a framework's life, errors, the "
          "crash and the restarted master") {
  auto dir = mesos_wire_dir();
  if (!dir)
    return;
  temp_dir work("sim-replay");
  auto options = recorded_cluster();
  options.work_dir = work.path();
  options.master.crash_on_unknown_call = true;
  sim::cluster c(options);
  sim::agent_spec agent;
  agent.resources = "cpus:2;mem:2048;disk:4096;ports:[31000-32000]";
  c.add_agents(1, agent, sim::agent_mode::exec);
  replay r(*dir, c);

  auto s1 = t1("10-subscribe-stream1");
  r.subscribe(s1, {0, 1, 2});
  r.exchange(t1("11-accept-launch-echo"), {3, 4});
  // harness: the echo had exited long before (8 s), so the master learned
  // its end with the RUNNING update and offered its resources (record 7).
  r.wait_for_task(s1, "task-echo-1", pr::task_state::finished);
  r.exchange(t1("12-ack-starting"), {6, 7});
  r.exchange(t1("13-ack-running"), {8});
  r.exchange(t1("14-ack-finished"));
  r.exchange(t1("15-decline-with-filters"), {9});
  r.exchange(t1("16-decline-full-offer-refuse-5s"));
  r.exchange(t1("17-accept-invalid-offer"), {13});
  r.extra_call(pr::make_revive(r.framework(s1)), s1); // harness
  r.expect(s1, {12});
  r.exchange(t1("18-accept-invalid-task-resources"), {14});
  r.extra_call(pr::make_revive(r.framework(s1)), s1); // harness
  r.expect(s1, {15});
  r.exchange(t1("19-accept-launch-sleep"), {16});
  r.exchange(t1("20-ack-sleep-starting"), {17});
  r.exchange(t1("21-ack-sleep-running"));
  r.exchange(t1("22-reconcile-implicit"), {19});
  r.exchange(t1("23-reconcile-explicit"), {20, 21, 22, 23, 24});
  r.exchange(t1("24-kill-sleep"), {25});
  r.exchange(t1("25-ack-killing"), {26});
  r.exchange(t1("26-ack-killed"));
  r.exchange(t1("27-kill-unknown-task"), {27});
  for (auto* name :
       {"30-error-wrong-stream-id", "31-error-missing-stream-id",
        "32-error-subscribe-with-stream-id", "33-error-get-method-not-allowed",
        "34-error-content-type-text-plain",
        "35-error-content-type-json-charset", "36-error-missing-content-type",
        "37-error-malformed-json", "38-error-unknown-call-type-enum",
        "39-error-missing-framework-id", "40-error-unknown-framework-id",
        "41-error-subscribe-accept-not-acceptable", "42-error-ack-bad-uuid"})
    r.exchange(t1(name));
  r.exchange(t1("43-error-type-UNKNOWN-CRASHES-MASTER"));
  r.expect_end(s1); // cut

  // The restarted master: its agent re-registers, the framework resubscribes.
  REQUIRE(eventually(
    [&] { return status_of(c)["agents"][0]["status"] == "active"; }));
  auto s2 = t1("50-resubscribe-after-master-failover-stream2");
  r.subscribe(s2, {0, 1, 2});
  for (auto* name : {"44-error-subscribe-framework-id-mismatch",
                     "45-error-empty-body", "46-error-kill-without-kill-field",
                     "47-error-ack-missing-required-fields",
                     "51-reconcile-implicit-after-master-failover"})
    r.exchange(t1(name));
  r.exchange(t1("52-reconcile-explicit-after-master-failover"), {3, 4});
  r.exchange(t1("56-suppress-via-master-prefixed-url"));
  r.exchange(t1("57-revive"));
  auto s3 = t1("58-resubscribe-while-old-stream-open-stream3");
  r.subscribe(s3, {0, 1, 2});
  r.expect(s2, {6}); // "Framework failed over"
  r.expect_end(s2);
  r.exchange(t1("59-error-old-stream-id-after-failover"));
  r.close(s3);
  r.exchange(t1("60-error-call-while-disconnected-403"));
  auto s4 = t1("61-resubscribe-after-closing-stream-stream4");
  r.subscribe(s4, {0, 1, 2});

  auto legacy = t1("70-subscribe-legacy-fw2-stream");
  r.subscribe(legacy, {0, 1});
  r.exchange(t1("71-accept-bogus-offer-legacy-TASK_LOST"), {2});
  r.exchange(t1("72-reconcile-explicit-legacy-TASK_LOST"), {3, 4});
  r.exchange(t1("73-accept-empty-offer-list-legacy"), {5});
  r.close(legacy); // failover_timeout 0: removed at once
  r.exchange(t1("74-error-call-after-fw-removed-by-failover-timeout-0"));
  auto removed = t1("75-resubscribe-removed-framework");
  r.subscribe(removed, {0});
  r.expect_end(removed);

  r.exchange(t1("62-accept-launch-two-tasks"), {8, 9}, s4);
  r.exchange(t1("63-ack-task-echo-2-starting"), {10}, s4);
  r.exchange(t1("63-ack-task-sleep-2-starting"), {11}, s4);
  r.exchange(t1("64-ack-task-echo-2-running"), {12}, s4);
  r.exchange(t1("64-ack-task-sleep-2-running"));
  r.exchange(t1("65-ack-task-echo-2-finished"));
  r.exchange(t1("66-teardown"));
  r.expect_end(s4);
  r.exchange(t1("67-error-call-after-teardown"));
  auto after = t1("68-resubscribe-after-teardown");
  r.subscribe(after, {0});
  r.expect_end(after);
}

TEST_CASE("replay: transcripts 02-04, 90-96, 118 - leader and standby") {
  auto dir = mesos_wire_dir();
  if (!dir)
    return;
  sim::cluster c(recorded_cluster(2));
  replay r(*dir, c, {{5050, 0}, {5052, 1}});
  for (auto* name :
       {"02-get-master-redirect-on-leader", "03-get-redirect-on-leader",
        "04-get-master-health", "90-nonleader-subscribe-307",
        "91-nonleader-subscribe-prefixed-url-307",
        "92-nonleader-subscribe-with-query-307",
        "93-nonleader-GET-scheduler-307-not-405",
        "94-nonleader-get-master-redirect", "95-nonleader-get-master-state",
        "96-nonleader-get-redirect-subpath-404"})
    r.exchange(t1(name));
  c.fail_over(); // 5050 dies and comes back as a standby; 5052 leads
  r.exchange(t1("118-old-leader-restarted-as-standby-307"));
}

TEST_CASE("replay: transcripts 99a-c - no leader elected") {
  auto dir = mesos_wire_dir();
  if (!dir)
    return;
  auto options = recorded_cluster();
  options.zk = "zk://127.0.0.1:1/mesos"; // unreachable, as recorded
  sim::cluster c(options);
  replay r(*dir, c, {{5053, 0}});
  for (auto* name :
       {"99a-no-leader-subscribe-503", "99b-no-leader-get-master-redirect-503",
        "99c-no-leader-get-scheduler-503"})
    r.exchange(t1(name));
}

TEST_CASE("replay: transcripts2 101-113 - HTTP basic authentication") {
  auto dir = mesos_wire_dir();
  if (!dir)
    return;
  auto options = recorded_cluster();
  options.master.authenticate_http_frameworks = true;
  options.master.credentials = {{"outrigger", "sekret"}, {"intruder", "pw2"}};
  sim::cluster c(options);
  replay r(*dir, c, {{5060, 0}});
  for (auto* name : {"101-auth-subscribe-without-authorization-401",
                     "102-auth-subscribe-wrong-password-401",
                     "103-auth-subscribe-unknown-principal-401",
                     "104-auth-subscribe-malformed-authorization-header",
                     "104b-auth-subscribe-bearer-scheme"})
    r.exchange(t2(name));
  auto f7 = t2("105-auth-subscribe-correct-credentials");
  r.subscribe(f7, {0, 1});
  r.exchange(t2("106-auth-subscribe-frameworkinfo-principal-mismatch"));
  r.exchange(
    t2("106b-auth-subscribe-frameworkinfo-principal-mismatch-intruder"));
  auto f7b = t2("107-auth-subscribe-no-principal-in-frameworkinfo");
  r.subscribe(f7b, {0, 1});
  for (auto* name :
       {"108-auth-call-revive-authenticated-as-other-principal-400",
        "109-auth-call-revive-without-authorization-401",
        "110-auth-call-revive-correct-credentials-202",
        "111-auth-resubscribe-f7-changing-principal-to-intruder",
        "113-auth-teardown-f7", "113b-auth-teardown-f7b"})
    r.exchange(t2(name));
  r.expect_end(f7);
  r.expect_end(f7b);
}
