#pragma once
// A deterministic timer heap: callbacks run in (time, scheduling order), so
// two timers due at the same instant always fire in the order they were set.
// Cancelling is O(1) (the heap entry is skipped when it surfaces), so
// hundreds of thousands of retry timers stay cheap.

#include "sim/endpoint.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace outrigger::sim {

/// Timers on the simulated clock.
class timer_queue {
public:
  /// Identifies a scheduled timer; 0 is never used (means "no timer").
  using id = std::uint64_t;

  /// Runs `fn` once the clock reaches `at`.
  id schedule(sim_time at, std::function<void()> fn);

  /// Forgets timer `t` (no effect for 0, fired or cancelled timers).
  void cancel(id t);

  /// True while `t` is scheduled and has not fired.
  bool pending(id t) const { return live_.count(t) != 0; }

  /// When the earliest live timer is due.
  std::optional<sim_time> next() const;

  /// Runs every timer due at or before `now`, including the ones those
  /// callbacks schedule at or before `now`. Returns how many ran.
  std::size_t run_until(sim_time now);

  /// Live timers.
  std::size_t size() const noexcept { return live_.size(); }

  /// Drops every timer.
  void clear();

private:
  struct entry {
    sim_time at;
    std::uint64_t seq;
    id key;
    bool operator>(const entry& o) const {
      return at != o.at ? at > o.at : seq > o.seq;
    }
  };
  void drop_dead() const;

  mutable std::priority_queue<entry, std::vector<entry>, std::greater<>> heap_;
  std::unordered_map<id, std::function<void()>> live_;
  std::uint64_t seq_ = 0;
  id next_id_ = 1;
};

} // namespace outrigger::sim
