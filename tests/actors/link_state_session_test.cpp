// link_state: removed frameworks, calls, teardown, ZooKeeper leaders.

#include "actors/error.hpp"
#include "actors/master_link/master_link_state.hpp"
#include "link_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::link;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

link_config make_cfg(std::string master = "m1:5050") {
  link_config cfg;
  cfg.master = std::move(master);
  cfg.framework = default_framework_info("outrigger-test", "root");
  cfg.backoff.seed = 7;
  cfg.backoff.max_reconnect = 3;
  cfg.max_in_flight = 2;
  cfg.max_queued_calls = 2;
  cfg.call_timeout = 10s;
  return cfg;
}

struct harness : link_harness {
  explicit harness(link_config c = make_cfg()) : link_harness(std::move(c)) {}

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

  static protocol::Call revive() {
    protocol::Call c;
    c.type = protocol::call_type::revive;
    return c;
  }
};

} // namespace

TEST_CASE("removed framework: id cleared, tasks reported gone, new framework") {
  harness h;
  auto a = h.start("old-fw");
  REQUIRE(all<fx::open_stream>(a)[0].body.find("old-fw") != std::string::npos);
  auto gen = h.st->generation();
  h.st->on_stream_head(head(gen, 200, "sid"));
  // The real master answers a removed framework in-band on a 200.
  auto b =
    h.st->on_stream_event(gen, error_event("Framework has been removed"));
  CHECK(has<fx::close_stream>(b));
  CHECK(has<fx::erase_id>(b));
  CHECK_FALSE(has<fx::open_stream>(b)); // not before the id is erased
  CHECK_FALSE(has<fx::notify_removed>(b));
  CHECK(h.st->current_phase() == phase::removing);
  auto c = h.st->on_erased({});
  auto removed = all<fx::notify_removed>(c);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].info.framework_id == "old-fw");
  CHECK(removed[0].info.message == "Framework has been removed");
  auto opens = all<fx::open_stream>(c);
  REQUIRE(opens.size() == 1);
  CHECK(index_of<fx::notify_removed>(c) < index_of<fx::open_stream>(c));
  CHECK(opens[0].body.find("framework_id") == std::string::npos);
  CHECK(h.st->framework_id().empty());
  CHECK(h.st->policy().consecutive_failures() == 0);
  h.subscribe("new-fw");
  CHECK(h.st->current_subscription()->new_framework);
  CHECK(h.st->metrics().reconnects["framework_removed"] == 1);
}

TEST_CASE("removed framework: no crash loop when a new one is refused") {
  harness h;
  h.start(""); // a new framework cannot have been removed...
  auto gen = h.st->generation();
  h.st->on_stream_head(head(gen, 200, "sid"));
  auto fx =
    h.st->on_stream_event(gen, error_event("Framework has been removed"));
  // ...so the refusal is reported and the link stops instead of looping.
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  CHECK(describe(quits[0].reason).find("subscribe_refused") !=
        std::string::npos);
  CHECK_FALSE(has<fx::erase_id>(fx));
}

TEST_CASE("removed framework: policy stop clears the id and stops") {
  auto cfg = make_cfg();
  cfg.on_removed = removed_policy::stop;
  harness h{cfg};
  h.start("old-fw");
  h.subscribe("old-fw");
  auto gen = h.st->generation();
  auto a =
    h.st->on_stream_event(gen, error_event("Framework has been removed"));
  CHECK(has<fx::notify_down>(a));
  CHECK(has<fx::erase_id>(a));
  auto b = h.st->on_erased({});
  CHECK(has<fx::notify_removed>(b));
  auto quits = all<fx::quit>(b);
  REQUIRE(quits.size() == 1);
  auto text = describe(quits[0].reason);
  CHECK(text.find("framework_removed") != std::string::npos);
  CHECK(text.find("old-fw") != std::string::npos);
  CHECK(exit_status(quits[0].reason) == 5);
}

TEST_CASE("removed framework: a failing erase stops with store_failed") {
  harness h;
  h.start("old-fw");
  auto gen = h.st->generation();
  h.st->on_stream_head(head(gen, 200, "sid"));
  h.st->on_stream_event(gen, error_event("Framework has been removed"));
  auto fx = h.st->on_erased(caf::make_error(ec::store_failed, "disk"));
  REQUIRE(has<fx::quit>(fx));
  CHECK_FALSE(has<fx::open_stream>(fx));
}

TEST_CASE("calls: refused while not subscribed and for UNKNOWN") {
  harness h;
  h.start();
  auto a = h.st->on_call(1, harness::revive());
  auto replies = all<fx::reply_call>(a);
  REQUIRE(replies.size() == 1);
  REQUIRE_FALSE(replies[0].result);
  CHECK(describe(replies[0].result.error()).find("not_subscribed") !=
        std::string::npos);
  h.subscribe("fw");
  protocol::Call unknown;
  unknown.type = protocol::call_type::unknown;
  auto b = h.st->on_call(2, unknown);
  CHECK(
    describe(all<fx::reply_call>(b)[0].result.error()).find("invalid_call") !=
    std::string::npos);
  CHECK_FALSE(has<fx::send_call>(b));
}

TEST_CASE("calls: bounded in flight, queued, timed out, counted") {
  harness h;
  h.start();
  h.subscribe("fw");
  auto a = h.st->on_call(1, harness::revive());
  auto sends = all<fx::send_call>(a);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].stream_id == "sid-1");
  CHECK(sends[0].url.origin() == "http://m1:5050");
  CHECK(sends[0].body.find(R"("framework_id":{"value":"fw"})") !=
        std::string::npos);
  CHECK(timer_of(a, timer::call_timeout)->delay == 10s);
  CHECK(has<fx::send_call>(h.st->on_call(2, harness::revive())));
  // Two in flight: the next two wait, the one after is refused.
  CHECK_FALSE(has<fx::send_call>(h.st->on_call(3, harness::revive())));
  CHECK_FALSE(has<fx::send_call>(h.st->on_call(4, harness::revive())));
  auto over = all<fx::reply_call>(h.st->on_call(5, harness::revive()));
  REQUIRE(over.size() == 1);
  CHECK(describe(over[0].result.error()).find("overloaded") !=
        std::string::npos);
  // Call 1 answers after 30 ms: its reply, and call 3 goes out.
  h.now += 30ms;
  auto b = h.st->on_call_result(result(1, 202, ""));
  auto r = all<fx::reply_call>(b);
  REQUIRE(r.size() == 1);
  REQUIRE(r[0].result);
  CHECK(r[0].result->status == 202);
  CHECK(r[0].result->latency == 30ms);
  REQUIRE(all<fx::send_call>(b).size() == 1);
  CHECK(all<fx::send_call>(b)[0].id == 3);
  // Call 2 times out: cancelled, answered with an error, call 4 goes out.
  auto c = h.st->on_timer(timer::call_timeout, 2);
  CHECK(all<fx::cancel_call>(c)[0].id == 2);
  CHECK(
    describe(all<fx::reply_call>(c)[0].result.error()).find("call_timeout") !=
    std::string::npos);
  CHECK(all<fx::send_call>(c)[0].id == 4);
  // A late result of the timed-out call is ignored.
  CHECK(h.st->on_call_result(result(2, 202, "")).empty());
  // A transport failure is an error, an HTTP 400 an outcome.
  auto d = h.st->on_call_result(result(3, 0, "", "connection reset"));
  CHECK(
    describe(all<fx::reply_call>(d)[0].result.error()).find("call_failed") !=
    std::string::npos);
  auto e = h.st->on_call_result(result(4, 400, "Framework cannot be found"));
  CHECK(all<fx::reply_call>(e)[0].result->status == 400);
  auto m = h.st->metrics();
  CHECK((m.calls[{"REVIVE", 202}]) == 1);
  CHECK((m.calls[{"REVIVE", 0}]) == 2);
  CHECK((m.calls[{"REVIVE", 400}]) == 1);
  CHECK(m.call_latency.count == 2);
  CHECK(m.call_latency.counts[3] == 1); // 30 ms: (0.025, 0.05]
}

TEST_CASE("calls: queued calls fail when the stream drops") {
  harness h;
  h.start();
  h.subscribe("fw");
  h.st->on_call(1, harness::revive());
  h.st->on_call(2, harness::revive());
  h.st->on_call(3, harness::revive()); // queued
  auto fx = h.st->on_stream_closed({h.st->generation(), false, "cut"});
  auto replies = all<fx::reply_call>(fx);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].id == 3);
  CHECK(describe(replies[0].result.error()).find("not_subscribed") !=
        std::string::npos);
}

TEST_CASE("acks: sent while subscribed, dropped when not or over the bound") {
  auto cfg = make_cfg();
  cfg.max_outstanding_acks = 3;
  harness h{cfg};
  auto batch = [](std::size_t n) {
    auto c = std::make_shared<encoded_calls>();
    c->bodies.assign(n, R"({"type":"ACKNOWLEDGE"})");
    return encoded_calls_ptr{std::move(c)};
  };
  h.start();
  // Not subscribed yet: nothing is sent, the drop is counted.
  CHECK(h.st->on_acks(batch(2)).empty());
  CHECK(h.st->metrics().acks_dropped == 2);
  h.subscribe("fw");
  auto sent = all<fx::send_acks>(h.st->on_acks(batch(2)));
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].calls->bodies.size() == 2);
  CHECK(sent[0].stream_id == "sid-" + std::to_string(h.st->generation()));
  CHECK(h.st->metrics().acks_outstanding == 2);
  // 2 outstanding + 2 more would pass the bound of 3: the batch is dropped.
  CHECK(h.st->on_acks(batch(2)).empty());
  CHECK(h.st->metrics().acks_dropped == 4);
  CHECK(has<fx::send_acks>(h.st->on_acks(batch(1))));
  // The transport's account frees the bound and counts by status.
  h.st->on_acks_done({1, 1, 400, 1});
  auto m = h.st->metrics();
  CHECK(m.acks_outstanding == 0);
  CHECK(m.calls[{"ACKNOWLEDGE", 202}] == 1);
  CHECK(m.calls[{"ACKNOWLEDGE", 400}] == 1);
  CHECK(m.calls[{"ACKNOWLEDGE", 0}] == 1);
  CHECK(has<fx::send_acks>(h.st->on_acks(batch(3))));
}

TEST_CASE("teardown: TEARDOWN first, then the id is erased, then stop") {
  harness h;
  h.start("fw");
  h.subscribe("fw");
  auto a = h.st->teardown(9);
  auto sends = all<fx::send_call>(a);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].body.find(R"("type":"TEARDOWN")") != std::string::npos);
  auto b = h.st->on_call_result(result(9, 202, ""));
  CHECK(all<fx::reply_call>(b)[0].result->status == 202);
  CHECK(has<fx::close_stream>(b));
  CHECK(has<fx::erase_id>(b));
  auto c = h.st->on_erased({});
  auto quits = all<fx::quit>(c);
  REQUIRE(quits.size() == 1);
  CHECK_FALSE(quits[0].reason);
  CHECK_FALSE(has<fx::notify_removed>(c));
}

TEST_CASE("disconnect: closes the stream, keeps the id, quits normally") {
  harness h;
  h.start("fw");
  h.subscribe("fw");
  auto fx = h.st->disconnect();
  CHECK(has<fx::close_stream>(fx));
  CHECK_FALSE(has<fx::erase_id>(fx));
  CHECK_FALSE(has<fx::send_call>(fx));
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  CHECK_FALSE(quits[0].reason);
}

TEST_CASE("zk: waits for a leader, follows leader changes at once") {
  harness h{make_cfg("zk://z1:2181/mesos")};
  auto a = h.start("fw");
  CHECK_FALSE(has<fx::open_stream>(a));
  CHECK(h.st->current_phase() == phase::resolving);
  auto b = h.st->on_leader({"http://localhost:5050", "id1", "json.info_1"});
  auto opens = all<fx::open_stream>(b);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://localhost:5050");
  h.subscribe("fw");
  // The same leader again, and "no leader": the stream stays.
  CHECK(
    h.st->on_leader({"http://localhost:5050", "id1", "json.info_1"}).empty());
  CHECK(h.st->on_leader({}).empty());
  CHECK(h.st->current_phase() == phase::subscribed);
  // A new leader: resubscribe there now, same id, no failure counted.
  auto c = h.st->on_leader({"http://localhost:5052", "id2", "json.info_2"});
  CHECK(has<fx::close_stream>(c));
  opens = all<fx::open_stream>(c);
  REQUIRE(opens.size() == 1);
  CHECK(opens[0].url.origin() == "http://localhost:5052");
  CHECK(opens[0].body.find(R"("value":"fw")") != std::string::npos);
  CHECK(h.st->policy().consecutive_failures() == 0);
  CHECK(h.st->metrics().reconnects["leader_change"] == 1);
}

TEST_CASE("zk: no leader for too long spends the budget") {
  harness h{make_cfg("zk://z1:2181/mesos")}; // max_reconnect = 3
  auto fx = h.start();
  for (int i = 0; i < 2; ++i) {
    fx = h.fire_retry(fx); // the wait for a leader ends: failure
    REQUIRE_FALSE(has<fx::quit>(fx));
    CHECK(h.st->current_phase() == phase::backoff);
    fx = h.fire_retry(fx); // backoff over: wait for a leader again
    CHECK(h.st->current_phase() == phase::resolving);
  }
  fx = h.fire_retry(fx);
  auto quits = all<fx::quit>(fx);
  REQUIRE(quits.size() == 1);
  CHECK(describe(quits[0].reason).find("no leading master") !=
        std::string::npos);
}

TEST_CASE("zk: a leader during backoff cuts the backoff short") {
  harness h{make_cfg("zk://z1:2181/mesos")};
  h.start();
  h.st->on_leader({"http://m1:5050", "id1", "json.info_1"});
  auto fx = h.st->on_stream_closed({h.st->generation(), false, "refused"});
  auto t = timer_of(fx, timer::retry);
  REQUIRE(t);
  auto b = h.st->on_leader({"http://m2:5050", "id2", "json.info_2"});
  REQUIRE(all<fx::open_stream>(b).size() == 1);
  CHECK(h.st->on_timer(timer::retry, t->token).empty()); // obsolete
}
