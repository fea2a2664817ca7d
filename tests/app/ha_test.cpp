// --ha pieces without the outrigger binary: the election's decisions, the
// election itself against a private ZooKeeper server, and a standby's
// forwarding to a leader's API over loopback.

#include "app/config.hpp"
#include "app/http_server.hpp"
#include "app/leader_election.hpp"
#include "app/metrics.hpp"
#include "app/replica_router.hpp"
#include "app/service_config.hpp"
#include "tests/support/zk_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace outrigger::test {

using namespace std::chrono_literals;

TEST_CASE("ha: members are ordered by sequence and watch their predecessor") {
  using app::decide;
  CHECK(app::member_sequence("member-ab12_0000000042") == 42u);
  CHECK_FALSE(app::member_sequence("json.info_0000000001"));
  CHECK_FALSE(app::member_sequence("member-x_12a"));
  std::vector<std::string> kids{"member-c_0000000010", "other",
                                "member-a_0000000003", "member-b_0000000007"};
  auto v = decide(kids, "member-b_0000000007");
  CHECK(v.leader == "member-a_0000000003");
  CHECK(v.predecessor == "member-a_0000000003");
  CHECK_FALSE(v.leading());
  v = decide(kids, "member-c_0000000010");
  CHECK(v.predecessor == "member-b_0000000007"); // not the leader: no herd
  v = decide(kids, "member-a_0000000003");
  CHECK(v.leading());
  v = decide(kids, "member-gone_0000000001");
  CHECK_FALSE(v.mine_present);
  CHECK_FALSE(v.leading());
  CHECK(decide({}, "x").leader.empty());
  CHECK(app::url_of_member(app::member_data("http://10.0.0.5:8080", "1.0")) ==
        "http://10.0.0.5:8080");
  CHECK(app::url_of_member("not json").empty());
}

TEST_CASE("ha: settings name what is wrong") {
  app::serve_settings s;
  s.ha = "http://zk:2181/x";
  CHECK(app::validate(s).rfind("--ha:", 0) == 0);
  s.ha = "zk://127.0.0.1:2181/outrigger";
  CHECK(app::validate(s).rfind("--advertise-url: required with --ha", 0) == 0);
  s.advertise_url = "http://10.0.0.5:8080";
  CHECK(app::validate(s).empty());
  s.dev = true;
  CHECK(app::validate(s).rfind("--ha and --dev", 0) == 0);
  s.dev = false;
  s.ha_session_timeout = 0.5;
  CHECK(app::validate(s).rfind("--ha-session-timeout", 0) == 0);
  s.ha_session_timeout = 6;
  s.data_dir.clear(); // the state is in ZooKeeper: no data directory needed
  CHECK(app::validate(s).empty());
  auto c = app::ha_config_of(s, {}, "1.0");
  REQUIRE(c);
  CHECK(c->election.hosts == "127.0.0.1:2181");
  CHECK(c->election.path == "/outrigger/election");
  CHECK(c->election.session_timeout == 6000ms);
  CHECK(c->store.root == "/outrigger");
  CHECK(c->store.owner.rfind("http://10.0.0.5:8080", 0) == 0);
}

TEST_CASE("ha: request targets are encoded again for forwarding") {
  CHECK(app::encode_target("/v1/tasks", {}) == "/v1/tasks");
  CHECK(
    app::encode_target("/v1/tasks", {{"state", "RUNNING"}, {"key", "a b&c"}}) ==
    "/v1/tasks?key=a%20b%26c&state=RUNNING");
  CHECK(app::encode_target("/v1/tasks/key with space", {}) ==
        "/v1/tasks/key%20with%20space");
  CHECK(app::bearer_token("Bearer abc") == "abc");
  CHECK(app::bearer_token("bearer abc") == "abc");
  CHECK(app::bearer_token("Basic abc").empty());
  CHECK(app::bearer_token("").empty());
}

namespace {

/// What one replica's election reported.
struct probe {
  std::mutex m;
  std::condition_variable cv;
  bool elected = false;
  std::string leader;
  std::string lost;

  app::leader_election::callbacks callbacks() {
    app::leader_election::callbacks cb;
    cb.elected = [this] { set([this] { elected = true; }); };
    cb.leader = [this](const std::string& u) { set([&] { leader = u; }); };
    cb.lost = [this](const std::string& why) { set([&] { lost = why; }); };
    return cb;
  }
  template <class F>
  void set(F f) {
    std::lock_guard lock{m};
    f();
    cv.notify_all();
  }
  template <class Pred>
  bool wait(Pred pred, std::chrono::seconds timeout = 30s) {
    std::unique_lock lock{m};
    return cv.wait_for(lock, timeout, pred);
  }
};

app::election_options options(const zk_server& zk, const std::string& url) {
  app::election_options o;
  o.hosts = zk.connect_string();
  o.path = "/outrigger-test/election";
  o.session_timeout = 4000ms;
  o.url = url;
  o.version = "test";
  o.refresh = 200ms;
  return o;
}

} // namespace

TEST_CASE("ha: one leader at a time, the next in line takes over") {
  zk_server zk;
  probe pa, pb, pc;
  auto a = std::make_unique<app::leader_election>(options(zk, "http://a"),
                                                  pa.callbacks());
  REQUIRE(pa.wait([&] { return pa.elected; }));
  auto b = std::make_unique<app::leader_election>(options(zk, "http://b"),
                                                  pb.callbacks());
  auto c = std::make_unique<app::leader_election>(options(zk, "http://c"),
                                                  pc.callbacks());
  REQUIRE(pb.wait([&] { return pb.leader == "http://a"; }));
  REQUIRE(pc.wait([&] { return pc.leader == "http://a"; }));
  CHECK_FALSE(pb.elected);
  CHECK_FALSE(pc.elected);

  a.reset(); // leaves: its member node goes with its session
  // b and c joined at once: either may be next in line.
  auto elected = [](probe& p) {
    std::lock_guard lock{p.m};
    return p.elected;
  };
  for (int i = 0; i < 300 && !elected(pb) && !elected(pc); ++i)
    std::this_thread::sleep_for(100ms);
  REQUIRE(elected(pb) != elected(pc));
  bool b_won = elected(pb);
  auto& winner = b_won ? b : c;
  auto& other = b_won ? c : b;
  auto& pw = b_won ? pb : pc;
  auto& po = b_won ? pc : pb;
  std::string winner_url = b_won ? "http://b" : "http://c";
  CHECK(po.wait([&] { return po.leader == winner_url; }));
  CHECK_FALSE(elected(po));

  // The leader's session expires: it is told at once, and the other leads.
  auto session = winner->session();
  REQUIRE(session);
  REQUIRE(zk.expire_session(session->first, session->second));
  // (The server drops the connection too: either cause may be reported.)
  REQUIRE(pw.wait([&] { return !pw.lost.empty(); }));
  REQUIRE(po.wait([&] { return po.elected; }));
  CHECK(other->session());
}

TEST_CASE("ha: a leader that loses ZooKeeper steps down, a standby waits") {
  zk_server zk;
  probe pa, pb;
  auto a = std::make_unique<app::leader_election>(options(zk, "http://a"),
                                                  pa.callbacks());
  REQUIRE(pa.wait([&] { return pa.elected; }));
  auto b = std::make_unique<app::leader_election>(options(zk, "http://b"),
                                                  pb.callbacks());
  REQUIRE(pb.wait([&] { return pb.leader == "http://a"; }));
  zk.stop();
  // The leader cannot know whether its session survives: it steps down.
  REQUIRE(pa.wait([&] { return !pa.lost.empty(); }));
  CHECK(pa.lost.find("connection was lost") != std::string::npos);
  a.reset();
  zk.start();
  // The standby's session survived the outage; it takes over once the
  // leader's session is gone.
  CHECK(pb.wait([&] { return pb.elected; }, 60s));
  CHECK(pb.lost.empty());
}

TEST_CASE("ha: a standby whose session expires joins again and still "
          "follows the leader") {
  zk_server zk;
  probe pa, pb;
  auto a = std::make_unique<app::leader_election>(options(zk, "http://a"),
                                                  pa.callbacks());
  REQUIRE(pa.wait([&] { return pa.elected; }));
  auto b = std::make_unique<app::leader_election>(options(zk, "http://b"),
                                                  pb.callbacks());
  REQUIRE(pb.wait([&] { return pb.leader == "http://a"; }));
  auto first = b->session();
  REQUIRE(first);
  REQUIRE(zk.expire_session(first->first, first->second));
  // It notices, opens a new session, joins again behind the leader.
  std::optional<std::pair<std::int64_t, std::string>> second;
  for (int i = 0; i < 300; ++i) {
    second = b->session();
    if (second && second->first != first->first)
      break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(second);
  CHECK(second->first != first->first);
  CHECK(pb.wait([&] { return pb.leader == "http://a"; }));
  CHECK_FALSE(pb.elected);
  CHECK(pb.lost.empty()); // a standby has nothing to step down from
  a.reset();
  CHECK(pb.wait([&] { return pb.elected; }));
}

namespace {

/// An io_context on its own thread.
struct io_thread {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
    guard = boost::asio::make_work_guard(ioc);
  std::thread thread{[this] { ioc.run(); }};
  ~io_thread() {
    guard.reset();
    ioc.stop();
    thread.join();
  }
};

app::http_response ask(app::replica_router& router, app::http_request req) {
  std::promise<app::http_response> p;
  auto f = p.get_future();
  router.handler()(std::move(req),
                   [&p](app::http_response r) { p.set_value(std::move(r)); });
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("ha: a standby forwards to the leader and answers health itself") {
  io_thread io;
  // The "leader": echoes what reached it.
  app::http_server_options ho;
  ho.port = 0;
  app::http_server leader{
    io.ioc, ho, [](app::http_request r, app::responder done) {
      nlohmann::json j{{"method", r.method},
                       {"path", r.path},
                       {"query", r.query},
                       {"body", r.body},
                       {"auth", r.authorization}};
      app::http_response out{201, "application/json", j.dump(), {}};
      out.headers.emplace_back("Location", "/v1/tasks/7");
      done(std::move(out));
    }};
  auto port = leader.start();
  auto leader_url = "http://127.0.0.1:" + std::to_string(port);

  auto metrics = std::make_shared<app::service_metrics>("test");
  app::forward_options fo;
  fo.self_url = "http://127.0.0.1:1";
  fo.timeout = 10s;
  auto router = std::make_shared<app::replica_router>(true, fo, metrics);

  app::http_request get;
  get.method = "GET";
  get.path = "/v1/tasks";
  // No leader known yet: 503 with Retry-After, and not ready.
  auto r = ask(*router, get);
  CHECK(r.status == 503);
  CHECK(r.body.find("no_leader") != std::string::npos);
  app::http_request ready;
  ready.method = "GET";
  ready.path = "/readyz";
  CHECK(ask(*router, ready).status == 503);

  router->set_role(app::replica_role::standby);
  router->set_leader(leader_url);
  CHECK(ask(*router, ready).status == 200);
  app::http_request post;
  post.method = "POST";
  post.path = "/v1/tasks";
  post.query = {{"dry run", "a&b"}};
  post.content_type = "application/json";
  post.authorization = "Bearer s3cret";
  post.body = R"({"command":"true"})";
  r = ask(*router, post);
  CHECK(r.status == 201);
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["method"] == "POST");
  CHECK(j["path"] == "/v1/tasks");
  CHECK(j["query"]["dry run"] == "a&b");
  CHECK(j["body"] == R"({"command":"true"})");
  CHECK(j["auth"] == "Bearer s3cret");
  bool location = false, via = false;
  for (auto& [k, v] : r.headers) {
    location |= k == "Location" && v == "/v1/tasks/7";
    via |= k == "X-Outrigger-Leader" && v == leader_url;
  }
  CHECK(location);
  CHECK(via);

  app::http_request health;
  health.method = "GET";
  health.path = "/healthz";
  r = ask(*router, health);
  CHECK(r.status == 200);
  CHECK(r.body.find("standby") != std::string::npos);
  app::http_request scrape;
  scrape.method = "GET";
  scrape.path = "/metrics";
  r = ask(*router, scrape);
  CHECK(r.body.find("outrigger_leader") != std::string::npos);

  // The leader goes away: a clear 503, not a hang.
  leader.close();
  router->set_leader("http://127.0.0.1:9"); // nothing listens there
  r = ask(*router, get);
  CHECK(r.status == 503);
  CHECK(r.body.find("leader_unreachable") != std::string::npos);

  // Once this replica leads, its own API answers.
  router->set_role(app::replica_role::leader);
  router->serve_locally([](app::http_request, app::responder done) {
    done(app::http_response{200, "application/json", R"({"local":true})", {}});
  });
  CHECK(ask(*router, get).body == R"({"local":true})");
}

} // namespace outrigger::test
