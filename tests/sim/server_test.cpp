// sim::server, complete responses: exact bytes on the wire, limits, faults,
// TLS. Real sockets on 127.0.0.1; the server runs on its own io thread.

#include "sim/http_wire.hpp"
#include "tests/sim/server_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_cert.hpp"

#include <regex>

using namespace outrigger;
using namespace outrigger::test;
using namespace std::chrono_literals;
using names = std::vector<std::string>;

namespace {

sim::handler_reply reply(unsigned status, sim::header_list headers = {},
                         std::string body = {}) {
  sim::handler_reply r;
  r.response.status = status;
  r.response.headers = std::move(headers);
  r.response.body = std::move(body);
  return r;
}

bool looks_like_http_date(const std::string& s) {
  static const std::regex date{
    R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)"};
  return std::regex_match(s, date);
}

} // namespace

TEST_CASE("http wire: bytes as a Mesos master frames them") {
  // 2026-11-22 00:42:13 UTC, the Date of transcripts/10-subscribe-stream1.
  sim::sim_time t{std::chrono::seconds(1795308133)};
  CHECK(sim::http_date(t) == "Sun, 22 Nov 2026 00:42:13 GMT");

  sim::http_response r;
  r.status = 405;
  r.headers = {{"Allow", "POST"},
               {"Content-Type", "text/plain; charset=utf-8"},
               {"Content-Length", "999"}}; // the server's, not the handler's
  r.body = "405 Method Not Allowed. Expecting one of { 'POST' }, but "
           "received 'GET'.";
  CHECK(sim::serialize_response(r, t) ==
        "HTTP/1.1 405 Method Not Allowed\r\n"
        "Date: Sun, 22 Nov 2026 00:42:13 GMT\r\n"
        "Allow: POST\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 72\r\n\r\n" +
          r.body);

  sim::http_response head;
  head.headers = {{"Mesos-Stream-Id", "105d21d1-b075-4e05-8d19-3d4b8fdb8c76"},
                  {"Content-Type", "application/json"}};
  CHECK(sim::serialize_stream_head(head, t) ==
        "HTTP/1.1 200 OK\r\n"
        "Date: Sun, 22 Nov 2026 00:42:13 GMT\r\n"
        "Transfer-Encoding: chunked\r\n"
        "Mesos-Stream-Id: 105d21d1-b075-4e05-8d19-3d4b8fdb8c76\r\n"
        "Content-Type: application/json\r\n\r\n");

  CHECK(sim::encode_chunk("20\n{\"type\":\"HEARTBEAT\"}") ==
        "17\r\n20\n{\"type\":\"HEARTBEAT\"}\r\n");
  CHECK(sim::encode_chunk("").empty());
  CHECK(sim::http_reason(307) == "Temporary Redirect");
  CHECK(sim::http_reason(413) == "Request Entity Too Large");
  CHECK(sim::header_is_unsafe("X", "a\r\nInjected: 1"));
  CHECK_FALSE(sim::header_is_unsafe("Location", "//localhost:5050/x"));
}

TEST_CASE("server: a complete response carries Date, the handler's headers "
          "in order, Content-Length, and nothing else") {
  server_fixture f;
  f.on_io([&] {
    f.endpoint.responder = [](const sim::http_request& req) {
      return reply(
        405, {{"Allow", "POST"}, {"Content-Type", "text/plain; charset=utf-8"}},
        "405 Method Not Allowed. Expecting one of { 'POST' }, but "
        "received '" +
          req.method + "'.");
    };
  });
  http_test_client c{f.port};
  c.write("GET /master/api/v1/scheduler?x=1 HTTP/1.1\r\n"
          "Host: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
  auto head = c.read_head();
  CHECK(head.status == 405);
  CHECK(head.reason == "Method Not Allowed");
  CHECK(head.header_names() ==
        names{"Date", "Allow", "Content-Type", "Content-Length"});
  CHECK(looks_like_http_date(*head.header("Date")));
  CHECK(head.header("Content-Length") == "72");
  CHECK(c.read_exact(72) ==
        "405 Method Not Allowed. Expecting one of { 'POST' }, but "
        "received 'GET'.");

  auto req = f.on_io([&] { return f.endpoint.requests.at(0); });
  CHECK(req.method == "GET");
  CHECK(req.target == "/master/api/v1/scheduler?x=1");
  CHECK(req.path() == "/master/api/v1/scheduler");
  CHECK(req.header("accept") == "application/json");
  CHECK(req.headers.front().first == "Host");
}

TEST_CASE("server: 202 has Content-Length 0 and no Content-Type, 307 has "
          "Location, the connection is kept alive") {
  server_fixture f;
  f.on_io([&] {
    f.endpoint.responder = [](const sim::http_request& req) {
      if (req.path() == "/redirect")
        return reply(
          307, {{"Location", "//localhost:5052/master/api/v1/scheduler"}});
      return reply(202);
    };
  });
  http_test_client c{f.port};
  c.send("POST", "/api/v1/scheduler", R"({"type":"REVIVE"})",
         {{"Content-Type", "application/json"}});
  auto accepted = c.read_head();
  CHECK(accepted.status == 202);
  CHECK(accepted.reason == "Accepted");
  CHECK(accepted.header_names() == names{"Date", "Content-Length"});
  CHECK(accepted.header("Content-Length") == "0");

  c.send("GET", "/redirect"); // same connection
  auto moved = c.read_response();
  CHECK(moved.status == 307);
  CHECK(moved.reason == "Temporary Redirect");
  CHECK(moved.header_names() == names{"Date", "Location", "Content-Length"});
  CHECK(moved.header("Location") == "//localhost:5052/master/api/v1/scheduler");

  auto bodies = f.on_io([&] { return f.endpoint.requests.at(0).body; });
  CHECK(bodies == R"({"type":"REVIVE"})");
}

TEST_CASE("server: pipelined requests are answered in order") {
  server_fixture f;
  f.on_io([&] {
    f.endpoint.responder = [](const sim::http_request& req) {
      return reply(200, {}, req.target);
    };
  });
  http_test_client c{f.port};
  c.write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /two HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /three HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.read_response().body == "/one");
  CHECK(c.read_response().body == "/two");
  CHECK(c.read_response().body == "/three");
}

TEST_CASE("server: Connection: close is honoured after the response") {
  server_fixture f;
  http_test_client c{f.port};
  c.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(c.read_response().body == "hello");
  CHECK(c.closed_by_peer());
}

TEST_CASE("server: the endpoint's clock advances after requests, at its "
          "deadline, and on the safety tick") {
  sim::server_options options;
  options.tick = std::chrono::hours(1); // only requests and deadlines count
  server_fixture f{options};
  auto before = f.on_io([&] { return f.endpoint.advances; });
  {
    http_test_client c{f.port};
    c.send("GET", "/");
    c.read_response();
  }
  auto after_request = f.on_io([&] { return f.endpoint.advances; });
  CHECK(after_request > before);

  // A deadline makes the server advance without any request.
  f.server->post([&] { f.endpoint.deadline = sim::sim_clock::now() + 50ms; });
  CHECK(f.eventually([&] {
    if (f.endpoint.advances <= after_request + 1)
      return false;
    f.endpoint.deadline.reset();
    return true;
  }));

  sim::server_options ticking;
  ticking.tick = 10ms;
  server_fixture g{ticking};
  CHECK(g.eventually([&] { return g.endpoint.advances >= 5; }));
}

TEST_CASE("server: an oversized body gets 413 and the connection closes") {
  sim::server_options options;
  options.body_limit = 1024;
  server_fixture f{options};
  http_test_client c{f.port};
  // The head announces 2 MiB; a little of the body follows, as curl does.
  c.write("POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\n"
          "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n" +
          std::string(4096, 'x'));
  auto head = c.read_head();
  CHECK(head.status == 413);
  CHECK(head.header("Content-Type") == "text/plain; charset=utf-8");
  auto body = c.read_exact(std::stoul(*head.header("Content-Length")));
  CHECK(body.find("1024") != std::string::npos);
  CHECK(c.closed_by_peer());
  CHECK(f.on_io([&] { return f.endpoint.requests.empty(); }));

  // A body just under the limit is fine.
  http_test_client d{f.port};
  d.send("POST", "/api/v1/scheduler", std::string(1024, 'y'));
  CHECK(d.read_response().status == 200);
}

TEST_CASE("server: an oversized head gets 431, garbage gets 400") {
  sim::server_options options;
  options.header_limit = 2048;
  server_fixture f{options};
  {
    http_test_client c{f.port};
    c.write("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') +
            "\r\n\r\n");
    CHECK(c.read_head().status == 431);
  }
  {
    http_test_client c{f.port};
    c.write("THIS IS NOT HTTP\r\n\r\n");
    CHECK(c.read_head().status == 400);
  }
  CHECK(f.on_io([&] { return f.endpoint.requests.empty(); }));
}

TEST_CASE("server: Expect: 100-continue gets an interim response") {
  server_fixture f;
  http_test_client c{f.port};
  c.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
          "Expect: 100-continue\r\n\r\n");
  CHECK(c.read_until("\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n");
  c.write("body");
  CHECK(c.read_response().status == 200);
  CHECK(f.on_io([&] { return f.endpoint.requests.at(0).body; }) == "body");
}

TEST_CASE("server: a throwing handler gives 500, the server lives on") {
  server_fixture f;
  f.on_io([&] {
    f.endpoint.responder = [](const sim::http_request& req) {
      if (req.target == "/boom")
        throw std::runtime_error("boom");
      return reply(200, {}, "fine");
    };
  });
  http_test_client c{f.port};
  c.send("GET", "/boom");
  CHECK(c.read_response().status == 500);
  c.send("GET", "/ok");
  CHECK(c.read_response().body == "fine");
}

TEST_CASE("server: status 0 closes the connection unanswered, the server "
          "lives on") {
  // master.hpp: the crash of a master (crash_on_unknown_call, transcripts
  // 43) answers nothing at all, not even pipelined requests after it.
  server_fixture f;
  f.on_io([&] {
    f.endpoint.responder = [](const sim::http_request& req) {
      return reply(req.target == "/crash" ? 0 : 200, {}, "fine");
    };
  });
  http_test_client c{f.port};
  c.write("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.closed_by_peer());
  http_test_client again{f.port};
  again.send("GET", "/ok");
  CHECK(again.read_response().body == "fine");
}

TEST_CASE("server: connections are bounded") {
  sim::server_options options;
  options.max_connections = 3;
  server_fixture f{options};
  std::vector<std::unique_ptr<http_test_client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<http_test_client>(f.port));
    clients.back()->send("GET", "/");
    CHECK(clients.back()->read_response().status == 200);
  }
  http_test_client refused{f.port}; // TCP accepts, the server closes at once
  CHECK(refused.closed_by_peer());
  CHECK(f.on_io([&] { return f.server->connection_count(); }) == 3);

  clients.front()->close();
  CHECK(f.eventually([&] { return f.server->connection_count() == 2; }));
  http_test_client again{f.port};
  again.send("GET", "/");
  CHECK(again.read_response().status == 200);
}

TEST_CASE("server: idle connections time out") {
  sim::server_options options;
  options.idle_timeout = 100ms;
  server_fixture f{options};
  http_test_client c{f.port};
  c.send("GET", "/");
  CHECK(c.read_response().status == 200);
  CHECK(c.closed_by_peer(20s));
}

TEST_CASE("server: a response delay holds every answer at least that long") {
  server_fixture f;
  f.on_io([&] { f.server->set_response_delay(300ms); });
  http_test_client c{f.port};
  auto start = std::chrono::steady_clock::now();
  c.send("GET", "/");
  CHECK(c.read_response().status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);

  f.on_io([&] { f.server->set_response_delay(0ms); });
  c.send("GET", "/");
  CHECK(c.read_response().status == 200);
}

TEST_CASE("server: a delayed answer is not taken for an idle connection") {
  sim::server_options options;
  options.idle_timeout = 50ms;
  server_fixture f{options};
  f.on_io([&] { f.server->set_response_delay(300ms); });
  http_test_client c{f.port};
  c.send("GET", "/");
  CHECK(c.read_response().status == 200);
}

TEST_CASE("server: stop and resume accepting on the same port") {
  server_fixture f;
  http_test_client kept{f.port};
  kept.send("GET", "/"); // accepted for sure once answered
  CHECK(kept.read_response().status == 200);
  f.on_io([&] { f.server->stop_accepting(); });
  CHECK_THROWS_AS(http_test_client{f.port}, std::runtime_error);
  kept.send("GET", "/"); // open connections continue
  CHECK(kept.read_response().status == 200);

  auto port = f.on_io([&] { return f.server->resume_accepting(); });
  CHECK(port == f.port);
  http_test_client fresh{f.port};
  fresh.send("GET", "/");
  CHECK(fresh.read_response().status == 200);
}

TEST_CASE("server: TLS with a certificate made at test time") {
  temp_dir dir{"outrigger-tls"};
  auto cert = make_self_signed_cert(dir.path());
  sim::server_options options;
  options.tls = sim::tls_files{cert.certificate, cert.private_key};
  server_fixture f{options};

  http_test_client c{f.port, cert.certificate};
  c.send("POST", "/api/v1/scheduler", "{}",
         {{"Content-Type", "application/json"}});
  auto r = c.read_response();
  CHECK(r.status == 200);
  CHECK(r.body == "hello");
  CHECK(r.header_names() == names{"Date", "Content-Type", "Content-Length"});

  // A client that trusts another certificate refuses the server.
  temp_dir other{"outrigger-tls"};
  auto stranger = make_self_signed_cert(other.path());
  CHECK_THROWS_AS(http_test_client(f.port, stranger.certificate),
                  std::runtime_error);
  // Plain HTTP on the TLS port gets no HTTP answer.
  http_test_client plain{f.port};
  plain.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_THROWS(plain.read_head());
}

TEST_CASE("server: missing TLS files fail start() with a clear message") {
  sim::io_thread io;
  fake_endpoint endpoint;
  sim::server_options options;
  options.tls = sim::tls_files{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  io.call([&] {
    sim::server srv{io.context(), endpoint, options};
    CHECK_THROWS_WITH_AS(srv.start(),
                         doctest::Contains("/nonexistent/cert.pem"),
                         std::runtime_error);
  });
}
