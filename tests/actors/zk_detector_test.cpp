// zk_detector against a real ZooKeeper server on loopback (tests/support's
// zk_server), and master_link following a leader failover through it.
// Waits are bounded (20 s) and only for outcomes.

#include "actors/master_link/http_transport.hpp"
#include "actors/master_link/master_link.hpp"
#include "actors/zk_detector/zk_detector.hpp"
#include "fake_master.hpp"
#include "tests/actors/memory_id_store.hpp"
#include "tests/support/zk_server.hpp"
#include "zk_test_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <mutex>

using namespace outrigger;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

struct zk_fixture {
  zk_server server;
  io_thread io; // outlives the actors: transports post into it
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::vector<caf::actor> actors;

  std::mutex mtx;
  std::vector<std::pair<std::int64_t, std::string>> sessions;

  ~zk_fixture() {
    for (auto i = actors.rbegin(); i != actors.rend(); ++i)
      caf::anon_send_exit(*i, caf::exit_reason::user_shutdown);
  }

  zk::zk_config config(std::string path = "/mesos") {
    zk::zk_config c;
    c.hosts = server.connect_string();
    c.path = std::move(path);
    c.session_timeout = 4s;
    c.retry_delay = 100ms;
    c.on_session = [this](std::int64_t id, const std::string& pw) {
      std::lock_guard guard{mtx};
      sessions.emplace_back(id, pw);
    };
    return c;
  }

  zk_detector_actor detector(zk::zk_config c) {
    auto d = zk::spawn_zk_detector(sys, std::move(c));
    actors.push_back(caf::actor_cast<caf::actor>(d));
    self->send(d, atom::subscribe_v,
               caf::actor_cast<leader_listener_actor>(self.ptr()));
    return d;
  }

  /// Receives leader reports until one has `url` (fails after 20 s).
  leader_info wait_leader(const std::string& url) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      std::optional<leader_info> got;
      self->receive([&](atom::leader, const leader_info& l) { got = l; },
                    caf::after(std::chrono::seconds(1)) >> [] {});
      if (got && got->url == url)
        return *got;
      if (std::chrono::steady_clock::now() > deadline) {
        FAIL("no leader report with url '" << url << "' within 20 s");
        return {};
      }
    }
  }

  std::pair<std::int64_t, std::string> last_session() {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard guard{mtx};
        if (!sessions.empty())
          return sessions.back();
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL("no ZooKeeper session observed");
    return {};
  }
};

std::string url_of(unsigned port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

// The id ZooKeeper's digest scheme stores: user:base64(sha1(user:password)).
std::string digest_id(const std::string& user, const std::string& password) {
  unsigned char sha[SHA_DIGEST_LENGTH];
  auto text = user + ":" + password;
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), sha);
  unsigned char b64[64];
  auto n = EVP_EncodeBlock(b64, sha, SHA_DIGEST_LENGTH);
  return user + ":" +
         std::string{reinterpret_cast<char*>(b64), static_cast<size_t>(n)};
}

} // namespace

TEST_CASE_FIXTURE(zk_fixture, "zk: lowest sequence leads, failover, none") {
  zk_test_client admin{server.connect_string()};
  admin.ensure_path("/mesos");
  auto a = std::make_unique<zk_test_client>(server.connect_string());
  auto b = std::make_unique<zk_test_client>(server.connect_string());
  a->register_master("/mesos", master_info_json("127.0.0.1", 5050, "A"));
  b->register_master("/mesos", master_info_json("127.0.0.1", 5052, "B"));
  // Noise Mesos ignores: a legacy label and a non-master child.
  admin.register_master("/mesos", "binary", "info_");
  admin.ensure_path("/mesos/log_replicas");
  detector(config());
  auto first = wait_leader(url_of(5050));
  CHECK(first.master_id == "A");
  CHECK(first.node.rfind("json.info_", 0) == 0);
  a.reset(); // master A goes away: its ephemeral node with it
  CHECK(wait_leader(url_of(5052)).master_id == "B");
  b.reset();
  wait_leader(""); // no leader
  zk_test_client c{server.connect_string()};
  c.register_master("/mesos", master_info_json("127.0.0.1", 5054, "C"));
  CHECK(wait_leader(url_of(5054)).master_id == "C");
}

TEST_CASE_FIXTURE(zk_fixture, "zk: a group path created later is found") {
  detector(config("/later/mesos"));
  wait_leader(""); // answered at once: nobody leads yet
  zk_test_client admin{server.connect_string()};
  admin.ensure_path("/later/mesos");
  admin.register_master("/later/mesos",
                        master_info_json("127.0.0.1", 5060, "L"));
  CHECK(wait_leader(url_of(5060)).master_id == "L");
}

TEST_CASE_FIXTURE(zk_fixture, "zk: session expiry re-creates session+watches") {
  zk_test_client admin{server.connect_string()};
  admin.ensure_path("/mesos");
  auto a = std::make_unique<zk_test_client>(server.connect_string());
  a->register_master("/mesos", master_info_json("127.0.0.1", 5050, "A"));
  zk_test_client b{server.connect_string()};
  b.register_master("/mesos", master_info_json("127.0.0.1", 5052, "B"));
  detector(config());
  wait_leader(url_of(5050));
  auto [id, password] = last_session();
  REQUIRE(server.expire_session(id, password));
  wait_leader("");           // expired: the leader is unknown...
  wait_leader(url_of(5050)); // ...until the new session reads it again
  CHECK(last_session().first != id);
  a.reset(); // the new session's watch sees the change
  CHECK(wait_leader(url_of(5052)).master_id == "B");
}

TEST_CASE_FIXTURE(zk_fixture, "zk: survives a ZooKeeper restart") {
  zk_test_client admin{server.connect_string()};
  admin.ensure_path("/mesos");
  auto a = std::make_unique<zk_test_client>(server.connect_string());
  a->register_master("/mesos", master_info_json("127.0.0.1", 5050, "A"));
  detector(config());
  wait_leader(url_of(5050));
  server.stop();
  server.start();
  zk_test_client b{server.connect_string()};
  b.register_master("/mesos", master_info_json("127.0.0.1", 5052, "B"));
  a.reset();
  CHECK(wait_leader(url_of(5052)).master_id == "B");
}

TEST_CASE_FIXTURE(zk_fixture, "zk: digest authentication") {
  zk_test_client admin{server.connect_string()};
  admin.add_digest("mesos:zkpass");
  auto id = digest_id("mesos", "zkpass");
  std::string scheme = "digest";
  ACL acl{ZOO_PERM_ALL, {scheme.data(), id.data()}};
  ACL_vector acls{1, &acl};
  admin.ensure_path("/secure", &acls);
  admin.register_master("/secure", master_info_json("127.0.0.1", 5070, "S"));
  SUBCASE("with the credentials the leader is found") {
    auto c = config("/secure");
    c.digest = credentials{"mesos", "zkpass"};
    detector(c);
    CHECK(wait_leader(url_of(5070)).master_id == "S");
  }
  SUBCASE("without them nobody is reported") {
    detector(config("/secure"));
    wait_leader("");
    std::optional<leader_info> got;
    self->receive([&](atom::leader, const leader_info& l) { got = l; },
                  caf::after(std::chrono::milliseconds(500)) >> [] {});
    CHECK_FALSE((got && !got->url.empty()));
  }
}

TEST_CASE_FIXTURE(zk_fixture, "zk: the link follows a leader failover") {
  fake_master ma;
  fake_master mb;
  zk_test_client admin{server.connect_string()};
  admin.ensure_path("/mesos");
  auto reg_a = std::make_unique<zk_test_client>(server.connect_string());
  reg_a->register_master("/mesos",
                         master_info_json("127.0.0.1", ma.port(), "A"));
  zk_test_client reg_b{server.connect_string()};
  reg_b.register_master("/mesos",
                        master_info_json("127.0.0.1", mb.port(), "B"));
  auto det = zk::spawn_zk_detector(sys, config());
  actors.push_back(caf::actor_cast<caf::actor>(det));
  auto store_data = std::make_shared<memory_id_store_data>();
  store_data->id = "fw-1";
  auto store = spawn_memory_id_store(sys, store_data);
  actors.push_back(caf::actor_cast<caf::actor>(store));
  link::link_config lc;
  lc.master = "zk://" + server.connect_string() + "/mesos";
  lc.framework = link::default_framework_info("outrigger-test", "root");
  lc.backoff.floor = 50ms;
  lc.backoff.cap = 200ms;
  lc.backoff.max_reconnect = 50;
  auto factory = link::make_http_transport(io.context(), {});
  REQUIRE(factory);
  auto l = link::spawn_master_link(sys, lc, store, *factory, det);
  REQUIRE(l);
  actors.push_back(caf::actor_cast<caf::actor>(*l));
  auto sa = ma.wait_stream(0, 20s);
  REQUIRE(sa);
  sa->chunk(recordio(
    R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw-1"},)"
    R"("heartbeat_interval_seconds":1.0}})"));
  // Subscribed with A first (else A's death can come before its SUBSCRIBED
  // is read, and there is one subscription in all).
  auto metrics_now = [&] {
    link_metrics x;
    self->request(*l, 10s, atom::metrics_v)
      .receive([&](const link_metrics& y) { x = y; },
               [](caf::error& err) { FAIL(describe(err)); });
    return x;
  };
  auto until = std::chrono::steady_clock::now() + 20s;
  while (metrics_now().subscriptions < 1 &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  // Master A dies: its ZooKeeper session closes, its connections drop.
  reg_a.reset();
  ma.kill();
  auto sb = mb.wait_stream(0, 20s);
  REQUIRE(sb);
  CHECK(sb->request().body.find(R"("framework_id":{"value":"fw-1"})") !=
        std::string::npos);
  sb->chunk(recordio(
    R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw-1"},)"
    R"("heartbeat_interval_seconds":1.0}})"));
  auto deadline = std::chrono::steady_clock::now() + 20s;
  link_metrics m;
  do {
    self->request(*l, 10s, atom::metrics_v)
      .receive([&](const link_metrics& x) { m = x; },
               [](caf::error& err) { FAIL(describe(err)); });
    if (m.connected && m.leader == mb.origin())
      break;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(m.connected);
  CHECK(m.leader == mb.origin());
  CHECK(m.subscriptions == 2);
  CHECK(store_data->current() == "fw-1");
}
