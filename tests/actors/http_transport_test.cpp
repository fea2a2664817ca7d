// The Beast transport over real loopback sockets against the fake master.
// Waits are bounded and generous; no test depends on timing to pass.

#include "actors/error.hpp"
#include "actors/master_link/http_transport.hpp"
#include "fake_master.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_cert.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <doctest/doctest.h>

#include <variant>

using namespace outrigger;
using namespace outrigger::link;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

const std::string subscribed_json =
  R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw-1"},)"
  R"("heartbeat_interval_seconds":15.0}})";
const std::string heartbeat_json = R"({"type":"HEARTBEAT"})";
const std::string sub_body = R"({"type":"SUBSCRIBE"})";

using message = std::variant<stream_head, std::pair<std::uint64_t, event_ptr>,
                             stream_closed, call_result>;

struct transport_fixture {
  io_thread io;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  transport_ptr make(http_transport_config c = {}) {
    auto f = make_http_transport(io.context(), std::move(c));
    REQUIRE(f);
    return (*f)(caf::actor_cast<link_transport_sink_actor>(self.ptr()));
  }

  /// The next report of the transport (fails after 10 s).
  message next() {
    std::optional<message> out;
    self->receive([&](atom::stream_hd, const stream_head& h) { out = h; },
                  [&](atom::stream_ev, std::uint64_t gen, const event_ptr& e) {
                    out = std::make_pair(gen, e);
                  },
                  [&](atom::stream_end, const stream_closed& c) { out = c; },
                  [&](atom::call_done, const call_result& r) { out = r; },
                  caf::after(std::chrono::seconds(10)) >> [] {});
    REQUIRE_MESSAGE(out, "no report from the transport within 10 s");
    return *out;
  }

  template <class T>
  T next_as() {
    auto m = next();
    REQUIRE_MESSAGE(std::holds_alternative<T>(m),
                    "unexpected report kind " << m.index());
    return std::get<T>(m);
  }

  protocol::event_type next_event(std::uint64_t gen) {
    auto [g, e] = next_as<std::pair<std::uint64_t, event_ptr>>();
    CHECK(g == gen);
    return e->type.value_or(protocol::event_type::unknown);
  }

  static master_url url_of(const fake_master& m) {
    return *parse_master_url(m.origin());
  }
};

} // namespace

TEST_CASE_FIXTURE(transport_fixture,
                  "transport: stream parsed incrementally across chunks") {
  fake_master m;
  http_transport_config c;
  c.auth = credentials{"fw", "pw"};
  auto t = make(c);
  t->open_stream(1, url_of(m), R"({"type":"SUBSCRIBE"})");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  auto& req = s->request();
  CHECK(req.method == "POST");
  CHECK(req.target == "/api/v1/scheduler");
  CHECK(req.header("content-type") == "application/json");
  CHECK(req.header("accept") == "application/json");
  CHECK(req.header("authorization") == "Basic Znc6cHc=");
  CHECK(req.header("mesos-stream-id").empty());
  CHECK(req.body == R"({"type":"SUBSCRIBE"})");
  auto head = next_as<stream_head>();
  CHECK(head.gen == 1);
  CHECK(head.status == 200);
  CHECK(head.stream_id == "stream-1");
  // The first chunk ends inside the length, the second inside the JSON.
  auto bytes = recordio(subscribed_json) + recordio(heartbeat_json) +
               recordio(heartbeat_json);
  s->chunk(bytes.substr(0, 2));
  s->chunk(bytes.substr(2, 40));
  s->chunk(bytes.substr(42, subscribed_json.size() + 4 - 42));
  // SUBSCRIBED arrives while the stream goes on: nothing waits for its end.
  CHECK(next_event(1) == protocol::event_type::subscribed);
  // The rest one byte per chunk, then both heartbeats in one chunk.
  auto rest = bytes.substr(subscribed_json.size() + 4);
  auto first_hb = recordio(heartbeat_json).size();
  for (size_t i = 0; i < first_hb; ++i)
    s->chunk(rest.substr(i, 1));
  CHECK(next_event(1) == protocol::event_type::heartbeat);
  s->chunk(rest.substr(first_hb) + recordio(heartbeat_json));
  CHECK(next_event(1) == protocol::event_type::heartbeat);
  CHECK(next_event(1) == protocol::event_type::heartbeat);
  s->end();
  auto end = next_as<stream_closed>();
  CHECK(end.gen == 1);
  CHECK(end.clean);
}

TEST_CASE_FIXTURE(transport_fixture, "transport: a cut stream is reported") {
  fake_master m;
  auto t = make();
  t->open_stream(7, url_of(m), sub_body);
  auto s = m.wait_stream(0);
  REQUIRE(s);
  next_as<stream_head>();
  s->chunk(recordio(subscribed_json).substr(0, 30));
  s->cut();
  auto end = next_as<stream_closed>();
  CHECK(end.gen == 7);
  CHECK_FALSE(end.clean);
  CHECK(end.reason.find("cut") != std::string::npos);
}

TEST_CASE_FIXTURE(transport_fixture, "transport: 307, 503, 401 heads") {
  fake_master m;
  int n = 0;
  m.on_subscribe([&n](const seen_request&) {
    switch (n++) {
      case 0:
        return fake_reply::respond(
          307, "", {{"Location", "//localhost:5052/master/api/v1/scheduler"}});
      case 1:
        return fake_reply::respond(503, "No leader elected",
                                   {{"Content-Type", "text/plain"}});
      default:
        return fake_reply::respond(
          401, "401 Unauthorized.",
          {{"WWW-Authenticate", "Basic realm=\"mesos-master-scheduler\""}});
    }
  });
  auto t = make();
  t->open_stream(1, url_of(m), sub_body);
  auto a = next_as<stream_head>();
  CHECK(a.status == 307);
  CHECK(a.location == "//localhost:5052/master/api/v1/scheduler");
  t->open_stream(2, url_of(m), sub_body);
  auto b = next_as<stream_head>();
  CHECK(b.gen == 2);
  CHECK(b.status == 503);
  CHECK(b.body == "No leader elected");
  t->open_stream(3, url_of(m), sub_body);
  auto c = next_as<stream_head>();
  CHECK(c.status == 401);
  CHECK(c.body == "401 Unauthorized.");
}

TEST_CASE_FIXTURE(transport_fixture, "transport: bad bytes end the stream") {
  fake_master m;
  auto t = make();
  t->open_stream(1, url_of(m), sub_body);
  auto s = m.wait_stream(0);
  REQUIRE(s);
  next_as<stream_head>();
  s->chunk("12x\n");
  auto a = next_as<stream_closed>();
  CHECK(a.reason.find("protocol error") != std::string::npos);
  CHECK(a.reason.find("RecordIO") != std::string::npos);
  t->open_stream(2, url_of(m), sub_body);
  auto s2 = m.wait_stream(1);
  REQUIRE(s2);
  next_as<stream_head>();
  s2->chunk(recordio("{not json"));
  auto b = next_as<stream_closed>();
  CHECK(b.gen == 2);
  CHECK(b.reason.find("undecodable event") != std::string::npos);
}

TEST_CASE_FIXTURE(transport_fixture, "transport: connection refused") {
  std::uint16_t port;
  {
    fake_master gone;
    port = gone.port();
  }
  auto t = make();
  t->open_stream(1, *parse_master_url("127.0.0.1:" + std::to_string(port)),
                 sub_body);
  auto end = next_as<stream_closed>();
  CHECK_FALSE(end.clean);
  CHECK(end.reason.find("connect 127.0.0.1:" + std::to_string(port)) !=
        std::string::npos);
  t->send_call(5, *parse_master_url("127.0.0.1:" + std::to_string(port)), "sid",
               "{}");
  auto r = next_as<call_result>();
  CHECK(r.id == 5);
  CHECK(r.status == 0);
  CHECK(r.error.find("refused") != std::string::npos);
}

TEST_CASE_FIXTURE(transport_fixture, "transport: close_stream closes it") {
  fake_master m;
  auto t = make();
  t->open_stream(1, url_of(m), sub_body);
  auto s = m.wait_stream(0);
  REQUIRE(s);
  next_as<stream_head>();
  t->close_stream(1);
  CHECK(s->wait_client_close(10s));
  // Nothing more is reported for it: the next report is a later stream's.
  t->open_stream(2, url_of(m), sub_body);
  CHECK(next_as<stream_head>().gen == 2);
}

TEST_CASE_FIXTURE(transport_fixture,
                  "transport: calls on their own keep-alive connection") {
  fake_master m;
  m.on_call([](const seen_request& r) {
    if (r.body == "bad")
      return fake_reply::respond(400, "Framework cannot be found");
    return fake_reply::respond(202);
  });
  auto t = make();
  t->open_stream(1, url_of(m), sub_body);
  auto s = m.wait_stream(0);
  REQUIRE(s);
  next_as<stream_head>();
  t->send_call(10, url_of(m), "stream-1", R"({"type":"REVIVE"})");
  auto a = next_as<call_result>();
  CHECK(a.id == 10);
  CHECK(a.status == 202);
  t->send_call(11, url_of(m), "stream-1", "bad");
  auto b = next_as<call_result>();
  CHECK(b.status == 400);
  CHECK(b.body == "Framework cannot be found");
  auto reqs = m.requests();
  REQUIRE(reqs.size() == 3);
  CHECK(reqs[1].header("mesos-stream-id") == "stream-1");
  CHECK(reqs[1].target == "/api/v1/scheduler");
  CHECK(reqs[1].connection != reqs[0].connection); // not the stream's
  CHECK(reqs[2].connection == reqs[1].connection); // kept alive, reused
}

TEST_CASE_FIXTURE(transport_fixture, "transport: a cancelled call is silent") {
  fake_master m;
  int n = 0;
  m.on_call([&n](const seen_request&) {
    return n++ == 0 ? fake_reply::silence() : fake_reply::respond(202);
  });
  auto t = make();
  t->send_call(1, url_of(m), "sid", "{}");
  REQUIRE(m.wait_requests(1));
  t->cancel_call(1);
  t->send_call(2, url_of(m), "sid", "{}");
  auto r = next_as<call_result>();
  CHECK(r.id == 2);
  CHECK(r.status == 202);
}

TEST_CASE("transport: TLS with CA and host name verification") {
  temp_dir dir{"outrigger-tls"};
  auto good = make_self_signed_cert(dir.path(), "localhost", "good");
  auto other = make_self_signed_cert(dir.path(), "other.example", "other");
  SUBCASE("trusted CA, name and IP both verify") {
    transport_fixture f;
    fake_master m{good.certificate.string(), good.private_key.string()};
    http_transport_config c;
    c.ca_file = good.certificate.string();
    auto t = f.make(c);
    auto port = std::to_string(m.port());
    t->open_stream(1, *parse_master_url("https://localhost:" + port), sub_body);
    REQUIRE(m.wait_stream(0));
    CHECK(f.next_as<stream_head>().status == 200);
    t->open_stream(2, *parse_master_url("https://127.0.0.1:" + port), sub_body);
    auto s = m.wait_stream(1);
    REQUIRE(s);
    CHECK(f.next_as<stream_head>().gen == 2);
    s->chunk(recordio(heartbeat_json));
    CHECK(f.next_event(2) == protocol::event_type::heartbeat);
  }
  SUBCASE("unknown CA fails the handshake") {
    transport_fixture f;
    fake_master m{good.certificate.string(), good.private_key.string()};
    auto t = f.make(); // system CAs only
    t->open_stream(1, *parse_master_url(m.origin()), sub_body);
    auto end = f.next_as<stream_closed>();
    CHECK(end.reason.find("TLS handshake") != std::string::npos);
    CHECK(end.reason.find("certificate verify failed") != std::string::npos);
  }
  SUBCASE("wrong host name fails the handshake") {
    transport_fixture f;
    fake_master m{other.certificate.string(), other.private_key.string()};
    http_transport_config c;
    c.ca_file = other.certificate.string();
    auto t = f.make(c);
    t->open_stream(
      1, *parse_master_url("https://localhost:" + std::to_string(m.port())),
      sub_body);
    auto end = f.next_as<stream_closed>();
    CHECK(end.reason.find("TLS handshake") != std::string::npos);
  }
  SUBCASE("explicit opt-out accepts any certificate") {
    transport_fixture f;
    fake_master m{other.certificate.string(), other.private_key.string()};
    http_transport_config c;
    c.tls_verify = false;
    auto t = f.make(c);
    t->open_stream(
      1, *parse_master_url("https://localhost:" + std::to_string(m.port())),
      sub_body);
    CHECK(f.next_as<stream_head>().status == 200);
  }
  SUBCASE("a missing CA file is a configuration error") {
    io_thread io;
    http_transport_config c;
    c.ca_file = (dir.path() / "missing.pem").string();
    auto f = make_http_transport(io.context(), c);
    REQUIRE_FALSE(f);
    CHECK(describe(f.error()).find("missing.pem") != std::string::npos);
  }
}
