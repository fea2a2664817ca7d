#pragma once
// Declares a SUBSCRIBE stream dead when the master has been silent for too
// long, even while TCP says the connection is open (a partitioned or hung
// master keeps the socket; design.md, contract 4). The master sends a
// HEARTBEAT every `heartbeat_interval_seconds` (15 s by default); the
// watchdog ticks at that period and counts ticks without any event.

#include <caf/timespan.hpp>

#include <chrono>
#include <optional>

namespace outrigger::link {

/// Counts missed heartbeats. Pure: the owner ticks it on its own timer.
class heartbeat_watchdog {
public:
  /// What a tick concluded.
  enum class verdict { alive, dead };

  /// @param max_missed silent periods in a row after which the stream is
  ///        dead (at least 1).
  /// @param fallback period used when SUBSCRIBED carries no interval.
  explicit heartbeat_watchdog(unsigned max_missed = 3,
                              caf::timespan fallback = std::chrono::seconds{
                                15}) noexcept;

  /// Arms the watchdog for a new subscription and returns the tick period:
  /// the master's interval, or the fallback when it is absent or invalid.
  caf::timespan arm(std::optional<double> interval_seconds) noexcept;

  /// Stops counting (the stream is gone).
  void disarm() noexcept { armed_ = false; }

  /// Any event proves the stream alive, not only HEARTBEAT.
  void on_activity() noexcept { active_ = true; }

  /// One tick period has passed: counts it as missed when nothing arrived.
  /// Dead once `max_missed` periods in a row were silent.
  verdict on_tick() noexcept;

  bool armed() const noexcept { return armed_; }
  unsigned missed() const noexcept { return missed_; }
  unsigned max_missed() const noexcept { return max_missed_; }
  caf::timespan period() const noexcept { return period_; }

private:
  unsigned max_missed_;
  caf::timespan fallback_;
  caf::timespan period_;
  unsigned missed_ = 0;
  bool active_ = false;
  bool armed_ = false;
};

} // namespace outrigger::link
