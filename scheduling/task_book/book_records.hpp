#pragma once
// The records of the task book: one per change, appended to the state store
// and replayed on recovery. A record is the *input* of a change (what was
// submitted, which update arrived, when); applying it is deterministic, so
// the live path (build record, apply, append) and recovery (decode, apply)
// reach the same state by construction. Records are compact JSON objects
// with short member names, e.g.
//   {"op":"status","id":42,"a":1,"s":"RUNNING","at":1700000000000,...}
// Internal to the task book.

#include "scheduling/task_book/task.hpp"

#include "protocol/json_text.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <variant>

namespace outrigger::scheduling::records {

/// The framework id was assigned (or cleared with "").
struct framework_set {
  std::string id;
};

/// The master removed the framework: launched attempts end as LOST.
struct framework_gone {
  time_point at{};
  std::string message;
};

/// A task was accepted.
struct submit {
  task_id id = 0;
  std::shared_ptr<const task_spec> spec;
  time_point at{};
  interned by; ///< the submitting token's name ("by"; absent when empty)
};

/// An attempt was written into an ACCEPT (persisted before it is sent).
struct launch {
  task_id id = 0;
  std::uint32_t attempt = 0;
  interned agent_id;
  interned hostname;
  time_point at{};
  interned agent_url; ///< "http://host:port" of the agent (from the offer)
};

/// A status update that changes the task.
struct status {
  task_id id = 0;
  std::uint32_t attempt = 0;
  task_phase state = task_phase::running;
  std::optional<protocol::status_reason> reason;
  bool from_master = false; ///< source SOURCE_MASTER (or unset)
  interned agent_id;
  std::string message;
  time_point at{};
  std::string stderr_tail; ///< terminal updates: the end of stderr
};

/// A client asked to kill a task.
struct kill {
  task_id id = 0;
  time_point at{};
};

/// Any record.
using record =
  std::variant<framework_set, framework_gone, submit, launch, status, kill>;

/// Appends the JSON text of a record to `out`.
void encode(const framework_set& r, std::string& out);
void encode(const framework_gone& r, std::string& out);
void encode(const submit& r, std::string& out);
void encode(const launch& r, std::string& out);
void encode(const status& r, std::string& out);
void encode(const kill& r, std::string& out);
void encode(const record& r, std::string& out);

/// Decodes a record; throws std::invalid_argument naming what is wrong.
record decode(std::string_view text);

/// Appends `text` as a JSON string literal (quoted, escaped) to `out`.
using protocol::append_json_string;

} // namespace outrigger::scheduling::records
