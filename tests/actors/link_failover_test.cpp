// link_state through a master failover (issue 18, design.md §M15): the
// dead leader refuses until ZooKeeper expires its node, the new leader
// answers "not yet" until it has recovered, and the link must subscribe
// within one short interval of the master being ready, without spending its
// budget on the expected refusals. Time is the harness's clock.

#include "actors/error.hpp"
#include "actors/master_link/master_link_state.hpp"
#include "link_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::link;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

link_config make_cfg(std::string master = "zk://z1:2181/mesos") {
  link_config cfg;
  cfg.master = std::move(master);
  cfg.framework = default_framework_info("outrigger-test", "root");
  cfg.backoff.seed = 7;
  return cfg; // the default budget: 180 s without a subscription
}

struct harness : link_harness {
  explicit harness(link_config c = make_cfg()) : link_harness(std::move(c)) {
    REQUIRE_FALSE(validate(cfg));
  }

  effects start(std::string stored = "") {
    st->start();
    return st->on_id_loaded(std::move(stored));
  }

  void subscribe(std::string id) {
    auto gen = st->generation();
    st->on_stream_head(head(gen, 200, "sid-" + std::to_string(gen)));
    st->on_stream_event(gen, subscribed_event(id));
    st->on_persisted(gen, {});
    REQUIRE(st->current_phase() == phase::subscribed);
  }

  /// Moves the clock to the pending retry timer in `fx` and fires it.
  effects wait_retry(const effects& fx) {
    auto t = timer_of(fx, timer::retry);
    REQUIRE(t);
    now += t->delay;
    return st->on_timer(timer::retry, t->token);
  }

  effects refuse() {
    return st->on_stream_closed(
      {st->generation(), false, "connect localhost:5050: Connection refused"});
  }
};

} // namespace

TEST_CASE("failover: refusals for 60 s, recovery, SUBSCRIBED within 250 ms") {
  harness h;
  h.start("fw");
  h.st->on_leader({"http://localhost:5050", "id1", "json.info_1"});
  h.subscribe("fw");
  auto killed = h.now;
  // The leader dies: the stream is cut, its node lingers for 60 s.
  auto fx = h.st->on_stream_closed({h.st->generation(), false, "stream cut"});
  CHECK(has<fx::notify_down>(fx));
  fx = h.wait_retry(fx);
  while (h.now < killed + 60s) {
    REQUIRE(has<fx::open_stream>(fx));
    fx = h.refuse();
    REQUIRE_FALSE(has<fx::quit>(fx));
    fx = h.wait_retry(fx);
  }
  CHECK(h.st->metrics().attempts["refused"] >= 5);
  // ZooKeeper names the new leader: an attempt at once, from a fresh count.
  h.now += 10ms;
  fx = h.st->on_leader({"http://localhost:5051", "id2", "json.info_2"});
  auto opens = all<fx::open_stream>(fx);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://localhost:5051");
  CHECK(h.st->policy().consecutive_failures() == 0);
  // It has not noticed yet: redirects to the dead leader. Not followed.
  fx = h.st->on_stream_head(head(h.st->generation(), 307, "",
                                 "//localhost:5050/master/api/v1/"
                                 "scheduler"));
  CHECK_FALSE(has<fx::open_stream>(fx));
  auto t = timer_of(fx, timer::retry);
  REQUIRE(t);
  CHECK(t->delay == 250ms);
  fx = h.wait_retry(fx);
  opens = all<fx::open_stream>(fx);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://localhost:5051");
  // Recovering for 2 s: "not yet", every 250 ms, no budget spent.
  auto recovered = h.now + 2s;
  while (h.now < recovered) {
    fx = h.st->on_stream_head(head(h.st->generation(), 503, "", "",
                                   "Master has not finished recovery"));
    t = timer_of(fx, timer::retry);
    REQUIRE(t);
    CHECK(t->delay == 250ms);
    fx = h.wait_retry(fx);
    REQUIRE(has<fx::open_stream>(fx));
  }
  CHECK(h.now - recovered <= 250ms);
  auto outage = std::chrono::duration<double>(h.now - killed).count();
  h.subscribe("fw");
  CHECK(h.st->policy().consecutive_failures() == 0);
  auto m = h.st->metrics();
  CHECK(m.attempts["not_leader"] == 1);
  CHECK(m.attempts["not_recovered"] >= 8);
  CHECK(m.resubscribe_time.count == 1);
  CHECK(m.resubscribe_time.sum == doctest::Approx(outage));
  CHECK(m.outage_seconds == 0);
  CHECK(m.outage_timeout_seconds == 180);
}

TEST_CASE("failover: no subscription for the outage timeout ends with 3") {
  auto cfg = make_cfg("m1:5050");
  cfg.backoff.outage_timeout = 30s;
  harness h{cfg};
  auto fx = h.start("fw");
  int attempts = 0;
  while (!has<fx::quit>(fx)) {
    REQUIRE(has<fx::open_stream>(fx));
    ++attempts;
    fx = h.refuse();
    if (!has<fx::quit>(fx))
      fx = h.wait_retry(fx);
  }
  CHECK(h.now == caf::actor_clock::time_point{} + 30s);
  CHECK(attempts >= 5);
  auto quits = all<fx::quit>(fx);
  auto text = describe(quits[0].reason);
  CHECK(text.find("reconnect_budget_exhausted") != std::string::npos);
  CHECK(text.find("no subscription for 30s") != std::string::npos);
  CHECK(text.find("Connection refused") != std::string::npos);
  CHECK(exit_status(quits[0].reason) == 3);
}

TEST_CASE("failover: 503 No leader elected at a static list tries the next") {
  harness h{make_cfg("m1:5050,m2:5050")};
  h.start();
  auto fx = h.st->on_stream_head(
    head(h.st->generation(), 503, "", "", "No leader elected"));
  auto t = timer_of(fx, timer::retry);
  REQUIRE(t);
  CHECK(t->delay == 250ms);
  fx = h.wait_retry(fx);
  auto opens = all<fx::open_stream>(fx);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://m2:5050");
  CHECK(h.st->metrics().attempts["not_leader"] == 1);
  CHECK(h.st->policy().consecutive_failures() == 0);
}

TEST_CASE("failover: a 307 from a static list master is still followed") {
  harness h{make_cfg("m1:5050")};
  h.start();
  auto fx = h.st->on_stream_head(
    head(h.st->generation(), 307, "", "//m2:5050/master/api/v1/scheduler"));
  auto opens = all<fx::open_stream>(fx);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://m2:5050");
}

TEST_CASE("failover: another 503 is a failure that backs off") {
  harness h{make_cfg("m1:5050")};
  h.start();
  auto fx = h.st->on_stream_head(
    head(h.st->generation(), 503, "", "", "Service Unavailable"));
  auto t = timer_of(fx, timer::retry);
  REQUIRE(t);
  CHECK(t->delay >= 500ms);
  CHECK(h.st->policy().consecutive_failures() == 1);
  CHECK(h.st->metrics().attempts["unavailable"] == 1);
}
