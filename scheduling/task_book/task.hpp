#pragma once
// What a task is: the spec a client submitted, the record the task
// book keeps (state, attempts, timestamps) and the entries of the results
// log. Plain values: no actors, no clocks (every time is passed in).
//
// Records are kept compact because the service tracks 100,000 tasks in
// 100 MB: repeated strings are interned, the parts most tasks lack (argv,
// container, environment, labels, constraints, ...) live in one shared
// `task_extras` that is absent when empty, and a spec is immutable and shared
// (the book, the matcher and the results log hold the same copy).

#include "protocol/enums.hpp"
#include "scheduling/task_book/interned.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::scheduling {

/// Wall-clock time with millisecond precision (persisted as an integer).
using time_point =
  std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
/// A duration in milliseconds.
using duration = std::chrono::milliseconds;

/// A task's number in the book: assigned in submission order, never reused.
using task_id = std::uint64_t;

// -- states ------------------------------------------------------------------

/// The state of an outrigger task. QUEUED until offers are accepted for it,
/// LAUNCHING once it is written into an ACCEPT, then the Mesos states of its
/// current attempt. UNREACHABLE is not terminal; the states from FINISHED on
/// are.
enum class task_phase : std::uint8_t {
  queued,
  launching,
  staging,
  starting,
  running,
  killing,
  unreachable,
  finished,
  failed,
  killed,
  error,
  lost,
  dropped,
  gone,
};

/// The API spelling, e.g. "QUEUED", "RUNNING".
std::string_view to_string(task_phase phase) noexcept;
/// Parses the API spelling; nullopt when unknown.
std::optional<task_phase> parse_task_phase(std::string_view text) noexcept;

/// True for FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED and GONE.
constexpr bool is_terminal(task_phase p) noexcept {
  return p >= task_phase::finished;
}

/// True while an attempt runs or may still run on an agent (LAUNCHING up to
/// UNREACHABLE): these are the tasks that get reconciled and can be killed.
constexpr bool is_launched(task_phase p) noexcept {
  return p >= task_phase::launching && p <= task_phase::unreachable;
}

/// The task phase a Mesos state maps to; TASK_GONE_BY_OPERATOR becomes GONE
/// and TASK_UNKNOWN becomes LOST (the master does not know the task).
task_phase phase_of(protocol::task_state state) noexcept;

// -- retry policy ------------------------------------------------------------

/// Terminal outcomes a retry policy may retry, as bits of `retry_on`.
enum class retry_outcome : std::uint8_t {
  failed = 1,  ///< the command exited non-zero (TASK_FAILED)
  lost = 2,    ///< TASK_LOST (also TASK_UNKNOWN after reconciliation)
  gone = 4,    ///< TASK_GONE and TASK_GONE_BY_OPERATOR
  dropped = 8, ///< TASK_DROPPED
  error = 16,  ///< TASK_ERROR (an invalid task: rarely worth retrying)
  killed = 32, ///< TASK_KILLED that outrigger did not ask for (preemption)
};

/// The retry_outcome bit of a terminal phase, 0 for FINISHED.
std::uint8_t retry_bit(task_phase terminal) noexcept;

/// How often and how soon a task is tried again. Retries create a new Mesos
/// task id for the same outrigger task; attempts that never started (the
/// master never saw them) do not count.
struct retry_policy {
  std::uint16_t max_attempts = 3;         ///< counted attempts in total, >= 1
  std::uint8_t retry_on = 2 | 4 | 8;      ///< retry_outcome bits
  std::uint32_t backoff_ms = 10'000;      ///< delay before the 2nd attempt
  std::uint32_t max_backoff_ms = 600'000; ///< cap of the doubling delay
  bool operator==(const retry_policy&) const = default;

  /// The delay before attempt `counted + 1` after `counted` counted attempts
  /// (>= 1): min(max_backoff, backoff * 2^(counted - 1)).
  duration delay_after(std::uint32_t counted) const noexcept;
};

// -- spec --------------------------------------------------------------------

/// What a task needs from an offer. mem and disk in MiB, like Mesos.
struct task_resources {
  double cpus = 1;
  double mem = 256;
  double disk = 0;
  double gpus = 0;
  std::uint32_t ports = 0; ///< number of host ports (any values)
  bool operator==(const task_resources&) const = default;
};

/// Placement operators, as in Marathon.
enum class constraint_op : std::uint8_t {
  equals,  ///< field equals value
  like,    ///< field matches the regex value entirely
  unlike,  ///< field does not match the regex value
  unique,  ///< at most one task of the same queue per field value
  max_per, ///< at most `limit` tasks of the same queue per field value
};

/// "EQUALS", "LIKE", "UNLIKE", "UNIQUE", "MAX_PER".
std::string_view to_string(constraint_op op) noexcept;
/// Parses an operator name (case-insensitive); nullopt when unknown.
std::optional<constraint_op> parse_constraint_op(std::string_view) noexcept;

/// A placement constraint on "hostname" or an agent attribute.
struct placement_constraint {
  interned field; ///< "hostname" or an attribute name
  constraint_op op = constraint_op::equals;
  std::string value;       ///< EQUALS / LIKE / UNLIKE operand
  std::uint32_t limit = 0; ///< MAX_PER n (UNIQUE: 1)
  bool operator==(const placement_constraint&) const = default;

  /// True for UNIQUE and MAX_PER, which count tasks already placed.
  bool counts_tasks() const noexcept {
    return op == constraint_op::unique || op == constraint_op::max_per;
  }
};

/// A constraint as the API writes it: field, operator and, except for
/// UNIQUE, the operand (MAX_PER's limit in decimal), e.g. {"rack",
/// "MAX_PER", "2"}. The task JSON is this array; pending reasons join it
/// with spaces.
std::vector<std::string> constraint_words(const placement_constraint& c);

/// How the task is containerized.
enum class container_kind : std::uint8_t {
  none,   ///< plain command (Mesos containerizer, no image)
  mesos,  ///< Mesos containerizer with a Docker image
  docker, ///< Docker containerizer
};

/// A name and a value (environment variables, labels).
struct name_value {
  std::string name;
  std::string value;
  bool operator==(const name_value&) const = default;
};

/// The parts of a spec most tasks do not have; shared and immutable.
struct task_extras {
  std::vector<std::string> argv; ///< argv form of the command (else shell)
  container_kind container = container_kind::none;
  std::string image;       ///< the image when container != none
  bool force_pull = false; ///< pull the image even when cached
  std::vector<name_value> environment;
  std::vector<name_value> labels;
  std::vector<std::string> uris; ///< fetched into the sandbox
  interned user;                 ///< empty: the framework's user
  std::vector<placement_constraint> constraints;
  std::optional<duration> kill_grace_period;
  bool operator==(const task_extras&) const = default;

  /// True when nothing is set (then a spec carries no extras at all).
  bool empty() const noexcept { return *this == task_extras{}; }
};

/// What a client submitted, with every default resolved. Immutable once
/// accepted: share it as std::shared_ptr<const task_spec>.
struct task_spec {
  std::string key;     ///< the client's idempotency key
  std::string command; ///< shell command; empty in argv form
  task_resources resources;
  interned role;  ///< Mesos role whose offers the task uses
  interned queue; ///< scope of UNIQUE / MAX_PER, and a label for users
  std::int32_t priority = 0; ///< higher goes first
  retry_policy retry;
  std::shared_ptr<const task_extras> extras; ///< null when empty

  /// The extras, or an empty set.
  const task_extras& more() const noexcept;
  /// True for a shell command, false for the argv form.
  bool shell() const noexcept { return more().argv.empty(); }

  bool operator==(const task_spec& other) const noexcept;
};

// -- record ------------------------------------------------------------------

/// A string that costs one pointer while empty (most attempts never get a
/// message): 8 bytes instead of std::string's 32 in every attempt of the
/// book. Value semantics.
class compact_text {
public:
  compact_text() = default;
  compact_text(std::string_view text) { assign(text); }
  compact_text(const compact_text& o) { assign(o.view()); }
  compact_text& operator=(const compact_text& o) {
    if (this != &o)
      assign(o.view());
    return *this;
  }
  compact_text(compact_text&&) noexcept = default;
  compact_text& operator=(compact_text&&) noexcept = default;
  compact_text& operator=(std::string_view text) {
    assign(text);
    return *this;
  }

  /// True when there is no text.
  bool empty() const noexcept { return !text_; }
  /// The text ("" when empty).
  const std::string& str() const noexcept {
    static const std::string none;
    return text_ ? *text_ : none;
  }
  /// The text as a view.
  std::string_view view() const noexcept { return str(); }

  bool operator==(const compact_text& o) const noexcept {
    return view() == o.view();
  }

private:
  void assign(std::string_view text) {
    if (text.empty())
      text_.reset();
    else
      text_ = std::make_unique<std::string>(text);
  }
  std::unique_ptr<std::string> text_;
};

/// One try of a task on Mesos, under its own Mesos task id.
struct attempt {
  std::uint32_t number = 0; ///< 1, 2, ...: the suffix of the Mesos task id
  task_phase state = task_phase::launching;
  bool started = false; ///< an agent or executor reported it (it counts)
  std::optional<protocol::status_reason> reason; ///< of the last update
  std::optional<std::int32_t> exit_status;       ///< when the executor said
  interned agent_id;
  interned hostname;
  time_point launched_at{}; ///< written into an ACCEPT
  time_point ended_at{};    ///< terminal update applied
  compact_text message;     ///< of the terminal update
  interned agent_url;       ///< "http://host:port" of the agent, from the offer
  compact_text stderr_tail; ///< end of stderr when it did not finish well
  bool operator==(const attempt&) const = default;
};

/// Everything the book knows about a task.
struct task_record {
  task_id id = 0;
  std::shared_ptr<const task_spec> spec;
  task_phase phase = task_phase::queued;
  bool kill_requested = false;
  time_point submitted_at{};
  time_point updated_at{};
  time_point not_before{}; ///< queued: not placed before (retry backoff)
  std::vector<attempt> attempts;
  /// The name of the API token that submitted it ("" without tokens).
  interned submitted_by;

  /// The latest attempt, or null before the first launch.
  const attempt* current() const noexcept {
    return attempts.empty() ? nullptr : &attempts.back();
  }
  /// Attempts that count against the retry policy.
  std::uint32_t counted_attempts() const noexcept;
  /// The number the next attempt gets.
  std::uint32_t next_attempt() const noexcept {
    return static_cast<std::uint32_t>(attempts.size()) + 1;
  }

  bool operator==(const task_record& other) const noexcept;
};

/// A terminal result in the ordered results log.
struct task_result {
  std::uint64_t cursor = 0; ///< position in the log, from 1, increasing
  task_id id = 0;
  std::string key; ///< the client's key (the task may be forgotten first)
  task_phase state = task_phase::finished;
  std::optional<protocol::status_reason> reason;
  std::string message;
  std::optional<std::int32_t> exit_status;
  std::uint32_t attempts = 0; ///< attempts made (all of them)
  interned agent_id;
  interned hostname;
  time_point submitted_at{};
  time_point started_at{}; ///< launch of the last attempt (0: never)
  time_point finished_at{};
  std::string stderr_tail; ///< end of stderr when not FINISHED (may be "")

  bool operator==(const task_result&) const = default;
};

// -- Mesos task ids ----------------------------------------------------------

/// The Mesos task id of an attempt: "or-<task id>-<attempt>".
std::string mesos_task_id(task_id id, std::uint32_t attempt);

/// A parsed Mesos task id.
struct attempt_ref {
  task_id id = 0;
  std::uint32_t attempt = 0;
  bool operator==(const attempt_ref&) const = default;
};

/// Parses a Mesos task id made by mesos_task_id; nullopt for anything else
/// (tasks of another scheduler sharing the framework, typos).
std::optional<attempt_ref> parse_mesos_task_id(std::string_view text) noexcept;

/// The exit status in a command executor message ("Command exited with
/// status 3"), if there is one.
std::optional<std::int32_t> exit_status_of(std::string_view message) noexcept;

} // namespace outrigger::scheduling
