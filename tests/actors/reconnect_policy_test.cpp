#include "actors/error.hpp"
#include "actors/master_link/heartbeat_watchdog.hpp"
#include "actors/master_link/reconnect_policy.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace outrigger;
using namespace outrigger::link;
using namespace std::chrono_literals;

namespace {

const reconnect_policy::time_point t0{};

backoff_config cfg(unsigned max_reconnect, double jitter = 0.5) {
  backoff_config c;
  c.floor = 1s;
  c.cap = 30s;
  c.jitter = jitter;
  c.max_reconnect = max_reconnect;
  c.outage_timeout = caf::timespan::zero(); // the count alone, unless set
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
    got.push_back(*p.on_failure(t0));
  std::vector<caf::timespan> want{1s, 2s, 4s, 8s, 16s, 30s, 30s};
  CHECK(got == want);
}

TEST_CASE("backoff: jitter stays within [(1-j)*base, base] and varies") {
  reconnect_policy p{cfg(0, 0.5)};
  bool varied = false;
  caf::timespan first{};
  for (unsigned n = 1; n <= 200; ++n) {
    auto d = *p.on_failure(t0);
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
    CHECK(*a.on_failure(t0) == *b.on_failure(t0));
  auto other = cfg(0);
  other.seed = 43;
  reconnect_policy c{other};
  reconnect_policy d{cfg(0)};
  bool differ = false;
  for (int i = 0; i < 20; ++i)
    differ |= *c.on_failure(t0) != *d.on_failure(t0);
  CHECK(differ);
}

TEST_CASE("budget: max_reconnect consecutive failures spend it") {
  reconnect_policy p{cfg(3)};
  CHECK(p.remaining() == 3);
  CHECK(p.on_failure(t0));
  CHECK(p.on_failure(t0));
  CHECK(p.remaining() == 1);
  CHECK_FALSE(p.on_failure(t0)); // the third failure in a row: give up
  CHECK(p.consecutive_failures() == 3);
  CHECK(p.remaining() == 0);
}

TEST_CASE("budget: reset by success, three outages of max-1 never stop") {
  reconnect_policy p{cfg(4)};
  for (int outage = 0; outage < 3; ++outage) {
    for (int i = 0; i < 3; ++i)
      REQUIRE(p.on_failure(t0));
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
    REQUIRE(p.on_failure(t0));
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

TEST_CASE("outage: the budget is time without a subscription") {
  auto c = cfg(0, 0.0);
  c.outage_timeout = 180s;
  reconnect_policy p{c};
  auto now = t0;
  p.begin_outage(now);
  // 100 refused attempts within the window never give up...
  for (int i = 0; i < 100; ++i)
    REQUIRE(p.on_failure(now + 1s * i));
  // ...the first failure at the deadline does.
  CHECK_FALSE(p.on_failure(now + 180s));
  CHECK(p.timed_out());
  // A success ends the outage: a new one starts from scratch.
  p.on_success();
  CHECK_FALSE(p.outage_since());
  CHECK(p.on_failure(now + 1000s));
  CHECK(p.outage_since() == now + 1000s);
}

TEST_CASE("outage: the last delay is clamped to the deadline") {
  auto c = cfg(0, 0.0);
  c.outage_timeout = 10s;
  reconnect_policy p{c};
  p.begin_outage(t0);
  CHECK(*p.on_failure(t0 + 9s) == 1s); // floor, within the window
  for (int i = 0; i < 5; ++i)
    p.on_failure(t0 + 9s);
  CHECK(*p.on_failure(t0 + 9500ms) == 500ms); // 32 s would overshoot
  CHECK_FALSE(p.on_failure(t0 + 10s));
}

TEST_CASE("outage: a 60 s ZooKeeper expiry does not end a failover") {
  // The dead leader refuses for 60 s (its node lingers until the session
  // expires), then the new leader recovers for 2 s: with the defaults the
  // link never gives up, and retries the ready master within 250 ms.
  backoff_config c; // the defaults
  c.seed = 1;
  reconnect_policy p{c};
  auto now = t0;
  p.begin_outage(now);
  while (now < t0 + 60s) {
    auto d = p.on_failure(now);
    REQUIRE(d);
    now += *d + 1ms; // the attempt itself is refused at once
  }
  p.on_leader_change();
  CHECK(p.consecutive_failures() == 0);
  auto recovered = now + 2s;
  while (now < recovered) {
    auto d = p.on_not_ready(now);
    REQUIRE(d);
    CHECK(*d == 250ms);
    now += *d;
  }
  CHECK(now - recovered <= 250ms);
  CHECK(p.consecutive_failures() == 0);
}

TEST_CASE("not ready: a fixed short interval within the window, no count") {
  auto c = cfg(2, 0.0);
  c.not_ready_interval = 200ms;
  c.not_ready_window = 5s;
  reconnect_policy p{c};
  for (int i = 0; i < 25; ++i)
    CHECK(*p.on_not_ready(t0 + 200ms * i) == 200ms);
  CHECK(p.consecutive_failures() == 0);
  CHECK(p.remaining() == 2);
  // Past the window: exponential backoff, still no count.
  auto d = p.on_not_ready(t0 + 5s);
  REQUIRE(d);
  CHECK(*d == 1s);
  CHECK(p.consecutive_failures() == 0);
  // A leader change opens a new window.
  p.on_leader_change();
  CHECK(*p.on_not_ready(t0 + 6s) == 200ms);
  // A failure ends the streak; the next "not yet" opens a new window.
  REQUIRE(p.on_failure(t0 + 7s));
  CHECK(*p.on_not_ready(t0 + 20s) == 200ms);
}

TEST_CASE("not ready: answers for longer than the outage timeout give up") {
  auto c = cfg(0, 0.0);
  c.outage_timeout = 3s;
  reconnect_policy p{c};
  p.begin_outage(t0);
  auto now = t0;
  std::optional<caf::timespan> d;
  while ((d = p.on_not_ready(now)))
    now += *d;
  CHECK(now >= t0 + 3s);
  CHECK(now < t0 + 3s + 250ms);
  CHECK(p.timed_out());
}

TEST_CASE("leader change: a fresh schedule, the outage clock runs on") {
  auto c = cfg(3, 0.0);
  c.outage_timeout = 100s;
  reconnect_policy p{c};
  p.begin_outage(t0);
  REQUIRE(p.on_failure(t0));
  CHECK(*p.on_failure(t0) == 2s);
  p.on_leader_change();
  CHECK(p.remaining() == 3);
  CHECK(*p.on_failure(t0 + 1s) == 1s); // from the floor again
  CHECK(p.outage_since() == t0);
  CHECK_FALSE(p.on_failure(t0 + 100s));
}

TEST_CASE("backoff config validation: outage and not-ready settings") {
  auto c = cfg(3);
  c.outage_timeout = -1s;
  CHECK(describe(validate(c)).find("outage_timeout") != std::string::npos);
  c = cfg(3);
  c.not_ready_interval = 0s;
  CHECK(describe(validate(c)).find("not_ready_interval") != std::string::npos);
  c = cfg(3);
  c.not_ready_window = -1s;
  CHECK(describe(validate(c)).find("not_ready_window") != std::string::npos);
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
