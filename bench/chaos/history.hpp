#pragma once
// What the chaos run's client saw (Jepsen's "history"): every submission and
// its answers, every kill request, every result read from the results log,
// the framework ids observed and outrigger's exit statuses. Thread-safe; the
// checker reads a copy at the end. Each event is also appended to a JSON
// lines file, so a failed run can be read afterwards.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace outrigger::chaos {

using wall = std::chrono::system_clock;

/// One task as the client meant it and what outrigger answered about it.
struct submission {
  std::string key;
  int duration_ms = 0;             ///< the sim runs it this long (label)
  bool fails = false;              ///< exits 1 (label)
  int max_attempts = 1;            ///< retry.max_attempts of the spec
  bool retry_failed = false;       ///< FAILED is in retry.on
  std::optional<std::uint64_t> id; ///< from a 200/201 answer
  bool acked = false;              ///< some POST got 200 or 201
  int posts = 0;                   ///< POSTs sent (retries with the same key)
  unsigned last_status = 0;        ///< status of the last POST (0: no answer)
  wall::time_point submitted;
};

/// A DELETE /v1/tasks/{id} and its answer.
struct kill_request {
  std::string key;
  std::uint64_t id = 0;
  wall::time_point sent, answered;
  unsigned status = 0;     ///< 200 when recorded by outrigger
  std::string state_after; ///< the task's state in the answer
};

/// One entry read from GET /v1/results.
struct result_entry {
  std::uint64_t cursor = 0, id = 0;
  std::string key, state, reason, message;
  int attempts = 0;
};

/// One exit of an outrigger process.
struct serve_exit {
  int status = 0;
  bool expected = false; ///< we sent the SIGKILL (or stopped it at the end)
  wall::time_point at;
};

/// The whole history (see the file comment).
class history {
public:
  /// Events are appended to `jsonl` as they happen.
  explicit history(const std::filesystem::path& jsonl);

  /// A new submission before its first POST; returns its index.
  std::size_t add_submission(submission s);
  /// The answer of one POST of submission `i` (`id` for 200/201).
  void post_answer(std::size_t i, unsigned status,
                   std::optional<std::uint64_t> id, const std::string& body);
  void add_kill(const kill_request& k);
  void add_result(const result_entry& r);
  void add_framework_id(const std::string& id);
  void add_exit(const serve_exit& e);
  /// A note for the log (faults, phases).
  void note(const std::string& what, const nlohmann::json& detail = {});

  /// Copies for the checker and the summary.
  std::vector<submission> submissions() const;
  std::vector<kill_request> kills() const;
  std::vector<result_entry> results() const;
  std::set<std::string> framework_ids() const;
  std::vector<serve_exit> exits() const;
  /// Submission index by key (the workload's kill thread needs ids).
  std::optional<submission> find(std::size_t i) const;

private:
  void write(nlohmann::json event);

  mutable std::mutex mu_;
  std::ofstream out_;
  std::vector<submission> subs_;
  std::vector<kill_request> kills_;
  std::vector<result_entry> results_;
  std::set<std::string> framework_ids_;
  std::vector<serve_exit> exits_;
};

} // namespace outrigger::chaos
