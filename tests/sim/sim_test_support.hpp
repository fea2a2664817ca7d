#pragma once
// Test harness for the simulated master core: a fake clock, requests as
// values, the event streams decoded per stream, a recording task runtime,
// and the comparison of events against the recorded Mesos bytes.

#include "sim/master.hpp"

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "protocol/json_value.hpp"
#include "protocol/resource_math.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace outrigger::sim::test {

using json = nlohmann::ordered_json;
using namespace std::chrono_literals;
namespace pr = outrigger::protocol;

/// The fake clock's epoch: the moment transcript 10 was recorded.
sim_time t0();

/// One stream as a client saw it.
struct stream_view {
  std::vector<pr::Event> events;
  std::vector<std::string> records; ///< raw JSON of each event
  std::vector<bool> taken;          ///< per event: handed out by take()
  bool ended = false;               ///< `0\r\n\r\n`
  bool cut = false;                 ///< connection dropped
};

/// A subscription made through the harness.
struct subscription {
  stream_id stream = 0;
  std::string stream_uuid;
  pr::FrameworkID framework;
  http_response response;
};

/// A task runtime that records calls and reports nothing by itself.
class recording_runtime : public task_runtime {
public:
  struct kill_call {
    pr::AgentID agent;
    pr::TaskID task;
    std::chrono::milliseconds grace;
    bool killing_state;
  };
  std::vector<std::pair<pr::AgentID, pr::TaskInfo>> launched;
  std::vector<kill_call> kills;
  std::vector<std::pair<pr::AgentID, pr::FrameworkID>> shutdowns;

  void launch(const pr::AgentID& a, const pr::FrameworkID&,
              const pr::TaskInfo& t) override {
    launched.emplace_back(a, t);
  }
  void kill(const pr::AgentID& a, const pr::TaskID& t,
            std::chrono::milliseconds grace, bool killing) override {
    kills.push_back({a, t, grace, killing});
  }
  void shutdown_framework(const pr::AgentID& a,
                          const pr::FrameworkID& f) override {
    shutdowns.emplace_back(a, f);
  }
};

/// The simulated master on a fake clock, with helpers to talk to it.
struct harness {
  explicit harness(master_config config = default_config());
  static master_config default_config();

  master m;
  std::map<stream_id, stream_view> streams;

  /// A raw request to the scheduler endpoint (or any path).
  handler_reply request(const std::string& method, const std::string& target,
                        header_list headers, std::string body);
  /// POST of JSON text with Content-Type application/json.
  http_response post(const std::string& body,
                     std::optional<std::string> stream_uuid = {});
  /// POST of a call, encoded by the protocol codec.
  http_response call(const pr::Call& c, const subscription& s);
  /// SUBSCRIBE; collects the stream's first events (pump()).
  subscription subscribe(const pr::FrameworkInfo& info,
                         std::vector<std::string> suppressed = {});
  /// GET of a path.
  http_response get(const std::string& target);

  /// Moves the clock by `d` and collects stream output.
  void advance(sim_clock::duration d);
  /// Collects stream output without moving the clock.
  void pump();

  /// Events of a stream not yet taken.
  std::vector<pr::Event> take(stream_id id);
  /// Events of `type` not yet taken (the others stay).
  std::vector<pr::Event> take(stream_id id, pr::event_type type);
  /// The offers of every OFFERS event not yet taken.
  std::vector<pr::Offer> take_offers(stream_id id);
  /// The statuses of every UPDATE event not yet taken.
  std::vector<pr::TaskStatus> take_updates(stream_id id);

  /// Adds an agent like the recorded one (cpus:2;mem:2048;disk:4096;
  /// ports:[31000-32000]) on `port`.
  pr::AgentID add_agent(std::uint16_t port = 5051,
                        task_runtime* runtime = nullptr,
                        std::string resources = {},
                        std::string attributes = {});

  /// Forgets a stream's events (long runs keep memory flat).
  void clear(stream_id id);
};

/// A FrameworkInfo like the recorded one ("golden-framework", root,
/// PARTITION_AWARE + TASK_KILLING_STATE, failover_timeout 3600).
pr::FrameworkInfo framework_info(std::string name = "golden-framework");
/// The same without capabilities and with failover_timeout 0.
pr::FrameworkInfo legacy_framework_info(std::string name = "legacy");

/// A command task `echo hello` with cpus 0.1, mem 32 on `agent`.
pr::TaskInfo command_task(const std::string& id, const pr::AgentID& agent,
                          double cpus = 0.1, double mem = 32);

/// ACCEPT of one offer launching `tasks`.
pr::Call launch_call(const pr::FrameworkID& fw, const pr::OfferID& offer,
                     std::vector<pr::TaskInfo> tasks,
                     std::optional<double> refuse_seconds = {});

/// The ACKNOWLEDGE of an update.
pr::Call ack_of(const pr::FrameworkID& fw, const pr::TaskStatus& status);

/// A header value, or "" when absent.
std::string header(const http_response& r, const std::string& name);

/// The JSON of an event with volatile values (ids that embed uuids, uuids,
/// timestamps, pids, agent/master ports) replaced by placeholders, so that
/// our events compare equal to the recorded ones field by field.
json normalized(const json& event);

/// Field-by-field differences of two JSON values, as "path: a != b" lines;
/// empty when equal.
std::vector<std::string> json_diff(const json& expected, const json& actual,
                                   const std::string& path = "");

/// The recorded RecordIO records of `name` (e.g.
/// "transcripts/10-subscribe-stream1"); the test fails when the recordings
/// are missing.
std::optional<std::vector<std::string>>
recorded_records(const std::string& name);

} // namespace outrigger::sim::test
