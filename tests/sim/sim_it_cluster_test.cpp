// sim::cluster over real loopback sockets: a scheduler's view of offers,
// an exec task's life, 307 from a standby, 503 without a leader, and the
// server honouring the master's "crash" (status 0).

#include "tests/sim/sim_it_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace outrigger;
using namespace outrigger::test;

namespace {

// The contents of every file named `name` under `dir`.
std::vector<std::string> files_named(const std::filesystem::path& dir,
                                     const std::string& name) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() == name) {
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(text.str());
    }
  return out;
}

} // namespace

TEST_CASE("cluster: subscribe and get offers through the real server") {
  sim::cluster c(test_cluster());
  auto agents = c.add_agents(2, {}, sim::agent_mode::synthetic);
  REQUIRE(agents.size() == 2);
  scheduler_stream s(c.port(0), subscribe_body(framework("it")));
  CHECK(s.head().status == 200);
  CHECK(s.head().header_names() ==
        std::vector<std::string>{"Date", "Transfer-Encoding", "Mesos-Stream-Id",
                                 "Content-Type"});
  auto subscribed = s.next();
  REQUIRE(subscribed.type == pr::event_type::subscribed);
  CHECK(subscribed.subscribed->master_info->id == c.master_id(0));
  CHECK(subscribed.subscribed->master_info->port == c.port(0));
  CHECK(s.next().type == pr::event_type::heartbeat);
  auto offers = s.next_of(pr::event_type::offers).offers->offers;
  // Both agents in one OFFERS event (transcripts2 item 1).
  REQUIRE(offers.size() == 2);
  CHECK(offers[0].agent_id != offers[1].agent_id);
  auto status = status_of(c);
  CHECK(status["leader"] == 1);
  CHECK(status["agents"].size() == 2);
  CHECK(status["offers"] == 2);
  CHECK(status["frameworks"]["connected"].size() == 1);
}

TEST_CASE("cluster: an exec task runs echo hello - STARTING RUNNING FINISHED "
          "with ACKs") {
  temp_dir work("sim-it-exec");
  auto options = test_cluster();
  options.work_dir = work.path();
  sim::cluster c(options);
  sim::agent_spec spec;
  spec.resources = "cpus:2;mem:2048;disk:4096;ports:[31000-32000]";
  auto agent = c.add_agents(1, spec, sim::agent_mode::exec).at(0);
  scheduler_stream s(c.port(0), subscribe_body(framework("echo")));
  auto fw = s.next().subscribed->framework_id;
  auto offer = s.next_of(pr::event_type::offers).offers->offers.at(0);
  auto accept = pr::make_accept(
    fw, {offer.id},
    {pr::make_launch({shell_task("echo-1", agent, "echo hello")})});
  CHECK(post_call(c.port(0), accept, s.stream_id()).status == 202);
  std::vector<pr::task_state> states;
  for (;;) {
    auto u = s.next_update();
    CHECK(u.task_id.value == "echo-1");
    CHECK(u.source == pr::status_source::executor);
    REQUIRE(u.uuid);
    states.push_back(u.state);
    auto ack = pr::acknowledgement_for(fw, u);
    REQUIRE(ack);
    CHECK(post_call(c.port(0), *ack, s.stream_id()).status == 202);
    if (pr::is_terminal(u.state)) {
      CHECK(u.message == "Command exited with status 0");
      break;
    }
  }
  CHECK(states == std::vector<pr::task_state>{pr::task_state::starting,
                                              pr::task_state::running,
                                              pr::task_state::finished});
  CHECK(files_named(work.path(), "stdout") ==
        std::vector<std::string>{"hello\n"});
  CHECK(eventually([&] { return status_of(c)["agents"][0]["tasks"] == 0; }));
}

TEST_CASE("cluster: a standby answers 307 to the leader with the "
          "protocol-relative Location") {
  sim::cluster c(test_cluster(2));
  CHECK(c.leader() == 0);
  auto r = request(c.port(1), "POST", "/api/v1/scheduler?x=1",
                   subscribe_body(framework("f")),
                   {{"Content-Type", "application/json"}});
  CHECK(r.status == 307);
  CHECK(r.header("Location") == "//localhost:" + std::to_string(c.port(0)) +
                                  "/master/api/v1/scheduler?x=1");
  CHECK(r.header("Content-Length") == "0");
  CHECK_FALSE(r.header("Content-Type"));
  r = request(c.port(1), "GET", "/master/redirect");
  CHECK(r.status == 307);
  CHECK(r.header("Location") == "//localhost:" + std::to_string(c.port(0)));
  // After the leader dies, the survivor leads and the dead port refuses.
  c.kill_master(0);
  CHECK(c.leader() == 1);
  CHECK_THROWS(http_test_client(c.port(0)));
  scheduler_stream s(c.port(1), subscribe_body(framework("f")));
  CHECK(s.head().status == 200);
}

TEST_CASE("cluster: 503 No leader elected while ZooKeeper is out of reach") {
  auto options = test_cluster(2);
  options.zk = "zk://127.0.0.1:1/mesos"; // nothing listens on port 1
  sim::cluster c(options);
  CHECK_FALSE(c.leader());
  for (std::size_t i = 0; i < 2; ++i) {
    auto r = request(c.port(i), "POST", "/api/v1/scheduler",
                     subscribe_body(framework("f")),
                     {{"Content-Type", "application/json"}});
    CHECK(r.status == 503);
    CHECK(r.body == "No leader elected");
    CHECK(r.header("Content-Type") == "text/plain; charset=utf-8");
  }
  // Agents wait for a leader.
  CHECK(c.add_agents(1, {}, sim::agent_mode::synthetic).empty());
  CHECK(status_of(c)["agents_in_transit"] == 1);
}

TEST_CASE("cluster: the master's crash closes the connection unanswered and "
          "cuts the streams (transcripts 43)") {
  auto options = test_cluster();
  options.master.crash_on_unknown_call = true;
  sim::cluster c(options);
  c.add_agents(1, {}, sim::agent_mode::synthetic);
  auto old_id = c.master_id(0);
  scheduler_stream s(c.port(0), subscribe_body(framework("f")));
  auto fw = s.next().subscribed->framework_id;
  http_test_client call(c.port(0), std::nullopt, 20s);
  call.send(
    "POST", "/api/v1/scheduler",
    R"({"framework_id":{"value":")" + fw.value + R"("},"type":"UNKNOWN"})",
    {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", s.stream_id()}});
  CHECK(call.closed_by_peer());
  CHECK_FALSE(s.read_to_end()); // no terminating chunk
  // The master came back under a new id; the framework resubscribes there.
  CHECK(c.master_id(0) != old_id);
  auto info = framework("f");
  info.id = fw;
  scheduler_stream again(c.port(0), subscribe_body(info));
  auto e = again.next();
  CHECK(e.subscribed->framework_id == fw);
  CHECK(e.subscribed->master_info->id == c.master_id(0));
}
