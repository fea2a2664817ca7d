#include "actors/error.hpp"
#include "actors/master_link/heartbeat_watchdog.hpp"
#include "actors/master_link/reconnect_policy.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace outrigger;
using namespace outrigger::link;
using namespace std::chrono_literals;

namespace {

backoff_config cfg(unsigned max_reconnect, double jitter = 0.5) {
  backoff_config c;
  c.floor = 1s;
  c.cap = 30s;
  c.jitter = jitter;
  c.max_reconnect = max_reconnect;
  c.seed = 42;
  return c;
}

} // namespace

TEST_CASE("backoff: exponential from the floor, capped") {
  reconnect_policy p{cfg(0)};
  CHECK(p.base_delay(1) == 1s);
  CHECK(p.base_delay(2) == 2s);
  CHECK(p.base_delay(3) == 4s);
  CHECK(p.base_delay(5) == 16s);
  CHECK(p.base_delay(6) == 30s);
  CHECK(p.base_delay(1000) == 30s); // no overflow
}

TEST_CASE("backoff: without jitter the sequence is exact") {
  reconnect_policy p{cfg(0, 0.0)};
  std::vector<caf::timespan> got;
  for (int i = 0; i < 7; ++i)
    got.push_back(*p.on_failure());
  std::vector<caf::timespan> want{1s, 2s, 4s, 8s, 16s, 30s, 30s};
  CHECK(got == want);
}

TEST_CASE("backoff: jitter stays within [(1-j)*base, base] and varies") {
  reconnect_policy p{cfg(0, 0.5)};
  bool varied = false;
  caf::timespan first{};
  for (unsigned n = 1; n <= 200; ++n) {
    auto d = *p.on_failure();
    auto base = p.base_delay(n);
    CHECK(d <= base);
    CHECK(d >= base / 2);
    CHECK(d > caf::timespan::zero());
    if (n >= 10) {
      if (first == caf::timespan{})
        first = d;
      else if (d != first)
        varied = true;
    }
  }
  CHECK(varied); // at the cap the delay is still jittered
}

TEST_CASE("backoff: the same seed gives the same delays") {
  reconnect_policy a{cfg(0)}, b{cfg(0)};
  for (int i = 0; i < 20; ++i)
    CHECK(*a.on_failure() == *b.on_failure());
  auto other = cfg(0);
  other.seed = 43;
  reconnect_policy c{other};
  reconnect_policy d{cfg(0)};
  bool differ = false;
  for (int i = 0; i < 20; ++i)
    differ |= *c.on_failure() != *d.on_failure();
  CHECK(differ);
}

TEST_CASE("budget: max_reconnect consecutive failures spend it") {
  reconnect_policy p{cfg(3)};
  CHECK(p.remaining() == 3);
  CHECK(p.on_failure());
  CHECK(p.on_failure());
  CHECK(p.remaining() == 1);
  CHECK_FALSE(p.on_failure()); // the third failure in a row: give up
  CHECK(p.consecutive_failures() == 3);
  CHECK(p.remaining() == 0);
}

TEST_CASE("budget: reset by success, three outages of max-1 never stop") {
  reconnect_policy p{cfg(4)};
  for (int outage = 0; outage < 3; ++outage) {
    for (int i = 0; i < 3; ++i)
      REQUIRE(p.on_failure());
    p.on_success();
    CHECK(p.consecutive_failures() == 0);
    CHECK(p.remaining() == 4);
  }
  // after_drop consumes nothing.
  for (int i = 0; i < 10; ++i)
    CHECK(p.after_drop() <= 1s);
  CHECK(p.consecutive_failures() == 0);
}

TEST_CASE("budget: 0 means unlimited") {
  reconnect_policy p{cfg(0)};
  for (int i = 0; i < 1000; ++i)
    REQUIRE(p.on_failure());
}

TEST_CASE("backoff config validation names the field") {
  auto c = cfg(3);
  CHECK_FALSE(validate(c));
  c.jitter = 1.0;
  CHECK(describe(validate(c)).find("jitter") != std::string::npos);
  c = cfg(3);
  c.floor = 0s;
  CHECK(describe(validate(c)).find("floor") != std::string::npos);
  c = cfg(3);
  c.cap = 500ms;
  CHECK(describe(validate(c)).find("cap") != std::string::npos);
}

TEST_CASE("watchdog: dead after N silent periods, any event resets") {
  heartbeat_watchdog w{3, 15s};
  CHECK(w.arm(5.0) == 5s);
  CHECK(w.on_tick() == heartbeat_watchdog::verdict::alive); // missed 1
  CHECK(w.on_tick() == heartbeat_watchdog::verdict::alive); // missed 2
  w.on_activity();
  CHECK(w.on_tick() == heartbeat_watchdog::verdict::alive); // reset
  CHECK(w.missed() == 0);
  CHECK(w.on_tick() == heartbeat_watchdog::verdict::alive);
  CHECK(w.on_tick() == heartbeat_watchdog::verdict::alive);
  CHECK(w.on_tick() == heartbeat_watchdog::verdict::dead);
  CHECK(w.missed() == 3);
}

TEST_CASE("watchdog: fallback for absent or absurd intervals") {
  heartbeat_watchdog w{2, 15s};
  CHECK(w.arm(std::nullopt) == 15s);
  CHECK(w.arm(0.0) == 15s);
  CHECK(w.arm(-1.0) == 15s);
  CHECK(w.arm(1e12) == 15s);
  CHECK(w.arm(0.5) == 500ms);
  w.disarm();
  for (int i = 0; i < 5; ++i)
    CHECK(w.on_tick() == heartbeat_watchdog::verdict::alive);
  heartbeat_watchdog one{0, 15s}; // at least one period
  one.arm(1.0);
  CHECK(one.on_tick() == heartbeat_watchdog::verdict::dead);
}
