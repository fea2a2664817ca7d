#pragma once
// A CAF actor system on the deterministic test_coordinator: nothing runs
// until the test says so, and time only moves when the test advances it.
// Unlike CAF's test_coordinator_fixture, run() never fires timers on its
// own (periodic timers such as the heartbeat watchdog would loop forever);
// advance() moves the clock and runs what became due. `sched` is named as
// CAF's DSL expects, so expect()/allow() work (caf_doctest_bridge.hpp).

#include "actors/error.hpp"
#include "actors/messages.hpp"
#include "caf_doctest_bridge.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <vector>

namespace outrigger::test {

/// Configuration of the deterministic system.
struct deterministic_config : caf::actor_system_config {
  deterministic_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    outrigger::add_error_category(*this);
  }
};

/// The fixture.
struct deterministic_fixture {
  deterministic_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched;

  deterministic_fixture()
    : sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    sys.await_actors_before_shutdown(false);
  }

  ~deterministic_fixture() {
    // Last spawned first: dependents stop before what they depend on.
    for (auto i = owned.rbegin(); i != owned.rend(); ++i)
      caf::anon_send_exit(*i, caf::exit_reason::user_shutdown);
    run();
  }

  /// Runs every actor until all mailboxes are empty; fires no timer.
  size_t run() { return sched.run(); }

  /// Moves the clock by `d`, firing every timer due, and runs.
  size_t advance(caf::timespan d) {
    auto n = sched.advance_time(d);
    return n + run();
  }

  /// Keeps `h` to be stopped when the test ends.
  template <class Handle>
  Handle own(Handle h) {
    owned.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  /// The state of a stateful actor (for assertions only).
  template <class State, class Handle>
  State& state_of(const Handle& h) {
    using base = typename Handle::base;
    auto ptr = caf::actor_cast<caf::abstract_actor*>(h);
    return dynamic_cast<caf::stateful_actor<State, base>&>(*ptr).state;
  }

  /// The exit reason of a monitored actor that is already down.
  caf::error down_reason() {
    caf::error reason;
    bool got = false;
    self->receive(
      [&](caf::down_msg& m) {
        reason = m.reason;
        got = true;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
    REQUIRE(got);
    return reason;
  }

  std::vector<caf::actor> owned;
};

} // namespace outrigger::test
