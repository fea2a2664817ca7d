// Leader failover through a real ZooKeeper (tests/support/zk_server), as
// recorded in mesos-wire transcripts 110-118: the leader dies, the standby is
// elected, the framework resubscribes there under its id, its running exec
// task is still TASK_RUNNING (explicit reconciliation answers once the agent
// has re-registered) and the exec runtime reports to the new leader; the old
// leader comes back as a standby and redirects.

#include "tests/sim/sim_it_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_server.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

using namespace outrigger;
using namespace outrigger::test;

namespace {

// Asks for the task's state until the master answers (it does not while the
// agent is still re-registering, design.md §M13); heartbeats (1 s) pace the
// retries.
pr::TaskStatus reconcile_until_answered(scheduler_stream& s, std::uint16_t port,
                                        const pr::FrameworkID& fw,
                                        const pr::AgentID& agent) {
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto call = pr::make_reconcile(
      fw, {pr::ReconcileTask{pr::TaskID{"sleep-it"}, agent}});
    REQUIRE(post_call(port, call, s.stream_id()).status == 202);
    for (;;) {
      auto e = s.next();
      if (e.type == pr::event_type::update)
        return e.update->status;
      if (e.type == pr::event_type::heartbeat)
        break; // no answer yet: ask again
    }
  }
  FAIL("no reconciliation answer from the new leader");
  return {};
}

} // namespace

TEST_CASE("failover: kill the leader - the standby leads, the framework "
          "resubscribes with its id and its exec task is still RUNNING") {
  zk_server zk;
  temp_dir work("sim-it-failover");
  auto options = test_cluster(2);
  options.zk = "zk://" + zk.connect_string() + "/mesos-it";
  options.zk_session_timeout = 2s; // the dead leader's node lingers this long
  options.work_dir = work.path();
  sim::cluster c(options);
  auto leader = c.wait_for_leader(30s);
  REQUIRE(leader);
  auto standby = 1 - *leader;
  auto to_leader = "//localhost:" + std::to_string(c.port(*leader));
  REQUIRE(eventually([&] {
    auto r = request(c.port(standby), "GET", "/master/redirect");
    return r.status == 307 && r.header("Location") == to_leader;
  }));

  sim::agent_spec spec;
  spec.resources = "cpus:2;mem:2048;disk:4096;ports:[31000-32000]";
  auto agent = c.add_agents(1, spec, sim::agent_mode::exec).at(0);
  scheduler_stream s(c.port(*leader), subscribe_body(framework("fw5")));
  auto fw = s.next().subscribed->framework_id;
  auto offer = s.next_of(pr::event_type::offers).offers->offers.at(0);
  auto launch = pr::make_accept(
    fw, {offer.id},
    {pr::make_launch({shell_task("sleep-it", agent, "sleep 30")})});
  REQUIRE(post_call(c.port(*leader), launch, s.stream_id()).status == 202);
  for (auto expected : {pr::task_state::starting, pr::task_state::running}) {
    auto u = s.next_update();
    REQUIRE(u.state == expected);
    REQUIRE(
      post_call(c.port(*leader), *pr::acknowledgement_for(fw, u), s.stream_id())
        .status == 202);
  }

  c.kill_master(*leader);
  CHECK_FALSE(s.read_to_end()); // cut, no terminating chunk
  REQUIRE(eventually([&] { return c.leader() == standby; }, 30s));

  auto info = framework("fw5");
  info.id = fw;
  scheduler_stream again(c.port(standby), subscribe_body(info));
  REQUIRE(again.head().status == 200);
  auto subscribed = again.next();
  CHECK(subscribed.subscribed->framework_id == fw);
  CHECK(subscribed.subscribed->master_info->id == c.master_id(standby));

  auto status = reconcile_until_answered(again, c.port(standby), fw, agent);
  CHECK(status.state == pr::task_state::running);
  CHECK(status.message == "Reconciliation: Latest task state");
  CHECK(status.agent_id == agent);

  // The old leader comes back as a new master that stands by (118).
  c.start_master(*leader);
  auto to_new = "//localhost:" + std::to_string(c.port(standby));
  REQUIRE(eventually([&] {
    auto r = request(c.port(*leader), "GET", "/master/redirect");
    return r.status == 307 && r.header("Location") == to_new;
  }));

  // The task's process still runs and reports to the new leader.
  auto kill = pr::make_kill(fw, pr::TaskID{"sleep-it"}, agent);
  REQUIRE(post_call(c.port(standby), kill, again.stream_id()).status == 202);
  // The RUNNING update may come again first: its ACK went to the old
  // leader, which may have died before forwarding it, and the agent
  // re-sends what is unacknowledged when it re-registers (as a real agent's
  // status update manager does).
  auto killing = again.next_update();
  for (int i = 0; i < 3 && killing.state == pr::task_state::running; ++i) {
    post_call(c.port(standby), *pr::acknowledgement_for(fw, killing),
              again.stream_id());
    killing = again.next_update();
  }
  CHECK(killing.state == pr::task_state::killing);
  post_call(c.port(standby), *pr::acknowledgement_for(fw, killing),
            again.stream_id());
  auto killed = again.next_update();
  CHECK(killed.state == pr::task_state::killed);
  CHECK(killed.message == "Command terminated with signal Terminated");
}

namespace {

std::string zk_log(const zk_server& zk) {
  std::ifstream in(zk.directory() / "zookeeper.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("failover: the dead leader's node stays until ZooKeeper expires "
          "its session, then the next leader recovers (503) and serves") {
  zk_server zk;
  auto options = test_cluster(2);
  options.zk = "zk://" + zk.connect_string() + "/mesos-linger";
  options.zk_session_timeout = 2s;
  options.recovery_time = 300ms;
  sim::cluster c(options);
  auto leader = c.wait_for_leader(30s);
  REQUIRE(leader);
  auto standby = 1 - *leader;
  CHECK(zk_log(zk).find("Expiring session") == std::string::npos);

  c.kill_master(*leader); // like SIGKILL: the session is not closed
  REQUIRE(eventually([&] { return c.leader() == standby; }, 30s));
  // The standby took over because the server expired the dead master's
  // session, not because the session was closed.
  CHECK(zk_log(zk).find("Expiring session") != std::string::npos);

  // The new leader answers "not yet" until it has recovered, then serves.
  std::set<std::string> not_yet;
  bool subscribed = eventually([&] {
    scheduler_stream s(c.port(standby), subscribe_body(framework("fw-l")));
    if (s.head().status == 200)
      return s.next().type == pr::event_type::subscribed;
    not_yet.insert(std::to_string(s.head().status) + " " +
                   s.head().header("Content-Type").value_or("") + " " +
                   s.head().body);
    return false;
  });
  CHECK(subscribed);
  for (auto& answer : not_yet)
    CHECK(answer == "503 text/plain; charset=utf-8 Master has not finished "
                    "recovery");
}

TEST_CASE("failover: an election noticed late - the new leader redirects to "
          "the old one until it notices") {
  zk_server zk;
  auto options = test_cluster(2);
  options.zk = "zk://" + zk.connect_string() + "/mesos-lag";
  options.zk_session_timeout = 2s;
  std::mutex mu;
  std::vector<std::string> lines;
  options.log = [&](std::string_view l) {
    std::lock_guard lock{mu};
    lines.emplace_back(l);
  };
  sim::cluster c(options);
  auto leader = c.wait_for_leader(30s);
  REQUIRE(leader);
  auto standby = 1 - *leader;
  auto admin_port = *c.admin_port();
  REQUIRE(request(admin_port, "POST", "/sim/election-lag", R"({"ms":3000})",
                  {{"Content-Type", "application/json"}})
            .status == 200);
  c.kill_master(*leader);
  auto noticed_late = [&] {
    std::lock_guard lock{mu};
    for (auto& l : lines)
      if (l.find("master " + std::to_string(standby + 1) +
                 " elected; notices it in 3000 ms") != std::string::npos)
        return true;
    return false;
  };
  REQUIRE(eventually(noticed_late, 30s));
  // ZooKeeper names it, it does not know yet: 307 to the dead leader.
  CHECK(c.leader() != standby);
  auto r = request(c.port(standby), "GET", "/master/redirect");
  CHECK(r.status == 307);
  CHECK(r.header("Location") ==
        "//localhost:" + std::to_string(c.port(*leader)));
  CHECK(eventually([&] { return c.leader() == standby; }, 30s));
}
