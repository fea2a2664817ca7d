#pragma once
// A harness that replays the exchanges recorded from a real Mesos master
// (tests/data/mesos-wire) against a simulated cluster over real sockets and
// compares what comes back: status codes, the headers that matter, error
// bodies exactly, and the events each step causes, field by field.
//
// Ids differ between the recording and the simulator, so the harness keeps
// an id_map learned as ids appear: master ids (hence framework and agent
// ids, which embed them) from SUBSCRIBED events, stream ids from SUBSCRIBE
// responses, offer ids from the OFFERS events matched, status update uuids
// from the UPDATE events matched, master ports from the cluster. Requests are
// rewritten recorded → ours before sending; answers and events are rewritten
// ours → recorded before comparing. Ids the simulator never made stay as
// recorded (e.g. an offer id that is therefore invalid, as it was).
//
// Events: after each step the recorded records it caused (listed by the
// caller) must arrive on our stream, in order per task (two tasks' updates
// may interleave differently), each equal to the recorded one after the
// id rewrite, ignoring timestamps, uuids and executor pids. HEARTBEAT and
// OFFERS events not listed are skipped: when they come is a matter of
// timing; any other unexpected event fails the step.

#include "tests/sim/sim_it_support.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>

namespace outrigger::test {

namespace fs = std::filesystem;

/// The recordings: $OUTRIGGER_MESOS_WIRE_DIR, else tests/data/mesos-wire of
/// the checkout; when absent the current test fails (doctest FAIL).
std::optional<fs::path> mesos_wire_dir();

/// The bytes of a file; throws std::runtime_error when unreadable.
std::string read_bytes(const fs::path& path);

/// The records of recorded stream NAME (NAME.recordio).
std::vector<std::string> recorded_stream(const fs::path& dir,
                                         const std::string& name);

/// One recorded request and its response.
struct recorded_exchange {
  std::string name; ///< e.g. "transcripts/11-accept-launch-echo"
  std::string method;
  std::string target;
  std::uint16_t port = 0; ///< from the Host header
  header_pairs headers;   ///< without Host, User-Agent, Content-Length
  std::string body;
  bool answered = true; ///< false: the master died (transcripts 43)
  unsigned status = 0;
  header_pairs response_headers;
  std::string response_body;
};

/// Reads NAME.txt (a one-shot exchange, or the request of a stream whose
/// response head is then NAME.headers and body NAME.recordio).
recorded_exchange read_exchange(const fs::path& dir, const std::string& name);

/// Recorded ↔ simulator ids (see the file comment).
class id_map {
public:
  /// Maps `recorded` to `ours` (and back).
  void add(const std::string& recorded, const std::string& ours);
  /// Every recorded id in `text` replaced by ours (longest first).
  std::string to_ours(std::string text) const;
  /// Every id of ours in `text` replaced by the recorded one.
  std::string to_recorded(std::string text) const;

private:
  std::map<std::string, std::string> forward_, backward_;
};

/// Replays one recorded session against a cluster.
class replay {
public:
  /// @param ports recorded master port → our master index.
  replay(fs::path dir, sim::cluster& cluster,
         std::map<std::uint16_t, std::size_t> ports = {{5050, 0}});
  ~replay();

  /// SUBSCRIBE as recorded in stream NAME; compares the response head and
  /// then expects `records` of that stream.
  void subscribe(const std::string& name, std::vector<int> records);
  /// A one-shot exchange; compares the answer, then expects `records` of
  /// the recorded stream `stream` (the default: the last subscribed).
  void exchange(const std::string& name, std::vector<int> records = {},
                std::string stream = {});
  /// Expects `records` of recorded stream `stream` on our stream.
  void expect(const std::string& stream, std::vector<int> records);
  /// Expects the offers of OFFERS `records` of recorded stream `stream`,
  /// however our allocator groups them into events (a matter of timing):
  /// each recorded offer is paired with ours by agent and allocation role.
  void expect_offers(const std::string& stream, std::vector<int> records);
  /// Our stream ends as the recorded one did: terminating chunk or cut.
  void expect_end(const std::string& stream);
  /// The client closes our stream (as the recording's client did).
  void close(const std::string& stream);
  /// A call the recording did not make (e.g. REVIVE to skip a filter's
  /// wait); must be answered 202.
  void extra_call(const pr::Call& call, const std::string& stream);
  /// Waits until the executor of `task` (of `stream`'s framework) has
  /// reported `state` to its agent: where the recording shows that a task
  /// had long finished when the next request came, so that the master
  /// knows it, as it did (e.g. transcripts 10: the echo had exited 8 s
  /// before its STARTING was acknowledged).
  void wait_for_task(const std::string& stream, const std::string& task,
                     pr::task_state wanted);
  /// The framework id of our stream for recorded stream `stream`.
  pr::FrameworkID framework(const std::string& stream) const;
  /// Our connection of recorded stream `stream`.
  http_test_client& connection(const std::string& stream);

  id_map ids;

private:
  struct stream_state;
  stream_state& state(const std::string& stream);
  std::uint16_t port_for(std::uint16_t recorded) const;
  void compare_response(const recorded_exchange& rec, const http_reply& ours);
  void match(stream_state& s, const std::string& ours, int record);
  void learn_master(std::size_t index);

  fs::path dir_;
  sim::cluster& cluster_;
  std::map<std::uint16_t, std::size_t> ports_;
  std::map<std::string, std::unique_ptr<stream_state>> streams_;
  std::string last_;
};

} // namespace outrigger::test
