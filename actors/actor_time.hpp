#pragma once
// Time for the scheduling actors, read from CAF's clock so that tests which
// drive CAF's clock drive the actors' notion of "now" too (design.md: all
// time goes through CAF). The state classes take wall-clock time_points;
// these helpers derive them and arm one deadline timer per actor.

#include "actors/messages.hpp"
#include "scheduling/task_book/task.hpp"

#include <caf/actor_clock.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

namespace outrigger {

/// Wall-clock time derived from an actor's clock: the wall time at start
/// plus the time CAF's clock advanced since.
class actor_wall_clock {
public:
  /// Anchors the clock at CAF's `mono_now`.
  void start(caf::actor_clock::time_point mono_now) {
    wall0_ = std::chrono::system_clock::now();
    mono0_ = mono_now;
  }

  /// The wall-clock time at CAF's `mono_now`.
  scheduling::time_point now(caf::actor_clock::time_point mono_now) const {
    auto t =
      wall0_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                 mono_now - mono0_);
    return std::chrono::time_point_cast<scheduling::duration>(t);
  }

private:
  std::chrono::system_clock::time_point wall0_;
  caf::actor_clock::time_point mono0_;
};

/// One self-sent (atom::tick, token) timer for the earliest deadline of a
/// state; later deadlines wait for it, stale ticks are recognized by their
/// token.
class deadline_timer {
public:
  /// Arms the timer for `due` unless an earlier one is armed already.
  template <class Self>
  void arm(Self* self, std::optional<scheduling::time_point> due,
           scheduling::time_point now) {
    if (!due || (at_ && *at_ <= *due))
      return;
    at_ = due;
    auto delay = std::max(scheduling::duration{0}, *due - now);
    self->delayed_send(self, delay, atom::tick_v, ++token_);
  }

  /// True when the tick with `token` is the armed one (it is then disarmed).
  bool fire(std::uint64_t token) {
    if (token != token_)
      return false;
    at_.reset();
    return true;
  }

private:
  std::uint64_t token_ = 0;
  std::optional<scheduling::time_point> at_;
};

} // namespace outrigger
