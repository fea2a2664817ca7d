#include "actors/master_link/heartbeat_watchdog.hpp"

#include <cmath>

namespace outrigger::link {

heartbeat_watchdog::heartbeat_watchdog(unsigned max_missed,
                                       caf::timespan fallback) noexcept
  : max_missed_(max_missed == 0 ? 1 : max_missed), fallback_(fallback),
    period_(fallback) {
  // nop
}

caf::timespan
heartbeat_watchdog::arm(std::optional<double> interval_seconds) noexcept {
  period_ = fallback_;
  // A master sending 0, a negative or an absurd interval must not make the
  // watchdog spin or never fire: fall back to the default then.
  if (interval_seconds && std::isfinite(*interval_seconds) &&
      *interval_seconds >= 0.001 && *interval_seconds <= 86400.0)
    period_ = std::chrono::duration_cast<caf::timespan>(
      std::chrono::duration<double>{*interval_seconds});
  missed_ = 0;
  active_ = false;
  armed_ = true;
  return period_;
}

heartbeat_watchdog::verdict heartbeat_watchdog::on_tick() noexcept {
  if (!armed_)
    return verdict::alive;
  if (active_) {
    active_ = false;
    missed_ = 0;
    return verdict::alive;
  }
  ++missed_;
  return missed_ >= max_missed_ ? verdict::dead : verdict::alive;
}

} // namespace outrigger::link
