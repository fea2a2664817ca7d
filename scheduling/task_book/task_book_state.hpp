#pragma once
// The task book: the single source of truth for tasks, attempts, the results
// log and the framework id (design.md, "Architecture"). State with plain member
// functions; the actor that wraps it owns the state store and calls commit()
// before it lets anyone act on a change.
//
// Durability: every change is a record appended to the state store and gets
// a sequence number; commit() makes everything appended durable and returns
// the durable sequence. The status tracker ACKs an update only once
// durable_seq() has reached the sequence of its change, and the offer
// matcher's ACCEPT is sent only after the LAUNCHING record of each of its
// tasks is durable, so a crash between the two is reconciled, never launched
// twice.

#include "protocol/task_status.hpp"
#include "scheduling/store/state_store.hpp"
#include "scheduling/task_book/api_error.hpp"
#include "scheduling/task_book/key_index.hpp"
#include "scheduling/task_book/task.hpp"
#include "scheduling/task_book/task_spec_validation.hpp"
#include "scheduling/task_book/task_table.hpp"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace outrigger::scheduling {

namespace records {
struct framework_set;
struct framework_gone;
struct submit;
struct launch;
struct status;
struct kill;
} // namespace records

/// Settings of the task book.
struct task_book_config {
  /// Defaults and limits of submissions.
  task_spec_rules rules;
  /// Specs accepted in one batch submission ({"tasks": [...]}).
  std::size_t max_batch = 1000;
  /// Results kept for readers; older ones are dropped (cursors go on).
  std::size_t max_results = 100'000;
  /// Terminal tasks kept (for queries and key idempotency); the oldest
  /// terminal ones are forgotten first.
  std::size_t max_terminal_tasks = 200'000;
  /// Attempts that never started (the master dropped them or never saw
  /// them) are retried at once without counting, up to this many per task;
  /// after that they count like any other.
  std::uint32_t max_unstarted_attempts = 20;
  /// Compact when the log exceeds this many bytes and twice the last
  /// snapshot.
  std::uint64_t compact_min_bytes = 64ull << 20;
};

/// A queued task the offer matcher should try to place.
struct pending_task {
  task_id id = 0;
  std::uint32_t attempt = 0; ///< the attempt number a launch will use
  std::shared_ptr<const task_spec> spec;
  time_point ready_at{}; ///< not placed before (queued time or backoff end)
  bool operator==(const pending_task&) const = default;
};

/// A launched attempt that must be killed.
struct kill_order {
  attempt_ref ref;
  interned agent_id; ///< empty when the agent is not known yet
  std::optional<duration> grace_period;
  bool operator==(const kill_order&) const = default;
};

/// A launched attempt (for reconciliation and constraint counting).
struct launched_attempt {
  attempt_ref ref;
  task_phase state = task_phase::launching;
  interned agent_id;
  interned hostname;
  interned queue;
  time_point launched_at{};
  bool kill_requested = false;
};

/// What changed that other actors must hear about. Drained by
/// take_notices() after each batch of changes.
struct book_notices {
  std::vector<pending_task> queued; ///< entered the queue: matcher holds
  std::vector<task_id> withdrawn;   ///< left the queue unlaunched: drop
  std::vector<kill_order> kills;    ///< launched attempts to kill
  std::vector<attempt_ref> ended;   ///< launched attempts that ended
  bool results = false;             ///< the results log grew

  /// True when there is nothing to tell.
  bool empty() const noexcept {
    return queued.empty() && withdrawn.empty() && kills.empty() &&
           ended.empty() && !results;
  }
};

/// What submit() did.
struct submit_outcome {
  const task_record* task = nullptr;
  bool created = false;  ///< false: the key was known, nothing changed
  std::uint64_t seq = 0; ///< the change to wait for (last_seq() if none)
};

/// What kill() did.
struct kill_outcome {
  const task_record* task = nullptr;
  bool cancelled = false; ///< queued: ended at once as KILLED
  bool kill_sent = false; ///< launched: a KILL must go out (notice)
  bool already_terminal = false;
  std::uint64_t seq = 0;
};

/// How an update related to what the book knew.
enum class status_effect : std::uint8_t {
  applied,       ///< the task changed; a record was appended
  duplicate,     ///< the state it already had (a retried update)
  out_of_order,  ///< older than the known state: never moves a task back
  stale_attempt, ///< about an earlier attempt of the task
  unknown_task,  ///< not a task of this book (or not an outrigger id)
};

/// "applied", "duplicate", ...
std::string_view to_string(status_effect effect) noexcept;

/// What apply_status() did.
struct status_outcome {
  status_effect effect = status_effect::unknown_task;
  std::optional<attempt_ref> ref; ///< the parsed Mesos task id
  /// The update says an attempt is alive that the book holds finished,
  /// superseded or unknown: it must be killed (it would run twice).
  bool zombie = false;
  bool requeued = false; ///< the attempt ended and the task was requeued
  bool finished = false; ///< the task reached its terminal state
  std::uint64_t seq = 0; ///< the change to wait for before the ACK
};

/// A query of list().
struct list_query {
  std::optional<task_phase> phase; ///< only tasks in this phase
  std::string key_prefix;          ///< only keys starting with this
  task_id after = 0;               ///< cursor: ids greater than this
  std::size_t limit = 100;
  std::string queue; ///< only this queue, or "" for any
  std::string role;  ///< only this role, or "" for any
};

/// A page of list(). Pointers stay valid until the next change.
struct list_page {
  std::vector<const task_record*> tasks;
  task_id next = 0; ///< cursor for the next page; 0 when there is none
};

/// A page of the results log. Pointers stay valid until the next change.
struct results_page {
  std::vector<const task_result*> results;
  std::uint64_t next = 0; ///< pass as `after` to continue
  bool truncated = false; ///< results after `after` were already dropped
};

/// What recover() found.
struct book_recovery {
  bool snapshot = false;
  std::size_t records = 0;
  std::size_t tasks = 0;
  std::size_t results = 0;
};

/// Error of the task book's state that the actor cannot handle locally
/// (a corrupt record on recovery).
class book_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The task book.
class task_book_state {
public:
  /// A book writing to `store`, which must outlive it.
  task_book_state(task_book_config cfg, store::state_store& store);
  ~task_book_state();

  task_book_state(const task_book_state&) = delete;
  task_book_state& operator=(const task_book_state&) = delete;

  // -- recovery --------------------------------------------------------------

  /// Rebuilds the state from a snapshot and the records after it. Call once,
  /// on an empty book. Throws book_error on a record it cannot read.
  book_recovery recover(const store::recovered_state& recovered);

  /// Notices that bring fresh actors up to date after recover(): every
  /// queued task and every pending kill.
  book_notices recovery_notices() const;

  // -- framework id ----------------------------------------------------------

  /// The framework id, "" before the first SUBSCRIBED.
  const std::string& framework_id() const noexcept { return framework_id_; }

  /// Stores the framework id (no change when equal). Returns the sequence
  /// to wait for before acting on SUBSCRIBED.
  std::uint64_t set_framework_id(const std::string& id);

  /// The master removed the framework: the id is cleared and every launched
  /// attempt ends as LOST with `message`, following its retry policy.
  std::uint64_t framework_removed(time_point now, std::string_view message);

  // -- tasks -----------------------------------------------------------------

  /// Validates and accepts a task, recording `by` (the submitting token's
  /// name) as its submitter. A known key returns the existing task with
  /// created == false (idempotency), whatever the rest of the spec.
  api_result<submit_outcome> submit(task_spec spec, time_point now,
                                    interned by = {});

  /// Decodes a submission (API body) with the book's rules and submits it.
  api_result<submit_outcome> submit_json(const nlohmann::json& body,
                                         time_point now, interned by = {});

  /// The task with this id, or null.
  const task_record* get(task_id id) const;

  /// The task with this key, or null.
  const task_record* find_key(std::string_view key) const;

  /// Tasks in id order from a cursor, filtered by phase and key prefix.
  list_page list(const list_query& query) const;

  /// Number of tasks in the book.
  std::size_t size() const noexcept { return tasks_.size(); }

  /// Number of tasks per phase (index: task_phase).
  const std::array<std::size_t, 14>& phase_counts() const noexcept {
    return phase_counts_;
  }

  /// Kills a task: a queued one ends at once (KILLED, "killed before
  /// launch"); a launched one is marked and a kill notice goes out (the
  /// status tracker re-sends KILL until a terminal update). Killing a task
  /// twice, or a terminal one, changes nothing. With `owner`, only a task
  /// submitted by that name may be killed (else permission_denied): the
  /// API's submit scope kills its own tasks only.
  api_result<kill_outcome>
  kill(task_id id, time_point now,
       std::optional<std::string_view> owner = std::nullopt);

  /// Records that attempt `attempt` of a queued task is written into an
  /// ACCEPT on `agent_id`. Fails (failed_precondition) when the task is no
  /// longer queued, is killed, or the attempt number is not the next one:
  /// then it must be left out of the ACCEPT.
  api_result<std::uint64_t> begin_launch(task_id id, std::uint32_t attempt,
                                         interned agent_id, interned hostname,
                                         time_point now,
                                         interned agent_url = {});

  /// Applies a status update. Duplicates, stale attempts and updates that
  /// would move a task backwards change nothing. A terminal update ends the
  /// attempt; the task is then requeued (invalid offers and attempts that
  /// never started at once, retryable outcomes after the backoff) or ends
  /// with a result.
  status_outcome apply_status(const protocol::TaskStatus& status,
                              time_point now);

  /// Gives the next apply_status() the end of the attempt's stderr, kept
  /// with the attempt and in its result when that update ends it without
  /// success (fetched from the agent just before; see docs/api.yaml).
  void set_stderr_tail(attempt_ref ref, std::string tail) {
    next_tail_.emplace(ref, std::move(tail));
  }

  /// Every launched attempt (LAUNCHING to UNREACHABLE), in id order.
  std::vector<launched_attempt> launched() const;

  // -- results log -----------------------------------------------------------

  /// Results with a cursor greater than `after`, at most `limit`.
  results_page read_results(std::uint64_t after, std::size_t limit) const;

  /// Cursor of the newest result (0: none yet).
  std::uint64_t last_result_cursor() const noexcept { return next_cursor_ - 1; }

  // -- durability ------------------------------------------------------------

  /// Sequence number of the last change appended (0: none in this run).
  std::uint64_t last_seq() const noexcept { return last_seq_; }

  /// Sequence number up to which changes are durable.
  std::uint64_t durable_seq() const noexcept { return durable_seq_; }

  /// Makes every appended change durable (group commit: one sync for all).
  /// Returns durable_seq(). Throws store::store_error (via the store); the
  /// process must then restart and recover, nothing may be acknowledged.
  std::uint64_t commit();

  /// Writes a snapshot when the log has grown past the configured size.
  /// Returns true when it did (everything is durable afterwards).
  bool compact_if_needed();

  /// Writes a snapshot now (everything is durable afterwards).
  void compact();

  /// The whole state as snapshot text (JSON lines).
  std::string snapshot() const;

  /// Changes for other actors since the last call.
  book_notices take_notices();

  /// True when both books hold the same tasks, results and framework id
  /// (recovery tests).
  bool same_content(const task_book_state& other) const;

  /// The configuration.
  const task_book_config& config() const noexcept { return cfg_; }

private:
  template <class Record>
  std::uint64_t record_change(const Record& r);
  void apply(const records::framework_set& r);
  void apply(const records::framework_gone& r);
  void apply(const records::submit& r);
  void apply(const records::launch& r);
  void apply(const records::status& r);
  void apply(const records::kill& r);

  task_record& record_of(task_id id);
  /// The key of a task in the book (for by_key_).
  std::string_view key_of(task_id id) const { return tasks_.at(id).spec->key; }
  void set_phase(task_record& t, task_phase phase);
  void end_attempt(task_record& t, const records::status& r);
  void requeue(task_record& t, time_point ready_at);
  void finish(task_record& t, task_phase state, time_point at,
              std::string_view note = {});
  void forget_oldest_terminal();
  void load_snapshot(std::string_view text);

  task_book_config cfg_;
  store::state_store& store_;
  std::string framework_id_;
  task_table tasks_;
  key_index by_key_;
  std::deque<task_id> terminal_order_; // oldest terminal first
  std::deque<task_result> results_;
  std::array<std::size_t, 14> phase_counts_{};
  task_id next_id_ = 1;
  std::uint64_t next_cursor_ = 1;
  std::uint64_t last_seq_ = 0;
  std::uint64_t durable_seq_ = 0;
  std::uint64_t last_snapshot_bytes_ = 0;
  bool replaying_ = false;
  /// The stderr tail for the next apply_status (set_stderr_tail).
  std::optional<std::pair<attempt_ref, std::string>> next_tail_;
  book_notices notices_;
  std::string scratch_; // record encoding buffer
};

} // namespace outrigger::scheduling
