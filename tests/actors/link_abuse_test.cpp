// A misbehaving master over real sockets (issue 13, "master misbehaving"):
// a RecordIO length of 2^62, garbage after a valid record, an OFFERS event
// of 100,000 offers. Each must end in bounded memory, a clear reason and a
// link that recovers by subscribing again; nothing is asserted about time.

#include "link_socket_fixture.hpp"

#include <string>

using namespace outrigger;
using namespace outrigger::test;

namespace {

// An OFFERS event of `n` offers with cpus and mem each.
std::string many_offers(std::size_t n) {
  std::string out = R"({"type":"OFFERS","offers":{"offers":[)";
  for (std::size_t i = 0; i < n; ++i) {
    if (i)
      out += ',';
    auto id = std::to_string(i);
    out += R"({"id":{"value":"o)" + id +
           R"("},"framework_id":{"value":"fw-1"},"agent_id":{"value":"a)" + id +
           R"("},"hostname":"agent)" + id +
           R"(","resources":[{"name":"cpus","type":"SCALAR","scalar":)"
           R"({"value":4}},{"name":"mem","type":"SCALAR","scalar":)"
           R"({"value":8192}}]})";
  }
  return out + "]}}";
}

} // namespace

TEST_CASE_FIXTURE(socket_fixture,
                  "a misbehaving master: a RecordIO length of 2^62 drops the "
                  "stream before anything is allocated, then resubscribes") {
  fake_master m;
  start(config(m.host_port()), "fw-1");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(subscribed("fw-1")));
  REQUIRE(ears->wait("up:") == "up:fw-1");
  s->chunk("4611686018427387904\n{");
  auto down = ears->wait("down:");
  CHECK(down.find("record length exceeds the maximum") != std::string::npos);
  auto s2 = m.wait_stream(1);
  REQUIRE(s2);
  s2->chunk(recordio(subscribed("fw-1")));
  CHECK(ears->wait("up:", 1) == "up:fw-1");
}

TEST_CASE_FIXTURE(socket_fixture,
                  "a misbehaving master: garbage after a valid record is "
                  "refused, the valid record kept, the stream replaced") {
  fake_master m;
  start(config(m.host_port()), "fw-1");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  s->chunk(recordio(subscribed("fw-1")));
  REQUIRE(ears->wait("up:") == "up:fw-1");
  s->chunk(recordio(offers) + "not-a-length\n{}");
  CHECK(ears->wait("event:OFFERS") == "event:OFFERS");
  auto down = ears->wait("down:");
  CHECK(down.find("malformed record length") != std::string::npos);
  auto s2 = m.wait_stream(1);
  REQUIRE(s2);
  s2->chunk(recordio(subscribed("fw-1")));
  CHECK(ears->wait("up:", 1) == "up:fw-1");
}

TEST_CASE_FIXTURE(socket_fixture,
                  "a misbehaving master: an OFFERS event of 100,000 offers "
                  "is decoded and delivered, and the stream goes on") {
  fake_master m;
  start(config(m.host_port()), "fw-1");
  auto s = m.wait_stream(0);
  REQUIRE(s);
  // No heartbeat comes while the record is sent and decoded: under a
  // sanitizer on a loaded machine that took longer than the watchdog's
  // three 15 s periods, and the link rightly dropped the silent stream.
  s->chunk(recordio(subscribed("fw-1", 3600.0)));
  REQUIRE(ears->wait("up:") == "up:fw-1");
  auto big = many_offers(100'000);
  MESSAGE("OFFERS record of " << big.size() << " bytes");
  // In 64 KiB chunks, as a master's socket would deliver it.
  auto framed = recordio(big);
  for (std::size_t at = 0; at < framed.size(); at += 65536)
    s->chunk(framed.substr(at, 65536));
  CHECK(ears->wait("event:OFFERS", 0, std::chrono::seconds(240)) ==
        "event:OFFERS");
  s->chunk(recordio(offers));
  CHECK(ears->wait("event:OFFERS", 1) == "event:OFFERS");
  CHECK(ears->count("down:") == 0);
}
