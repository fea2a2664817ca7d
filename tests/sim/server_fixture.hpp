#pragma once
// A sim::server on a private io_thread serving a scriptable fake endpoint,
// for the server tests. The endpoint is touched on the io thread only:
// tests read and change it through on_io().

#include "sim/io_thread.hpp"
#include "sim/server.hpp"
#include "tests/sim/http_test_client.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <thread>
#include <utility>

namespace outrigger::test {

/// An http_endpoint whose answers the test scripts.
struct fake_endpoint : sim::http_endpoint {
  /// Answers requests; the default says 200 "hello" as text.
  std::function<sim::handler_reply(const sim::http_request&)> responder;
  std::vector<sim::http_request> requests;
  std::vector<sim::stream_output> outbox; ///< handed out by take_output()
  std::vector<sim::stream_id> closed;     ///< stream_closed() calls
  std::size_t advances = 0;
  std::optional<sim::sim_time> deadline;

  sim::handler_reply handle(const sim::http_request& request) override {
    requests.push_back(request);
    if (responder)
      return responder(request);
    sim::handler_reply reply;
    reply.response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    reply.response.body = "hello";
    return reply;
  }
  std::vector<sim::stream_output> take_output() override {
    return std::exchange(outbox, {});
  }
  void stream_closed(sim::stream_id id) override { closed.push_back(id); }
  void advance(sim::sim_time) override { ++advances; }
  std::optional<sim::sim_time> next_deadline() const override {
    return deadline;
  }
};

/// A stream-opening reply, as a Mesos SUBSCRIBE answer looks.
inline sim::handler_reply stream_reply(sim::stream_id id) {
  sim::handler_reply reply;
  reply.response.headers = {{"Mesos-Stream-Id", "stream-" + std::to_string(id)},
                            {"Content-Type", "application/json"}};
  reply.stream = id;
  return reply;
}

/// Output for stream `id`.
inline sim::stream_output chunk(sim::stream_id id, std::string bytes) {
  sim::stream_output out;
  out.stream = id;
  out.bytes = std::move(bytes);
  return out;
}

struct server_fixture {
  sim::io_thread io;
  fake_endpoint endpoint;
  std::unique_ptr<sim::server> server;
  std::uint16_t port = 0;

  explicit server_fixture(sim::server_options options = {}) {
    start(std::move(options));
  }
  ~server_fixture() {
    io.call([&] { server.reset(); });
  }

  void start(sim::server_options options) {
    io.call([&] {
      server = std::make_unique<sim::server>(io.context(), endpoint,
                                             std::move(options));
      port = server->start();
    });
  }

  /// Runs `fn` on the io thread and returns its result.
  template <class F>
  auto on_io(F fn) {
    using result = decltype(fn());
    if constexpr (std::is_void_v<result>) {
      io.call(fn);
    } else {
      std::optional<result> out;
      io.call([&] { out.emplace(fn()); });
      return std::move(*out);
    }
  }

  /// Queues stream output on the io thread and lets the server write it.
  void push(sim::stream_output out) {
    io.call([&] {
      endpoint.outbox.push_back(out);
      server->poke();
    });
  }

  /// Polls `pred` (evaluated on the io thread) until it holds; generous
  /// bound so that only a real failure ends the wait.
  bool eventually(std::function<bool()> pred,
                  std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (on_io(pred))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
};

} // namespace outrigger::test
