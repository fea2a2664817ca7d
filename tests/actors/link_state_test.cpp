// link_state, the decisions of master_link, driven directly (no actors, no
// sockets): each input's effects are checked.

#include "actors/error.hpp"
#include "actors/master_link/master_link_state.hpp"
#include "link_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::link;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

link_config make_cfg(std::string master = "m1:5050,m2:5050") {
  link_config cfg;
  cfg.master = std::move(master);
  cfg.framework = default_framework_info("outrigger-test", "root");
  cfg.backoff.seed = 7;
  cfg.backoff.max_reconnect = 4;
  cfg.max_redirects = 2;
  return cfg;
}

/// The link_state of these tests, with a valid configuration.
struct harness : link_harness {
  explicit harness(link_config c = make_cfg()) : link_harness(std::move(c)) {
    REQUIRE_FALSE(validate(cfg));
  }

  /// Starts with `stored` as the stored framework id; returns the open.
  fx::open_stream start(std::string stored = "") {
    auto a = st->start();
    REQUIRE(has<fx::load_id>(a));
    auto b = st->on_id_loaded(std::move(stored));
    auto opens = all<fx::open_stream>(b);
    REQUIRE(opens.size() == 1);
    return opens[0];
  }

  /// Completes attempt `gen` up to subscribed with framework `id`.
  effects subscribe(std::uint64_t gen, std::string id, double hb = 15.0) {
    CHECK(st->on_stream_head(head(gen, 200, "stream-" + std::to_string(gen)))
            .empty());
    auto a = st->on_stream_event(gen, subscribed_event(id, hb));
    auto persists = all<fx::persist_id>(a);
    REQUIRE(persists.size() == 1);
    CHECK(persists[0].id == id);
    auto b = st->on_persisted(gen, {});
    REQUIRE(st->current_phase() == phase::subscribed);
    return b;
  }

  /// A failure of the current attempt (connection refused); returns effects.
  effects refuse() {
    return st->on_stream_closed(
      {st->generation(), false, "connect m:5050: Connection refused"});
  }
};

} // namespace

TEST_CASE("link: subscribes with the stored id, persists before acting") {
  harness h;
  auto open = h.start("fw-1");
  CHECK(open.url.origin() == "http://m1:5050");
  CHECK(open.body.find(R"("framework_id":{"value":"fw-1"})") !=
        std::string::npos);
  CHECK(open.body.find(R"("checkpoint":true)") != std::string::npos);
  CHECK(open.body.find(R"("failover_timeout":604800)") != std::string::npos);
  CHECK(h.st->on_stream_head(head(open.gen, 200, "sid-1")).empty());
  // SUBSCRIBED: only the store is asked; nobody hears of it yet.
  auto a = h.st->on_stream_event(open.gen, subscribed_event("fw-1", 5.0));
  CHECK(has<fx::persist_id>(a));
  CHECK_FALSE(has<fx::notify_up>(a));
  CHECK_FALSE(has<fx::forward_event>(a));
  CHECK(h.st->current_phase() == phase::persisting);
  // Events meanwhile are held back.
  CHECK(h.st->on_stream_event(open.gen, heartbeat_event()).empty());
  CHECK(h.st->on_stream_event(open.gen, offers_event("o1")).empty());
  // Stored: now listeners hear link_up, then SUBSCRIBED, then the rest.
  auto b = h.st->on_persisted(open.gen, {});
  auto ups = all<fx::notify_up>(b);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0].sub.framework_id == "fw-1");
  CHECK(ups[0].sub.stream_id == "sid-1");
  CHECK(ups[0].sub.heartbeat_interval == 5s);
  CHECK_FALSE(ups[0].sub.new_framework);
  auto events = all<fx::forward_event>(b);
  REQUIRE(events.size() == 3);
  CHECK(index_of<fx::notify_up>(b) < index_of<fx::forward_event>(b));
  CHECK(events[0].event->type == protocol::event_type::subscribed);
  CHECK(events[1].event->type == protocol::event_type::heartbeat);
  CHECK(events[2].event->type == protocol::event_type::offers);
  auto hb = timer_of(b, timer::heartbeat);
  REQUIRE(hb);
  CHECK(hb->delay == 5s);
  auto m = h.st->metrics();
  CHECK(m.connected);
  CHECK(m.subscriptions == 1);
  CHECK(m.heartbeats == 1);
  CHECK(m.events["OFFERS"] == 1);
  CHECK(m.leader == "http://m1:5050");
}

TEST_CASE("link: a new framework's id is reported as new") {
  harness h;
  auto open = h.start();
  CHECK(open.body.find("framework_id") == std::string::npos);
  auto fx = h.subscribe(open.gen, "fw-new");
  CHECK(all<fx::notify_up>(fx)[0].sub.new_framework);
  CHECK(h.st->framework_id() == "fw-new");
}

TEST_CASE("link: a failing store drops the subscription and retries") {
  harness h;
  auto open = h.start();
  h.st->on_stream_head(head(open.gen, 200, "sid"));
  h.st->on_stream_event(open.gen, subscribed_event("fw-1"));
  auto fx = h.st->on_persisted(open.gen, caf::make_error(ec::store_failed));
  CHECK_FALSE(has<fx::notify_up>(fx));
  CHECK(has<fx::close_stream>(fx));
  CHECK(timer_of(fx, timer::retry));
  CHECK(h.st->current_phase() == phase::backoff);
  CHECK(h.st->metrics().reconnects["store"] == 1);
}

TEST_CASE("link: follows 307 keeping the scheme, bounded hops") {
  auto cfg = make_cfg("https://m1:5050");
  harness h{cfg};
  auto open = h.start();
  auto a = h.st->on_stream_head(
    head(open.gen, 307, "", "//m2:5051/master/api/v1/scheduler"));
  auto opens = all<fx::open_stream>(a);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.to_string() == "https://m2:5051/master/api/v1/scheduler");
  CHECK(opens[0].gen == open.gen + 1);
  CHECK(h.st->policy().consecutive_failures() == 0);
  auto b = h.st->on_stream_head(
    head(opens[0].gen, 307, "", "//m3:5052/master/api/v1/scheduler"));
  REQUIRE(all<fx::open_stream>(b).size() == 1);
  // The third redirect exceeds max_redirects = 2: a failed attempt.
  auto c = h.st->on_stream_head(
    head(h.st->generation(), 307, "", "//m1:5050/master/api/v1/scheduler"));
  CHECK_FALSE(has<fx::open_stream>(c));
  CHECK(timer_of(c, timer::retry));
  CHECK(h.st->policy().consecutive_failures() == 1);
  CHECK(h.st->metrics().reconnects["redirect_limit"] == 1);
}

TEST_CASE("link: 503 is retry-later, the next master is tried soon") {
  harness h;
  auto open = h.start();
  auto a =
    h.st->on_stream_head(head(open.gen, 503, "", "", "No leader elected"));
  CHECK_FALSE(has<fx::open_stream>(a));
  auto t = timer_of(a, timer::retry);
  REQUIRE(t);
  CHECK(t->delay == 250ms); // "not yet": the failover is under way
  CHECK(h.st->policy().consecutive_failures() == 0);
  // A stale timer does nothing.
  CHECK(h.st->on_timer(timer::retry, t->token + 100).empty());
  auto b = h.fire_retry(a);
  auto opens = all<fx::open_stream>(b);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://m2:5050");
  auto fx = h.subscribe(opens[0].gen, "fw-1");
  CHECK(h.st->policy().consecutive_failures() == 0);
  CHECK(h.st->metrics().reconnects["unavailable"] == 1);
}

TEST_CASE("link: 401 stops with a clear error, no retry") {
  harness h;
  auto open = h.start();
  auto fx =
    h.st->on_stream_head(head(open.gen, 401, "", "", "401 Unauthorized."));
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  auto text = describe(quits[0].reason);
  CHECK(text.rfind("unauthorized: ", 0) == 0);
  CHECK(text.find("rejected the credentials") != std::string::npos);
  CHECK(exit_status(quits[0].reason) == 4);
  CHECK(h.st->current_phase() == phase::stopped);
}

TEST_CASE("link: 400 on SUBSCRIBE is a configuration error") {
  harness h;
  auto open = h.start();
  auto fx = h.st->on_stream_head(
    head(open.gen, 400, "", "", "Failed to validate scheduler::Call: x"));
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  CHECK(describe(quits[0].reason).find("subscribe_rejected") !=
        std::string::npos);
  CHECK(describe(quits[0].reason).find("Failed to validate") !=
        std::string::npos);
}

TEST_CASE("link: budget exhausted -> clean stop with a non-zero status") {
  harness h; // max_reconnect = 4
  h.start();
  effects fx;
  for (int i = 0; i < 3; ++i) {
    fx = h.refuse();
    REQUIRE_FALSE(has<fx::quit>(fx));
    fx = h.fire_retry(fx);
    REQUIRE(has<fx::open_stream>(fx));
  }
  fx = h.refuse();
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  auto text = describe(quits[0].reason);
  CHECK(text.find("reconnect_budget_exhausted") != std::string::npos);
  CHECK(text.find("4 consecutive failed attempts") != std::string::npos);
  CHECK(text.find("Connection refused") != std::string::npos);
  CHECK(exit_status(quits[0].reason) == 3);
  CHECK(h.st->current_phase() == phase::stopped);
  // Nothing revives a stopped link.
  CHECK(h.st->on_timer(timer::retry, 1).empty());
}

TEST_CASE("link: three outages of max_reconnect-1 failures do not stop it") {
  harness h; // max_reconnect = 4
  auto open = h.start("fw-1");
  h.subscribe(open.gen, "fw-1");
  for (int outage = 0; outage < 3; ++outage) {
    auto fx =
      h.st->on_stream_closed({h.st->generation(), false, "connection reset"});
    CHECK(has<fx::notify_down>(fx));
    fx = h.fire_retry(fx); // after_drop: not a failure
    for (int i = 0; i < 3; ++i) {
      fx = h.refuse();
      REQUIRE_FALSE(has<fx::quit>(fx));
      fx = h.fire_retry(fx);
    }
    auto opens = all<fx::open_stream>(fx);
    REQUIRE(opens.size() == 1);
    CHECK(opens[0].body.find(R"("value":"fw-1")") != std::string::npos);
    h.subscribe(opens[0].gen, "fw-1");
    CHECK(h.st->policy().consecutive_failures() == 0);
  }
  CHECK(h.st->metrics().subscriptions == 4);
  CHECK(h.st->metrics().reconnects["stream_cut"] == 3);
  CHECK(h.st->metrics().reconnects["connection"] == 9);
}

TEST_CASE("link: a dropped stream reconnects to the same master first") {
  harness h;
  auto open = h.start();
  h.st->on_stream_head(
    head(open.gen, 307, "", "//m9:5059/master/api/v1/scheduler"));
  h.subscribe(h.st->generation(), "fw-1");
  auto fx = h.st->on_stream_closed({h.st->generation(), true, "ended"});
  CHECK(all<fx::notify_down>(fx)[0].reason.rfind("stream_ended", 0) == 0);
  fx = h.fire_retry(fx);
  auto opens = all<fx::open_stream>(fx);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.to_string() == "http://m9:5059/master/api/v1/scheduler");
}

TEST_CASE("link: heartbeat loss with an open stream resubscribes at once") {
  harness h;
  auto open = h.start("fw-1");
  auto fx = h.subscribe(open.gen, "fw-1", 2.0);
  auto gen = open.gen;
  // One period with a heartbeat, then silence.
  h.st->on_stream_event(gen, heartbeat_event());
  fx = h.st->on_timer(timer::heartbeat, gen);
  CHECK(timer_of(fx, timer::heartbeat));
  for (int i = 0; i < 2; ++i) {
    fx = h.st->on_timer(timer::heartbeat, gen);
    REQUIRE(timer_of(fx, timer::heartbeat));
    CHECK_FALSE(has<fx::close_stream>(fx));
  }
  fx = h.st->on_timer(timer::heartbeat, gen); // third silent period
  CHECK(has<fx::close_stream>(fx));
  CHECK(all<fx::notify_down>(fx)[0].reason.rfind("heartbeat", 0) == 0);
  auto opens = all<fx::open_stream>(fx);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://m1:5050");
  CHECK(opens[0].body.find(R"("framework_id":{"value":"fw-1"})") !=
        std::string::npos);
  CHECK(h.st->metrics().reconnects["heartbeat"] == 1);
  CHECK(h.st->policy().consecutive_failures() == 0);
  // Late events and ticks of the old stream are ignored.
  CHECK(h.st->on_stream_event(gen, offers_event("late")).empty());
  CHECK(h.st->on_timer(timer::heartbeat, gen).empty());
}

TEST_CASE("link: subscribe timeout counts as a failed attempt") {
  harness h;
  auto open = h.start();
  CHECK(h.st->on_timer(timer::subscribe_timeout, open.gen + 1).empty());
  auto fx = h.st->on_timer(timer::subscribe_timeout, open.gen);
  CHECK(has<fx::close_stream>(fx));
  CHECK(timer_of(fx, timer::retry));
  CHECK(h.st->metrics().reconnects["timeout"] == 1);
}

TEST_CASE("link: ERROR 'Framework failed over' stops the link") {
  harness h;
  auto open = h.start("fw-1");
  h.subscribe(open.gen, "fw-1");
  auto fx =
    h.st->on_stream_event(open.gen, error_event("Framework failed over"));
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  CHECK(describe(quits[0].reason).find("framework_failed_over") !=
        std::string::npos);
  CHECK(has<fx::notify_down>(fx));
}

TEST_CASE("link: store unreadable at start stops with store_failed") {
  harness h;
  h.st->start();
  auto fx = h.st->on_id_loaded(caf::make_error(ec::store_failed, "disk"));
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  CHECK(describe(quits[0].reason).find("store_failed") != std::string::npos);
}

TEST_CASE("link: an id stored for an abandoned attempt is adopted") {
  harness h;
  auto open = h.start();
  h.st->on_stream_head(head(open.gen, 200, "sid"));
  h.st->on_stream_event(open.gen, subscribed_event("fw-late"));
  // The stream breaks while the store is still writing...
  auto fx = h.st->on_stream_closed({open.gen, false, "cut"});
  REQUIRE(timer_of(fx, timer::retry));
  // ...then the write completes: the id is durable and the master knows it.
  CHECK(h.st->on_persisted(open.gen, {}).empty());
  CHECK(h.st->framework_id() == "fw-late");
  auto opens = all<fx::open_stream>(h.fire_retry(fx));
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].body.find(R"("framework_id":{"value":"fw-late"})") !=
        std::string::npos);
}
