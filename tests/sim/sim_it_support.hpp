#pragma once
// Helpers of the simulator's integration tests: a scheduler's SUBSCRIBE
// stream and calls over real loopback sockets (tests/sim/http_test_client),
// decoded with the protocol library, and bounded polling. Every wait has a
// generous limit and throws or fails when it passes, so a broken simulator
// fails a test instead of hanging it.

#include "sim/cluster.hpp"
#include "tests/sim/http_test_client.hpp"

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "protocol/recordio.hpp"
#include "protocol/resource_math.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <string>

namespace outrigger::test {

using namespace std::chrono_literals;
namespace pr = outrigger::protocol;
using header_pairs = std::vector<std::pair<std::string, std::string>>;

/// A SUBSCRIBE request's response, read as it arrives.
class scheduler_stream {
public:
  /// POSTs `body` (JSON) to `target` on 127.0.0.1:`port` and reads the
  /// response head; a 200 leaves the body (the stream) to next().
  scheduler_stream(std::uint16_t port, const std::string& body,
                   header_pairs extra = {},
                   const std::string& target = "/api/v1/scheduler");

  /// The response status line and headers.
  const http_reply& head() const { return head_; }
  /// The Mesos-Stream-Id header ("" when absent).
  std::string stream_id() const;
  /// The next record (raw JSON). Throws when the stream ends or nothing
  /// arrives within the client's timeout (20 s).
  std::string next_record();
  /// The next event.
  pr::Event next();
  /// The next event of `type`; others are skipped.
  pr::Event next_of(pr::event_type type);
  /// The next UPDATE's status (other events skipped).
  pr::TaskStatus next_update();
  /// Reads to the end of the stream: true when it ended with the terminating
  /// chunk, false when the connection was cut. Records meanwhile are kept
  /// for next_record(). Throws on timeout.
  bool read_to_end();
  /// True once read_to_end() or next*() saw the end.
  bool ended() const { return ended_; }
  /// The records received and not yet taken by next*().
  std::vector<std::string> take_records();
  /// The connection (e.g. to send a pipelined request).
  http_test_client& client() { return client_; }

private:
  bool fill(); // reads one chunk; false at the end

  http_test_client client_;
  http_reply head_;
  pr::recordio_decoder decoder_;
  std::deque<std::string> records_;
  bool ended_ = false;
  bool cut_ = false;
};

/// One request on a fresh connection; the whole response.
http_reply request(std::uint16_t port, const std::string& method,
                   const std::string& target, const std::string& body = {},
                   header_pairs headers = {});

/// POST of a scheduler call (JSON) with Content-Type and Accept set and, when
/// given, Mesos-Stream-Id.
http_reply post_call(std::uint16_t port, const pr::Call& call,
                     const std::string& stream_id, header_pairs extra = {});

/// SUBSCRIBE of `info`.
std::string subscribe_body(const pr::FrameworkInfo& info);

/// A FrameworkInfo: root, PARTITION_AWARE + TASK_KILLING_STATE, checkpoint,
/// failover_timeout 3600.
pr::FrameworkInfo framework(const std::string& name);

/// A shell command task on `agent` with cpus 0.1, mem 32.
pr::TaskInfo shell_task(const std::string& id, const pr::AgentID& agent,
                        const std::string& command);

/// Polls `pred` every 10 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds limit = 20s);

/// The cluster's status document.
nlohmann::json status_of(sim::cluster& c);

/// Options of a small static cluster for tests: `masters` masters on
/// ephemeral ports, 1 s heartbeats, 100 ms agent re-registration.
sim::cluster_options test_cluster(std::size_t masters = 1);

} // namespace outrigger::test
