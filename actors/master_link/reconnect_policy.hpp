#pragma once
// The reconnect budget and the backoff between attempts (design.md, contract
// 5). The budget counts *consecutive* failed attempts and is refilled by
// every successful SUBSCRIBED (mesoshttp never refilled it). Delays grow
// exponentially from `floor` to `cap` and are jittered so that a fleet of
// schedulers does not reconnect in lockstep; a delay is never zero, so a
// refusing master is never hammered in a hot loop (pymesos did).

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
  /// Consecutive failed attempts after which the link gives up; 0 means
  /// never give up.
  unsigned max_reconnect = 10;
  /// RNG seed for the jitter; 0 seeds from std::random_device. Tests fix it.
  std::uint64_t seed = 0;
};

/// Checks the ranges of a backoff_config (ec::bad_config naming the field).
caf::error validate(const backoff_config& cfg);

/// Budget and backoff. Pure: no clock, the caller schedules the delays.
class reconnect_policy {
public:
  explicit reconnect_policy(backoff_config cfg);

  /// Records a failed attempt. Returns the delay before the next attempt, or
  /// nullopt when this failure spent the budget (the link must stop).
  std::optional<caf::timespan> on_failure();

  /// Records a successful SUBSCRIBED: the budget is full again.
  void on_success() noexcept { failures_ = 0; }

  /// The delay before reconnecting after a working subscription dropped. Not
  /// a failure: it consumes no budget.
  caf::timespan after_drop();

  /// Failed attempts since the last success.
  unsigned consecutive_failures() const noexcept { return failures_; }

  /// Failures still allowed before giving up (UINT_MAX when unlimited).
  unsigned remaining() const noexcept;

  /// The delay before jitter after the n-th consecutive failure (n >= 1):
  /// min(cap, floor * 2^(n-1)).
  caf::timespan base_delay(unsigned n) const noexcept;

  const backoff_config& config() const noexcept { return cfg_; }

private:
  caf::timespan jittered(caf::timespan base);

  backoff_config cfg_;
  unsigned failures_ = 0;
  std::mt19937_64 rng_;
};

} // namespace outrigger::link
