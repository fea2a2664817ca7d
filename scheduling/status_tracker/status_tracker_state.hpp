#pragma once
// The status tracker: applies UPDATE events to the task book,
// acknowledges each update that carries a uuid only once its effect is
// durable (design.md, contract 7), kills attempts that run although the book
// moved on, re-sends KILL with backoff until a terminal update arrives, and
// reconciles: after every SUBSCRIBED explicitly, for all launched tasks in
// batches, re-asking those not answered; then implicitly on a period.
//
// State with plain member functions; the task book is passed in (the actor
// that owns the book drives the tracker), time is passed in, and the result
// of every step is the calls to send.

#include "protocol/call.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace outrigger::scheduling {

/// Settings of the status tracker.
struct status_tracker_config {
  /// Tasks per explicit RECONCILE call.
  std::size_t reconcile_batch = 1000;
  /// Tasks not answered this long after being asked are asked again.
  duration reconcile_timeout = std::chrono::seconds{30};
  /// Explicit asks per task and subscription; then implicit reconciliation
  /// (and the launch timeout) take over.
  std::uint32_t reconcile_max_asks = 5;
  /// Period of implicit reconciliation once the explicit one is done.
  duration implicit_period = std::chrono::minutes{15};
  /// A task LAUNCHING this long without any update is reconciled
  /// explicitly (its ACCEPT may have been lost: the master answers 202
  /// before it acts on a call). Checked every third of it. Short, because
  /// the cost is small: a task the master knows is answered STAGING, which
  /// ends the question; one it does not know is settled (and requeued).
  duration launch_timeout = std::chrono::seconds{30};
  /// First delay before KILL is sent again; doubles up to kill_backoff_max.
  duration kill_backoff = std::chrono::seconds{5};
  duration kill_backoff_max = std::chrono::minutes{1};
};

/// An ACKNOWLEDGE waiting for its update's change to be durable.
struct pending_ack {
  std::uint64_t seq = 0; ///< the task book change it waits for
  protocol::AgentID agent_id;
  protocol::TaskID task_id;
  protocol::Bytes uuid;
};

/// What on_update() did.
struct update_result {
  status_outcome outcome;  ///< what the book did with it
  bool ack_queued = false; ///< an ACK goes out once outcome.seq is durable
  std::optional<protocol::Call> kill; ///< KILL of a zombie attempt
};

/// Counters for /metrics.
struct tracker_stats {
  std::uint64_t updates = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t stale = 0;
  std::uint64_t unknown = 0;
  std::uint64_t zombies_killed = 0;
  std::uint64_t acks = 0;
  std::uint64_t reconcile_calls = 0;
  std::uint64_t kills_sent = 0;
  std::size_t reconcile_outstanding = 0; ///< asked, not answered yet
  std::size_t reconcile_given_up = 0;    ///< asked max times, no answer
};

/// The status tracker's state.
class status_tracker_state {
public:
  explicit status_tracker_state(status_tracker_config cfg);

  // -- updates ---------------------------------------------------------------

  /// Applies an UPDATE to the book. An update with a uuid (and an agent)
  /// gets an ACK once the book's change — or, for a duplicate or stale
  /// update, everything before it — is durable: never earlier, and always
  /// (the agent re-sends until acknowledged). Answers outstanding
  /// reconciliation; kills zombies.
  update_result on_update(task_book_state& book,
                          const protocol::TaskStatus& status, time_point now);

  /// The ACKs whose changes are durable up to `durable_seq`, in arrival
  /// order; they are forgotten here.
  std::vector<pending_ack> release_acks(std::uint64_t durable_seq);

  /// ACKs waiting for durability.
  std::size_t acks_waiting() const noexcept { return acks_.size(); }

  // -- kills -----------------------------------------------------------------

  /// Starts killing attempts (book notices): a KILL now, again with backoff
  /// until the book holds the attempt terminal.
  std::vector<protocol::Call> on_kills(const task_book_state& book,
                                       const std::vector<kill_order>& kills,
                                       time_point now);

  /// Attempts whose KILL is re-sent until they end.
  std::size_t kills_tracked() const noexcept { return kills_.size(); }

  // -- reconciliation --------------------------------------------------------

  /// A new subscription: explicit RECONCILE of every launched attempt in
  /// batches (the master may have lost or finished any of them meanwhile),
  /// and KILLs for the attempts being killed.
  std::vector<protocol::Call> on_subscribed(const task_book_state& book,
                                            time_point now);

  /// Timer: re-asks unanswered tasks, implicit reconciliation when due,
  /// explicit reconciliation of tasks stuck in LAUNCHING, KILL retries.
  std::vector<protocol::Call> tick(const task_book_state& book, time_point now);

  /// When tick() next has something to do, if ever.
  std::optional<time_point> next_deadline() const;

  /// True while the explicit reconciliation of the last subscription has
  /// tasks not answered (and not given up).
  bool reconciling() const noexcept { return !outstanding_.empty(); }

  /// Counters.
  tracker_stats stats() const;

  /// The configuration.
  const status_tracker_config& config() const noexcept { return cfg_; }

private:
  struct asked {
    std::uint32_t attempt = 0;
    std::uint32_t asks = 0;
    interned agent_id;
    time_point last_asked{};
  };
  struct kill_retry {
    std::uint32_t attempt = 0;
    interned agent_id;
    std::optional<duration> grace;
    duration delay{};
    time_point next_at{};
  };

  void ask(const protocol::FrameworkID& fw,
           const std::vector<std::pair<task_id, asked*>>& tasks, time_point now,
           std::vector<protocol::Call>& out);
  protocol::Call kill_call(const protocol::FrameworkID& fw, task_id id,
                           const kill_retry& k) const;

  status_tracker_config cfg_;
  std::deque<pending_ack> acks_;
  std::map<task_id, asked> outstanding_; // explicit reconciliation
  std::map<task_id, kill_retry> kills_;
  std::optional<time_point> next_explicit_; // re-ask of outstanding_
  std::optional<time_point> next_implicit_;
  std::optional<time_point> next_launch_check_; // stuck LAUNCHING tasks
  tracker_stats stats_;
};

} // namespace outrigger::scheduling
