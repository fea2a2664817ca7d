#pragma once
// When to try again, and when to give up (design.md, contract 5).
//
// The budget is time, not a count: the link gives up (exit 3) once it has
// been without a subscription for `outage_timeout`, whatever happened in
// between. A count could not be right for every cluster: during a ZooKeeper
// failover the dead leader refuses connections until its session expires
// (10 s by default, 60 s on some clusters), and each refusal would spend
// budget that the outage has not earned (issue 18).
//
// Between attempts:
// * a failure (refused, timed out, an HTTP error) backs off exponentially
//   from `floor` to `cap`, jittered so that a fleet of schedulers does not
//   reconnect in lockstep; a delay is never zero, so a refusing master is
//   never hammered in a hot loop (pymesos did);
// * a "not yet" answer (503 "Master has not finished recovery", "No leader
//   elected", a redirect away from the leader ZooKeeper names) means the
//   failover is under way: it is retried every `not_ready_interval` for up
//   to `not_ready_window`, so the framework subscribes within that interval
//   of the master becoming ready; past the window it backs off like a
//   failure;
// * a new leader reported by the detector starts a fresh schedule: the
//   backoff and the failure count belong to one leader, not to the outage.
//
// Pure: the caller passes the time and schedules the delays.

#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace outrigger::link {

/// Settings of reconnect_policy.
struct backoff_config {
  /// Delay (before jitter) after the first failure.
  caf::timespan floor = std::chrono::seconds{1};
  /// Largest delay (before jitter).
  caf::timespan cap = std::chrono::seconds{30};
  /// Fraction of each delay that is random: a delay lies in
  /// [(1 - jitter) * base, base]. At most 0.9, so no delay is near zero.
  double jitter = 0.5;
  /// Time without a subscription after which the link gives up; zero means
  /// never. The default outlasts a 60 s master ZooKeeper session timeout,
  /// the election and a slow registry recovery.
  caf::timespan outage_timeout = std::chrono::seconds{180};
  /// Optional extra limit: consecutive failed attempts against one leader
  /// ("not yet" answers do not count); 0 (the default) means no limit.
  unsigned max_reconnect = 0;
  /// Delay after a "not yet" answer.
  caf::timespan not_ready_interval = std::chrono::milliseconds{250};
  /// How long "not yet" answers are retried at `not_ready_interval`,
  /// counted from the first of a streak.
  caf::timespan not_ready_window = std::chrono::seconds{60};
  /// RNG seed for the jitter; 0 seeds from std::random_device. Tests fix it.
  std::uint64_t seed = 0;
};

/// Checks the ranges of a backoff_config (ec::bad_config naming the field).
caf::error validate(const backoff_config& cfg);

/// Budget and backoff. Pure: no clock, the caller passes the time.
class reconnect_policy {
public:
  using time_point = caf::actor_clock::time_point;

  explicit reconnect_policy(backoff_config cfg);

  /// The link is without a subscription from `now` on (at start, or a
  /// subscription dropped): starts the outage clock unless it runs.
  void begin_outage(time_point now);

  /// Records a failed attempt. Returns the delay before the next attempt, or
  /// nullopt when the budget is spent (the link must stop).
  std::optional<caf::timespan> on_failure(time_point now);

  /// Records a "not yet" answer. Returns the delay before the next attempt
  /// (`not_ready_interval` within the window), or nullopt when the outage
  /// has lasted `outage_timeout`.
  std::optional<caf::timespan> on_not_ready(time_point now);

  /// The detector named another leader: a fresh schedule (the failure count
  /// and the "not yet" window start again; the outage clock runs on).
  void on_leader_change() noexcept;

  /// Records a successful SUBSCRIBED: the outage is over, the count reset.
  void on_success() noexcept;

  /// The delay before reconnecting after a working subscription dropped. Not
  /// a failure: it consumes no budget.
  caf::timespan after_drop();

  /// Failed attempts since the last success or leader change.
  unsigned consecutive_failures() const noexcept { return failures_; }

  /// Failures still allowed by max_reconnect (UINT_MAX when unlimited).
  unsigned remaining() const noexcept;

  /// Start of the current outage, if there is one.
  std::optional<time_point> outage_since() const noexcept { return since_; }

  /// True when the last nullopt came from the outage clock (else from the
  /// max_reconnect count).
  bool timed_out() const noexcept { return timed_out_; }

  /// The delay before jitter after the n-th consecutive failure (n >= 1):
  /// min(cap, floor * 2^(n-1)).
  caf::timespan base_delay(unsigned n) const noexcept;

  const backoff_config& config() const noexcept { return cfg_; }

private:
  caf::timespan jittered(caf::timespan base);
  // nullopt when the outage clock ran out; else `delay` clamped so that the
  // last attempt happens at the deadline, not up to `cap` after it.
  std::optional<caf::timespan> within_outage(time_point now,
                                             caf::timespan delay);

  backoff_config cfg_;
  unsigned failures_ = 0;
  std::optional<time_point> since_;           // outage start
  std::optional<time_point> not_ready_since_; // first "not yet" of a streak
  bool timed_out_ = false;
  std::mt19937_64 rng_;
};

} // namespace outrigger::link
