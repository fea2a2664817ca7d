// The API's HTTP server over loopback sockets: the bounds that protect it
// from abusive clients (issue 13). Outcomes only, no timings asserted.

#include "app/http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace outrigger::test {

using namespace std::chrono_literals;

namespace {

struct running_server {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
    guard = boost::asio::make_work_guard(ioc);
  app::http_server server;
  std::uint16_t port = 0;
  std::thread thread;

  explicit running_server(app::http_server_options o)
    : server(ioc, (o.port = 0, o), [](app::http_request, app::responder done) {
        done(app::http_response{200, "application/json", "{}", {}});
      }) {
    port = server.start();
    thread = std::thread{[this] { ioc.run(); }};
  }
  ~running_server() {
    boost::asio::post(ioc, [this] { server.close(); });
    guard.reset();
    thread.join();
  }
};

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Sends `raw` and returns the status code of the answer ("" if none in 10 s).
std::string ask_status(int fd, const std::string& raw) {
  ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  while (got.size() < 12) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0)
      break;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got.size() >= 12 ? got.substr(9, 3) : "";
}

std::string get_with_header(std::size_t header_bytes) {
  return "GET /x HTTP/1.1\r\nHost: x\r\nX-Pad: " +
         std::string(header_bytes, 'a') + "\r\n\r\n";
}

} // namespace

TEST_CASE("http_server: the header limit decides, not the read buffer") {
  app::http_server_options o;
  o.max_header = 16 << 10;
  running_server s{o};
  int a = connect_to(s.port);
  CHECK(ask_status(a, get_with_header(12 << 10)) == "200"); // under 16 KiB
  ::close(a);
  int b = connect_to(s.port);
  CHECK(ask_status(b, get_with_header(64 << 10)) == "431");
  ::close(b);
}

TEST_CASE("http_server: connections waiting for a request give way to new "
          "ones, so slow or idle clients cannot lock the API out") {
  app::http_server_options o;
  o.max_connections = 2;
  running_server s{o};
  // Two slow senders take every slot.
  int slow1 = connect_to(s.port);
  int slow2 = connect_to(s.port);
  ::send(slow1, "GET /x HTTP/1.1\r\nX-Slow: ", 25, MSG_NOSIGNAL);
  ::send(slow2, "GET /x HTTP/1.1\r\nX-Slow: ", 25, MSG_NOSIGNAL);
  std::this_thread::sleep_for(1200ms); // past the one-second grace
  int good = connect_to(s.port);
  CHECK(ask_status(good, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n") == "200");
  ::close(good);
  ::close(slow1);
  ::close(slow2);
}


TEST_CASE("http_server: an answer given after the server and its io_context "
          "are gone is dropped") {
  // At shutdown the actor system outlives the server: an API request actor
  // could answer then, and its answer was posted into the freed io_context
  // (found by ASan in a 10-minute chaos run, seed 31).
  app::responder late;
  std::mutex m;
  std::condition_variable asked;
  {
    auto ioc = std::make_unique<boost::asio::io_context>();
    auto guard = boost::asio::make_work_guard(*ioc);
    auto server = std::make_unique<app::http_server>(
      *ioc, app::http_server_options{},
      [&](app::http_request, app::responder done) {
        std::lock_guard lock{m};
        late = std::move(done); // answered later, from elsewhere
        asked.notify_all();
      });
    auto port = server->start();
    std::thread io{[&] { ioc->run(); }};
    int fd = connect_to(port);
    std::string raw = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
    ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
    {
      std::unique_lock lock{m};
      REQUIRE(asked.wait_for(lock, 10s, [&] { return bool(late); }));
    }
    ::close(fd);
    // serve's order: the server, then the io_context's thread and itself.
    server.reset();
    guard.reset();
    ioc->stop();
    io.join();
    ioc.reset();
  }
  // Before the fix: heap-use-after-free under ASan, a crash or worse
  // without it. Now the answer is dropped.
  late(app::http_response{200, "application/json", "{}", {}});
}

} // namespace outrigger::test
