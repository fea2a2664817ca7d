// sim::server, event streams: the chunked SUBSCRIBE response as a Mesos
// master frames it (mesos-wire transcripts/10-subscribe-stream1.*), its end
// over keep-alive (transcripts2 item 9), cuts and client disconnects.

#include "protocol/recordio.hpp"
#include "tests/sim/server_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_cert.hpp"

#include <algorithm>
#include <cstdio>

using namespace outrigger;
using namespace outrigger::test;
using namespace std::chrono_literals;
using names = std::vector<std::string>;

namespace {

const std::string subscribe_request =
  "POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1:5050\r\n"
  "Content-Type: application/json\r\nAccept: application/json\r\n"
  "Connection: keep-alive\r\nContent-Length: 20\r\n\r\n"
  "{\"type\":\"SUBSCRIBE\"}";

// Streams are opened by target "/stream"; everything else gets 200 "hello".
// The stream's first record is queued with the reply, like SUBSCRIBED.
void script_streams(server_fixture& f, sim::stream_id id = 7) {
  f.on_io([&f, id] {
    f.endpoint.responder = [&f, id](const sim::http_request& req) {
      if (req.path() != "/stream" && req.path() != "/api/v1/scheduler") {
        sim::handler_reply r;
        r.response.body = "after " + req.target;
        return r;
      }
      f.endpoint.outbox.push_back(
        chunk(id, protocol::recordio_encode(R"({"type":"SUBSCRIBED"})")));
      return stream_reply(id);
    };
  });
}

// Opens a stream on `c` and checks the head and the first record.
void open_stream(http_test_client& c) {
  c.write(subscribe_request);
  auto head = c.read_head();
  REQUIRE(head.status == 200);
  CHECK(head.reason == "OK");
  CHECK(head.header_names() ==
        names{"Date", "Transfer-Encoding", "Mesos-Stream-Id", "Content-Type"});
  CHECK(head.header("Transfer-Encoding") == "chunked");
  CHECK(c.read_chunk() == "21\n{\"type\":\"SUBSCRIBED\"}");
}

} // namespace

TEST_CASE("stream: each output is one chunk carrying RecordIO bytes") {
  server_fixture f;
  script_streams(f);
  http_test_client c{f.port};
  open_stream(c);

  const std::vector<std::string> events{
    R"({"type":"HEARTBEAT"})", R"({"type":"OFFERS","offers":{"offers":[]}})",
    std::string(70000, 'x'), // bigger than any socket buffer
  };
  std::string received;
  for (auto& event : events) {
    f.push(chunk(7, protocol::recordio_encode(event)));
    // Exact framing: lower-case hex size, CRLF, data, CRLF.
    auto record = protocol::recordio_encode(event);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", record.size());
    CHECK(c.read_until("\r\n") == size);
    CHECK(c.read_exact(record.size()) == record);
    CHECK(c.read_exact(2) == "\r\n");
    received += record;
  }
  protocol::recordio_decoder decoder;
  std::vector<std::string> decoded;
  CHECK(decoder.feed(received,
                     [&](std::string_view r) { decoded.emplace_back(r); }));
  CHECK(decoded == events);
  CHECK(f.on_io([&] { return f.server->stream_count(); }) == 1);

  // Output for a stream that does not exist goes nowhere, harmlessly.
  f.push(chunk(99, "5\nhello"));
  f.push(chunk(7, protocol::recordio_encode(R"({"type":"HEARTBEAT"})")));
  CHECK(c.read_chunk() == "20\n{\"type\":\"HEARTBEAT\"}");
}

TEST_CASE("stream: the end is a terminating chunk, the connection then "
          "serves further requests") {
  server_fixture f;
  script_streams(f);
  http_test_client c{f.port};
  open_stream(c);
  sim::stream_output end;
  end.stream = 7;
  end.end = true;
  f.push(end);
  CHECK(c.read_until("\r\n\r\n") == "0\r\n\r\n");
  CHECK(f.eventually([&] { return f.server->stream_count() == 0; }));

  c.write("GET /master/health HTTP/1.1\r\nHost: 127.0.0.1:5050\r\n\r\n");
  auto r = c.read_response();
  CHECK(r.status == 200);
  CHECK(r.body == "after /master/health");
  // The endpoint ended the stream itself: no stream_closed for it.
  CHECK(f.on_io([&] { return f.endpoint.closed.empty(); }));
}

TEST_CASE("stream: a request pipelined during the stream is answered after "
          "its end, in order") {
  server_fixture f;
  script_streams(f);
  http_test_client c{f.port};
  open_stream(c);
  c.write("GET /pipelined HTTP/1.1\r\nHost: x\r\n\r\n");
  // Give the server every chance to answer too early (it must not): the
  // stream is still open, so the next bytes must be this chunk.
  f.push(chunk(7, "5\nfirst"));
  CHECK(c.read_chunk() == "5\nfirst");
  CHECK(f.eventually([&] { return f.endpoint.requests.size() == 1; }));

  sim::stream_output last = chunk(7, "4\nlast");
  last.end = true; // a final record and the end in one output
  f.push(last);
  CHECK(c.read_chunk() == "4\nlast");
  CHECK(c.read_chunk() == std::nullopt);
  CHECK(c.read_response().body == "after /pipelined");
}

TEST_CASE("stream: a cut drops the connection without the terminating "
          "chunk, after what was written before") {
  server_fixture f;
  script_streams(f);
  http_test_client c{f.port};
  open_stream(c);
  f.on_io([&] {
    f.endpoint.outbox.push_back(chunk(7, "5\nlast1"));
    sim::stream_output cut = chunk(7, "5\nlast2");
    cut.cut = true;
    f.endpoint.outbox.push_back(cut);
    f.server->poke();
  });
  CHECK(c.read_chunk() == "5\nlast1");
  CHECK(c.read_chunk() == "5\nlast2");
  CHECK(c.closed_by_peer());
  CHECK(f.eventually([&] { return f.server->connection_count() == 0; }));
  CHECK(f.on_io([&] { return f.endpoint.closed.empty(); }));
}

TEST_CASE("stream: a client that disconnects is reported once") {
  server_fixture f;
  script_streams(f, 42);
  {
    http_test_client c{f.port};
    c.write(subscribe_request);
    c.read_head();
    CHECK(c.read_chunk().has_value());
  } // closed here
  CHECK(f.eventually([&] { return !f.endpoint.closed.empty(); }));
  CHECK(f.on_io([&] { return f.endpoint.closed; }) ==
        std::vector<sim::stream_id>{42});
  CHECK(f.on_io([&] { return f.server->stream_count(); }) == 0);
  // Later output for it is dropped quietly.
  f.push(chunk(42, "2\n{}"));
  CHECK(f.on_io([&] { return f.endpoint.closed.size(); }) == 1);
}

TEST_CASE("stream: cut_streams() drops every stream and tells the endpoint, "
          "close_all() drops everything and tells nobody") {
  server_fixture f;
  sim::stream_id next = 1;
  f.on_io([&] {
    f.endpoint.responder = [&](const sim::http_request& req) {
      if (req.path() == "/stream")
        return stream_reply(next++);
      return sim::handler_reply{};
    };
  });
  http_test_client s1{f.port}, s2{f.port}, plain{f.port};
  s1.send("POST", "/stream", "{}");
  s2.send("POST", "/stream", "{}");
  CHECK(s1.read_head().status == 200);
  CHECK(s2.read_head().status == 200);
  plain.send("GET", "/");
  CHECK(plain.read_response().status == 200);

  f.on_io([&] { f.server->cut_streams(); });
  CHECK(s1.closed_by_peer());
  CHECK(s2.closed_by_peer());
  auto closed = f.on_io([&] { return f.endpoint.closed; });
  std::sort(closed.begin(), closed.end());
  CHECK(closed == std::vector<sim::stream_id>{1, 2});
  plain.send("GET", "/"); // not a stream: untouched
  CHECK(plain.read_response().status == 200);

  http_test_client s3{f.port};
  s3.send("POST", "/stream", "{}");
  CHECK(s3.read_head().status == 200);
  f.on_io([&] { f.server->close_all(); });
  CHECK(s3.closed_by_peer());
  CHECK(plain.closed_by_peer());
  CHECK(f.on_io([&] { return f.endpoint.closed.size(); }) == 2);
  CHECK_THROWS_AS(http_test_client{f.port}, std::runtime_error);
}

TEST_CASE("stream: a stream opened with Connection: close ends the "
          "connection with it") {
  server_fixture f;
  script_streams(f);
  http_test_client c{f.port};
  c.write("POST /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "Content-Length: 0\r\n\r\n");
  CHECK(c.read_head().status == 200);
  CHECK(c.read_chunk().has_value());
  sim::stream_output end;
  end.stream = 7;
  end.end = true;
  f.push(end);
  CHECK(c.read_chunk() == std::nullopt);
  CHECK(c.closed_by_peer());
}

TEST_CASE("stream: over TLS, with a response delay") {
  temp_dir dir{"outrigger-tls"};
  auto cert = make_self_signed_cert(dir.path());
  sim::server_options options;
  options.tls = sim::tls_files{cert.certificate, cert.private_key};
  server_fixture f{options};
  script_streams(f);
  f.on_io([&] { f.server->set_response_delay(100ms); });
  http_test_client c{f.port, cert.certificate};
  open_stream(c);
  f.push(chunk(7, "20\n{\"type\":\"HEARTBEAT\"}"));
  CHECK(c.read_chunk() == "20\n{\"type\":\"HEARTBEAT\"}");
  c.close();
  CHECK(f.eventually([&] { return f.endpoint.closed.size() == 1; }));
}
