// master_link against the Mesos master simulator over real loopback sockets
// (plain and TLS), and against several simulated masters contending in a
// real ZooKeeper. Every wait is bounded and waits for an outcome.

#include "sim_cluster.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_cert.hpp"
#include "tests/support/zk_server.hpp"

#include <mutex>

using namespace outrigger;
using namespace outrigger::test;

namespace {

sim::agent_spec agent() {
  return sim::agent_spec{};
}

protocol::Call revive() {
  protocol::Call c;
  c.type = protocol::call_type::revive;
  return c;
}

/// The framework id in "up:<id>[:new]".
std::string id_of(const std::string& up) {
  auto rest = up.substr(3);
  return rest.substr(0, rest.find(':'));
}

} // namespace

TEST_CASE("sim: subscribe, receive offers, send a call") {
  sim_master a;
  a.with([](sim::master& m) { m.add_agent(agent()); });
  service svc;
  svc.start(service::config(a.origin()));
  auto up = svc.ears->wait("up:");
  REQUIRE_FALSE(up.empty());
  CHECK(up.size() > 3);
  CHECK(up.substr(up.size() - 4) == ":new");
  auto offers = svc.ears->wait("event:OFFERS");
  if (offers.empty()) {
    for (auto& [type, n] : svc.metrics().events)
      MESSAGE("events " << type << ": " << n);
    MESSAGE("offers held by the master: "
            << a.with([](sim::master& m) { return m.offer_count(); }));
  }
  CHECK(offers == "event:OFFERS");
  CHECK(svc.store_data->current() == id_of(up));
  svc.self->request(*svc.link, 10s, atom::call_v, revive())
    .receive([](const call_outcome& o) { CHECK(o.status == 202); },
             [](caf::error& err) { FAIL(describe(err)); });
  CHECK(a.with([](sim::master& m) { return m.framework_count(); }) == 1);
}

TEST_CASE("sim: heartbeat loss with an open socket resubscribes, same id") {
  sim_master a;
  service svc;
  svc.start(service::config(a.origin()));
  auto up = svc.ears->wait("up:");
  REQUIRE_FALSE(up.empty());
  a.with([](sim::master& m) { m.pause_heartbeats(); });
  CHECK(svc.ears->wait("down:").rfind("down:heartbeat", 0) == 0);
  auto again = svc.ears->wait("up:", 1);
  CHECK(again == "up:" + id_of(up));
  a.with([](sim::master& m) { m.resume_heartbeats(); });
  CHECK(a.with([](sim::master& m) { return m.framework_count(); }) == 1);
}

TEST_CASE("sim: a cut stream resubscribes with the same id") {
  sim_master a;
  service svc;
  svc.start(service::config(a.origin()));
  auto up = svc.ears->wait("up:");
  REQUIRE_FALSE(up.empty());
  a.with_server([](sim::server& s) { s.cut_streams(); });
  CHECK(svc.ears->wait("down:").rfind("down:stream_cut", 0) == 0);
  CHECK(svc.ears->wait("up:", 1) == "up:" + id_of(up));
}

TEST_CASE("sim: a standby's 307 leads to the leader") {
  sim_master leader{fast_master(1)};
  sim_master standby{fast_master(2)};
  standby.with([&](sim::master& m) { m.set_leader(leader.info); });
  service svc;
  svc.start(service::config(standby.origin()));
  REQUIRE_FALSE(svc.ears->wait("up:").empty());
  CHECK(svc.metrics().leader == leader.origin());
  CHECK(svc.metrics().leader_changes == 0); // a redirect is no change
  CHECK(leader.with([](sim::master& m) { return m.framework_count(); }) == 1);
}

TEST_CASE("sim: 503 then success") {
  sim_master a;
  a.with([](sim::master& m) { m.set_no_leader(); });
  service svc;
  svc.start(service::config(a.origin()));
  REQUIRE(svc.wait_metrics(
    [](const link_metrics& m) { return m.reconnects.count("unavailable"); }));
  a.with([](sim::master& m) { m.set_leader_self(); });
  REQUIRE_FALSE(svc.ears->wait("up:").empty());
  CHECK(svc.metrics().consecutive_failures == 0);
}

TEST_CASE("sim: no leader past the outage timeout, clean stop, exit status 3") {
  sim_master a;
  a.with([](sim::master& m) { m.set_no_leader(); });
  service svc;
  auto c = service::config(a.origin());
  // "No leader elected" is a "not yet" answer: it spends no count, only
  // time without a subscription.
  c.backoff.outage_timeout = 2s;
  svc.start(c);
  auto reason = svc.wait_down();
  CHECK(describe(reason).find("reconnect_budget_exhausted") !=
        std::string::npos);
  CHECK(describe(reason).find("503") != std::string::npos);
  CHECK(describe(reason).find("no subscription for 2s") != std::string::npos);
  CHECK(exit_status(reason) == 3);
}

TEST_CASE("sim: three outages of max_reconnect-1 failures do not stop it") {
  sim_master a;
  service svc;
  auto c = service::config(a.origin());
  c.backoff.max_reconnect = 3;
  // Without jitter and with a long floor, the next attempt after the second
  // failure is 2 s away: ample time to end the outage.
  c.backoff.jitter = 0;
  c.backoff.floor = 1s;
  c.backoff.cap = 4s;
  svc.start(c);
  auto up = svc.ears->wait("up:");
  REQUIRE_FALSE(up.empty());
  for (int outage = 0; outage < 3; ++outage) {
    a.with_server([](sim::server& s) {
      s.stop_accepting();
      s.cut_streams();
    });
    REQUIRE(svc.wait_metrics(
      [](const link_metrics& m) { return m.consecutive_failures == 2; }));
    a.with_server([](sim::server& s) { s.resume_accepting(); });
    CHECK(svc.ears->wait("up:", outage + 1) == "up:" + id_of(up));
  }
  auto m = svc.metrics();
  CHECK(m.connected);
  CHECK(m.subscriptions == 4);
  CHECK(m.reconnects["connection"] == 6);
}

TEST_CASE("sim: removed framework -> a fresh framework, no crash loop") {
  sim_master a;
  service svc;
  auto c = service::config(a.origin());
  c.framework.failover_timeout = 0.3; // seconds
  svc.start(c);
  auto up = svc.ears->wait("up:");
  REQUIRE_FALSE(up.empty());
  auto old_id = id_of(up);
  // An outage longer than the failover timeout: the master removes it.
  a.with_server([](sim::server& s) {
    s.stop_accepting();
    s.cut_streams();
  });
  REQUIRE(eventually([&] {
    return a.with(
      [](sim::master& m) { return m.completed_framework_count() == 1; });
  }));
  a.with_server([](sim::server& s) { s.resume_accepting(); });
  CHECK(svc.ears->wait("removed:") == "removed:" + old_id);
  auto fresh = svc.ears->wait("up:", 1);
  REQUIRE_FALSE(fresh.empty());
  CHECK(fresh.substr(fresh.size() - 4) == ":new");
  CHECK(id_of(fresh) != old_id);
  CHECK(svc.store_data->current() == id_of(fresh));
  auto m = svc.metrics();
  CHECK(m.connected);
  CHECK(m.subscriptions == 2);
  CHECK(svc.ears->count("removed:") == 1);
}

TEST_CASE("sim: TLS against a self-signed certificate") {
  temp_dir dir{"outrigger-it-tls"};
  auto cert = make_self_signed_cert(dir.path(), "localhost");
  sim_master a{fast_master(), sim::tls_files{cert.certificate.string(),
                                             cert.private_key.string()}};
  service svc;
  link::http_transport_config http;
  http.ca_file = cert.certificate.string();
  svc.start(service::config("https://localhost:" + std::to_string(a.port)), "",
            http);
  REQUIRE_FALSE(svc.ears->wait("up:").empty());
  CHECK(svc.metrics().leader == "https://localhost:" + std::to_string(a.port));
}

TEST_CASE("sim+zk: the link follows leader failovers through ZooKeeper") {
  zk_server zk;
  sim_master a{fast_master(1)}, b{fast_master(2)}, c{fast_master(3)};
  a.contend(zk.connect_string());
  REQUIRE(eventually(
    [&] { return a.with([](sim::master& m) { return m.elected(); }); }));
  // One after the other, so that the sequence order is a < b < c.
  b.contend(zk.connect_string());
  REQUIRE(eventually([&] { return b.contender->own_node().has_value(); }));
  c.contend(zk.connect_string());
  REQUIRE(eventually([&] { return c.contender->own_node().has_value(); }));
  REQUIRE(eventually([&] {
    return !b.with([](sim::master& m) { return m.elected(); }) &&
           !c.with([](sim::master& m) { return m.elected(); });
  }));
  service svc;
  zk::zk_config zc;
  zc.hosts = zk.connect_string();
  zc.path = "/mesos";
  zc.session_timeout = 4s;
  zc.retry_delay = 100ms;
  auto det = svc.detector(zc);
  svc.start(service::config("zk://" + zk.connect_string() + "/mesos"), "", {},
            det);
  auto up = svc.ears->wait("up:");
  REQUIRE_FALSE(up.empty());
  auto id = id_of(up);
  CHECK(svc.metrics().leader == a.origin());
  CHECK(svc.metrics().leader_changes == 0);
  auto t0 = std::chrono::steady_clock::now();
  a.die();
  CHECK(svc.ears->wait("up:", 1) == "up:" + id);
  MESSAGE("resubscribed at the new leader after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - t0)
               .count()
          << " ms (heartbeat interval 200 ms)");
  CHECK(svc.metrics().leader == b.origin());
  b.die();
  CHECK(svc.ears->wait("up:", 2) == "up:" + id);
  CHECK(svc.metrics().leader == c.origin());
  CHECK(svc.metrics().leader_changes == 2);
  CHECK(c.with([](sim::master& m) { return m.framework_count(); }) == 1);
  CHECK(svc.store_data->current() == id);
}

TEST_CASE("sim+zk: a ZooKeeper session expiry leaves the subscription alone") {
  zk_server zk;
  sim_master a;
  a.contend(zk.connect_string());
  REQUIRE(eventually(
    [&] { return a.with([](sim::master& m) { return m.elected(); }); }));
  service svc;
  std::mutex mtx;
  std::vector<std::pair<std::int64_t, std::string>> sessions;
  zk::zk_config zc;
  zc.hosts = zk.connect_string();
  zc.path = "/mesos";
  zc.session_timeout = 4s;
  zc.retry_delay = 100ms;
  zc.on_session = [&](std::int64_t id, const std::string& pw) {
    std::lock_guard guard{mtx};
    sessions.emplace_back(id, pw);
  };
  auto det = svc.detector(zc);
  svc.start(service::config("zk://" + zk.connect_string() + "/mesos"), "", {},
            det);
  REQUIRE_FALSE(svc.ears->wait("up:").empty());
  std::pair<std::int64_t, std::string> first;
  {
    std::lock_guard guard{mtx};
    REQUIRE_FALSE(sessions.empty());
    first = sessions.back();
  }
  REQUIRE(zk.expire_session(first.first, first.second));
  REQUIRE(eventually([&] {
    std::lock_guard guard{mtx};
    return sessions.size() >= 2 && sessions.back().first != first.first;
  }));
  // The detector found the same leader again on its new session.
  REQUIRE(eventually([&] {
    leader_info l;
    svc.self
      ->request(caf::actor_cast<zk_detector_actor>(det), 10s, atom::leader_v)
      .receive([&](const leader_info& x) { l = x; }, [](caf::error&) {});
    return l.url == a.origin();
  }));
  auto m = svc.metrics();
  CHECK(m.connected);
  CHECK(m.subscriptions == 1);
  CHECK(svc.ears->count("down:") == 0);
}
