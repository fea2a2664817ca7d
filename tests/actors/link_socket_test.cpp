// master_link end to end over real loopback sockets: the actor, the Beast
// transport and fake masters, on CAF's threaded scheduler. Waits are bounded
// (10 s) and only for outcomes, never for durations.

#include "link_socket_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_cert.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::link;
using namespace outrigger::test;
using namespace std::chrono_literals;

TEST_CASE_FIXTURE(socket_fixture, "sockets: subscribe, offers, a call") {
  fake_master m;
  start(config(m.host_port()));
  auto s = m.wait_stream(0);
  REQUIRE(s);
  CHECK(s->request().body.find(R"("checkpoint":true)") != std::string::npos);
  s->chunk(recordio(subscribed("fw-1")) + recordio(offers));
  CHECK(ears->wait("up:") == "up:fw-1:new");
  CHECK(ears->wait("event:OFFERS") == "event:OFFERS");
  CHECK(store_data->current() == "fw-1");
  protocol::Call revive;
  revive.type = protocol::call_type::revive;
  self->request(*link, 10s, atom::call_v, revive)
    .receive([](const call_outcome& o) { CHECK(o.status == 202); },
             [](caf::error& err) { FAIL(describe(err)); });
  auto reqs = m.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1].header("mesos-stream-id") == "stream-1");
  CHECK(reqs[1].body.find(R"("framework_id":{"value":"fw-1"})") !=
        std::string::npos);
  CHECK(reqs[1].connection != reqs[0].connection);
  auto mx = metrics();
  CHECK(mx.connected);
  CHECK((mx.calls[{"REVIVE", 202}]) == 1);
}

TEST_CASE_FIXTURE(socket_fixture,
                  "sockets: heartbeat loss with TCP open resubscribes") {
  fake_master m;
  auto c = config(m.host_port());
  c.max_missed_heartbeats = 2;
  start(c, "fw-1");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(subscribed("fw-1", 0.05))); // then silence, TCP open
  CHECK(ears->wait("up:") == "up:fw-1");
  CHECK(ears->wait("down:").rfind("down:heartbeat", 0) == 0);
  auto s2 = m.wait_stream(1);
  REQUIRE(s2);
  CHECK(s2->request().body.find(R"("framework_id":{"value":"fw-1"})") !=
        std::string::npos);
  CHECK(s->wait_client_close(10s)); // the dead stream was dropped
  s2->chunk(recordio(subscribed("fw-1", 15.0)));
  CHECK(ears->wait("up:", 1) == "up:fw-1");
}

TEST_CASE_FIXTURE(socket_fixture, "sockets: a cut stream resubscribes") {
  fake_master m;
  start(config(m.host_port()), "fw-1");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(subscribed("fw-1")));
  REQUIRE(ears->wait("up:") == "up:fw-1");
  s->chunk(recordio(offers).substr(0, 20));
  s->cut();
  CHECK(ears->wait("down:").rfind("down:stream_cut", 0) == 0);
  auto s2 = m.wait_stream(1);
  REQUIRE(s2);
  CHECK(s2->request().body.find(R"("value":"fw-1")") != std::string::npos);
}

TEST_CASE_FIXTURE(socket_fixture, "sockets: 307 to the leader") {
  fake_master leader;
  fake_master standby;
  standby.on_subscribe([&](const seen_request&) {
    return fake_reply::respond(
      307, "",
      {{"Location", "//" + leader.host_port() + "/master/api/v1/scheduler"}});
  });
  start(config(standby.host_port()));
  auto s = leader.wait_stream(0);
  REQUIRE(s);
  CHECK(s->request().target == "/master/api/v1/scheduler");
  s->chunk(recordio(subscribed("fw-1")));
  CHECK(ears->wait("up:") == "up:fw-1:new");
  CHECK(metrics().leader == leader.origin());
}

TEST_CASE_FIXTURE(socket_fixture, "sockets: 503 then success") {
  fake_master m;
  int n = 0;
  m.on_subscribe([&n](const seen_request&) {
    return n++ == 0 ? fake_reply::respond(503, "No leader elected")
                    : fake_reply::stream("stream-2");
  });
  start(config(m.host_port()));
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(subscribed("fw-1")));
  CHECK(ears->wait("up:") == "up:fw-1:new");
  auto mx = metrics();
  CHECK(mx.reconnects["unavailable"] == 1);
  CHECK(mx.consecutive_failures == 0);
}

TEST_CASE_FIXTURE(socket_fixture, "sockets: wrong credentials, clear error") {
  fake_master m;
  m.on_subscribe([](const seen_request&) {
    return fake_reply::respond(
      401, "401 Unauthorized.",
      {{"WWW-Authenticate", "Basic realm=\"mesos-master-scheduler\""}});
  });
  http_transport_config http;
  http.auth = credentials{"outrigger", "wrong-sekret"};
  start(config(m.host_port()), "", http);
  auto reason = wait_down();
  auto text = describe(reason);
  CHECK(text.find("unauthorized") != std::string::npos);
  CHECK(text.find("401") != std::string::npos);
  CHECK(text.find("wrong-sekret") == std::string::npos);
  CHECK(exit_status(reason) == 4);
  REQUIRE(m.requests().size() == 1); // no retry loop
  CHECK(m.requests()[0].header("authorization").rfind("Basic ", 0) == 0);
}

TEST_CASE_FIXTURE(socket_fixture, "sockets: removed framework, new one") {
  fake_master m;
  m.on_subscribe([](const seen_request& r) {
    return fake_reply::stream(
      r.body.find("old-fw") != std::string::npos ? "stream-old" : "stream-new");
  });
  start(config(m.host_port()), "old-fw");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(
    R"({"type":"ERROR","error":{"message":"Framework has been removed"}})"));
  s->end();
  CHECK(ears->wait("removed:") == "removed:old-fw");
  auto s2 = m.wait_stream(1);
  REQUIRE(s2);
  CHECK(s2->request().body.find("framework_id") == std::string::npos);
  s2->chunk(recordio(subscribed("new-fw")));
  CHECK(ears->wait("up:") == "up:new-fw:new");
  CHECK(store_data->current() == "new-fw");
}

TEST_CASE_FIXTURE(socket_fixture, "sockets: budget exhausted, clean stop") {
  std::uint16_t port;
  {
    fake_master gone;
    port = gone.port();
  }
  auto c = config("127.0.0.1:" + std::to_string(port));
  c.backoff.max_reconnect = 3;
  start(c);
  auto reason = wait_down();
  CHECK(describe(reason).find("reconnect_budget_exhausted") !=
        std::string::npos);
  CHECK(describe(reason).find("Connection refused") != std::string::npos);
  CHECK(exit_status(reason) == 3);
}

TEST_CASE("sockets: TLS against a self-signed certificate") {
  temp_dir dir{"outrigger-link-tls"};
  auto cert = make_self_signed_cert(dir.path(), "localhost");
  socket_fixture f;
  fake_master m{cert.certificate.string(), cert.private_key.string()};
  http_transport_config http;
  http.ca_file = cert.certificate.string();
  f.start(f.config("https://localhost:" + std::to_string(m.port())), "", http);
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(subscribed("fw-tls")));
  CHECK(f.ears->wait("up:") == "up:fw-tls:new");
  CHECK(f.metrics().leader == "https://localhost:" + std::to_string(m.port()));
}
