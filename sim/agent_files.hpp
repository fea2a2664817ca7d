#pragma once
// The files endpoints of a simulated agent (`/files/browse`, `/files/read`,
// `/files/download`, `/files/debug`), answering as the Mesos 1.12 agent does
// (src/files/files.cpp; recorded in tests/data/mesos-wire/transcripts2/
// 44, 45, 80-89f): JSON with sorted keys written like stout's jsonify, 404
// with an empty text/plain body for paths that are not attached, `offset`
// defaulting to -1 (a size query), reads past the end answering 200 with
// no data and the requested offset, reads capped at 16 pages (64 KiB).
//
// What is attached: an exec agent attaches each sandbox run directory three
// ways, like Slave::attach (src/slave/slave.cpp): its real path, the real
// `.../runs/latest` path and the virtual `/frameworks/<fw>/executors/<ex>/
// runs/latest`. A synthetic agent has no files on disk; it serves one
// generated directory per task with a `stdout` (what the task "printed")
// and an empty `stderr` under the same virtual path.
//
// No I/O besides reading the sandboxes: the server (server.cpp) does the
// sockets. Runs on the cluster's io thread.

#include "sim/endpoint.hpp"
#include "sim/synthetic_runtime.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace outrigger::sim {

/// What the endpoint serves.
struct agent_files_options {
  /// Root of the exec agents' sandboxes (`<work_dir>/slaves/<agent>/...`);
  /// empty for a synthetic agent.
  std::filesystem::path work_dir;
  /// Synthetic sandboxes by agent id, framework id and executor id;
  /// nullopt when there is none. Unused when work_dir is set.
  std::function<std::optional<virtual_sandbox>(const std::string& agent,
                                               const std::string& framework,
                                               const std::string& executor)>
    synthetic;
};

/// The `/files/*` routes of one agent.
class agent_files final : public http_endpoint {
public:
  explicit agent_files(agent_files_options options);

  /// The agent's id, once it registered (paths resolve only then).
  void set_agent_id(std::string id) { agent_id_ = std::move(id); }
  const std::string& agent_id() const noexcept { return agent_id_; }

  handler_reply handle(const http_request& request) override;
  std::vector<stream_output> take_output() override { return {}; }
  void stream_closed(stream_id) override {}
  void advance(sim_time) override {}
  std::optional<sim_time> next_deadline() const override {
    return std::nullopt;
  }

private:
  agent_files_options options_;
  std::string agent_id_;
};

/// Writes `text` as a JSON string the way stout's jsonify does: `"` `\`
/// and \b \f \n \r \t escaped, other bytes below 0x20 and 0x7f as \u00XX,
/// everything else (bytes >= 0x80 included, valid UTF-8 or not) raw.
std::string stout_json_string(std::string_view text);

/// Decodes the query component of a request target (`%XX`, `+` is a
/// space); the last value of a repeated name wins.
std::map<std::string, std::string> parse_query(std::string_view target);

} // namespace outrigger::sim
