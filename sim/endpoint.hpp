#pragma once
// The contract between the simulator's HTTP server and what it serves. The
// server (Beast, one thread) parses requests, hands them over, writes the
// replies, keeps event streams open and feeds them the bytes it collects
// with take_output(). It also tells the endpoint the time, so that all
// behaviour in time (heartbeats, offers, retries, timeouts) is driven by
// advance() and tests can drive it with a fake clock instead.

#include "sim/http_message.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace outrigger::sim {

/// Wall-clock time as the simulator sees it (TaskStatus timestamps are wall
/// clock seconds, so one clock serves both purposes).
using sim_clock = std::chrono::system_clock;
using sim_time = sim_clock::time_point;

/// Something that answers HTTP requests and produces stream bytes.
class http_endpoint {
public:
  virtual ~http_endpoint() = default;

  /// Answers one request. A reply with `stream` set opens an event stream.
  virtual handler_reply handle(const http_request& request) = 0;

  /// Bytes to write to open streams since the last call, in order.
  virtual std::vector<stream_output> take_output() = 0;

  /// The client closed stream `id` (or the connection broke).
  virtual void stream_closed(stream_id id) = 0;

  /// Moves the endpoint's clock to `now`, running whatever became due.
  virtual void advance(sim_time now) = 0;

  /// When advance() next has work to do, if ever.
  virtual std::optional<sim_time> next_deadline() const = 0;
};

} // namespace outrigger::sim
