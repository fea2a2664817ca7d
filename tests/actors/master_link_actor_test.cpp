// The master_link actor on CAF's deterministic scheduler with a fake
// transport: messages, timers and the framework id store, with time under
// the test's control.

#include "actors/master_link/master_link.hpp"
#include "deterministic_fixture.hpp"
#include "fake_transport.hpp"
#include "link_test_support.hpp"
#include "tests/actors/memory_id_store.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

using namespace outrigger;
using namespace outrigger::link;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

/// What a listener heard, plus the stored id at each link_up.
struct recording {
  std::vector<subscription> ups;
  std::vector<std::string> stored_at_up;
  std::vector<std::string> downs;
  std::vector<framework_removed> removed;
  std::vector<protocol::event_type> events;
  std::vector<std::string> order; // "up", "down", "removed", event names
};

link_listener_actor::behavior_type
listener(link_listener_actor::pointer, std::shared_ptr<recording> rec,
         std::shared_ptr<memory_id_store_data> store) {
  return {
    [rec](atom::event, const event_ptr& e) {
      auto t = e->type.value_or(protocol::event_type::unknown);
      rec->events.push_back(t);
      rec->order.emplace_back(protocol::to_string(t));
    },
    [rec, store](atom::link_up, const subscription& s) {
      rec->ups.push_back(s);
      rec->stored_at_up.push_back(store->current());
      rec->order.emplace_back("up");
    },
    [rec](atom::link_down, const std::string& reason) {
      rec->downs.push_back(reason);
      rec->order.emplace_back("down");
    },
    [rec](atom::fw_removed, const framework_removed& r) {
      rec->removed.push_back(r);
      rec->order.emplace_back("removed");
    },
  };
}

struct link_fixture : deterministic_fixture {
  std::shared_ptr<fake_transport> net = std::make_shared<fake_transport>();
  std::shared_ptr<memory_id_store_data> store_data =
    std::make_shared<memory_id_store_data>();
  std::shared_ptr<recording> rec = std::make_shared<recording>();
  framework_id_store_actor store;
  link_listener_actor ear;
  master_link_actor link;

  link_config config(std::string master = "m1:5050,m2:5050") {
    link_config cfg;
    cfg.master = std::move(master);
    cfg.framework = default_framework_info("outrigger-test", "root");
    cfg.backoff.seed = 11;
    cfg.backoff.max_reconnect = 3;
    return cfg;
  }

  /// Spawns store, listener and link; runs until the first SUBSCRIBE.
  void start(link_config cfg, std::string stored = "",
             leader_source_actor leaders = {}) {
    store_data->id = std::move(stored);
    store = own(spawn_memory_id_store(sys, store_data));
    ear = own(sys.spawn(listener, rec, store_data));
    auto l = spawn_master_link(sys, cfg, store, factory_of(net), leaders);
    REQUIRE(l);
    link = own(*l);
    self->monitor(link);
    self->send(link, atom::subscribe_v, ear, all_but_heartbeats);
    run();
  }

  std::uint64_t gen() const { return net->opens.back().gen; }

  void inject_head(std::uint16_t status, std::string sid = "sid",
                   std::string location = "") {
    caf::anon_send(net->sink, atom::stream_hd_v,
                   head(gen(), status, std::move(sid), std::move(location)));
  }
  void push(event_ptr e) {
    caf::anon_send(net->sink, atom::stream_ev_v, gen(), std::move(e));
  }
  void inject_end(bool clean, std::string reason) {
    caf::anon_send(net->sink, atom::stream_end_v,
                   stream_closed{gen(), clean, std::move(reason)});
  }
  /// Plays a master accepting the current attempt.
  void accept(std::string id, double heartbeat = 15.0) {
    inject_head(200, "sid-" + std::to_string(gen()));
    push(subscribed_event(std::move(id), heartbeat));
    run();
  }
  /// Fires the next timer (a backoff), and runs.
  void next_timer() {
    REQUIRE(sched.trigger_timeout());
    run();
  }
};

} // namespace

TEST_CASE_FIXTURE(link_fixture, "actor: subscribe and receive offers") {
  start(config(), "");
  REQUIRE(net->opens.size() == 1);
  CHECK(net->opens[0].url.origin() == "http://m1:5050");
  CHECK(store_data->ops.front() == "load");
  inject_head(200, "sid-1");
  push(subscribed_event("fw-1", 15.0));
  push(heartbeat_event());
  push(offers_event("o1"));
  run();
  REQUIRE(rec->ups.size() == 1);
  CHECK(rec->ups[0].framework_id == "fw-1");
  CHECK(rec->ups[0].stream_id == "sid-1");
  CHECK(rec->ups[0].new_framework);
  // The id was on "disk" before anyone heard of the subscription.
  CHECK(rec->stored_at_up[0] == "fw-1");
  // Heartbeats are not forwarded to this listener.
  std::vector<std::string> want{"up", "SUBSCRIBED", "OFFERS"};
  CHECK(rec->order == want);
  auto m = self->request(link, caf::infinite, atom::metrics_v);
  run();
  m.receive(
    [](const link_metrics& x) {
      CHECK(x.connected);
      CHECK(x.phase == "subscribed");
      CHECK(x.heartbeats == 1);
      CHECK(x.framework_id == "fw-1");
    },
    [](caf::error& err) { FAIL(describe(err)); });
}

TEST_CASE_FIXTURE(link_fixture, "actor: link_up reaches a listener (DSL)") {
  start(config(), "fw-1");
  inject_head(200, "sid-1");
  push(subscribed_event("fw-1"));
  // Step by step with CAF's DSL: the store confirms, then the listener
  // hears link_up from the link.
  expect((atom::stream_hd, stream_head), from(_).to(link));
  expect((atom::stream_ev, std::uint64_t, event_ptr), from(_).to(link));
  expect((atom::store, std::string),
         from(link).to(store).with(_, std::string{"fw-1"}));
  REQUIRE(sched.prioritize(link)); // the store's (empty) confirmation
  sched.run_once();
  expect((atom::link_up, subscription), from(link).to(ear));
  run();
  CHECK(rec->ups.size() == 1);
}

TEST_CASE_FIXTURE(link_fixture, "actor: heartbeat loss resubscribes, same id") {
  start(config(), "fw-1");
  accept("fw-1", 1.0);
  REQUIRE(rec->ups.size() == 1);
  advance(1s);
  push(heartbeat_event()); // alive in the second period
  run();
  advance(1s);
  advance(1s);
  advance(1s);
  CHECK(net->opens.size() == 1); // two silent periods: still alive
  advance(1s);                   // the third silent period
  REQUIRE(net->opens.size() == 2);
  CHECK(net->closes.back() == net->opens[0].gen);
  CHECK(net->opens[1].url.origin() == "http://m1:5050");
  CHECK(net->opens[1].body.find(R"("framework_id":{"value":"fw-1"})") !=
        std::string::npos);
  REQUIRE(rec->downs.size() == 1);
  CHECK(rec->downs[0].rfind("heartbeat", 0) == 0);
  accept("fw-1", 1.0);
  CHECK(rec->ups.size() == 2);
}

TEST_CASE_FIXTURE(link_fixture, "actor: budget exhausted stops, exit 3") {
  start(config()); // max_reconnect = 3
  for (int i = 0; i < 2; ++i) {
    inject_end(false, "connect: Connection refused");
    run();
    REQUIRE(net->opens.size() == static_cast<size_t>(i + 1));
    next_timer();
    REQUIRE(net->opens.size() == static_cast<size_t>(i + 2));
  }
  inject_end(false, "connect: Connection refused");
  run();
  auto reason = down_reason();
  CHECK(describe(reason).find("reconnect_budget_exhausted") !=
        std::string::npos);
  CHECK(exit_status(reason) == 3);
  CHECK(net->shutdowns >= 1);
}

TEST_CASE_FIXTURE(link_fixture,
                  "actor: three outages of max_reconnect-1 failures survive") {
  start(config(), "fw-1"); // max_reconnect = 3
  accept("fw-1");
  for (int outage = 0; outage < 3; ++outage) {
    inject_end(false, "connection reset");
    run();
    next_timer(); // reconnect after the drop
    for (int i = 0; i < 2; ++i) {
      inject_end(false, "connect: Connection refused");
      run();
      next_timer();
    }
    accept("fw-1");
  }
  CHECK(rec->ups.size() == 4);
  CHECK(rec->downs.size() == 3);
  self->receive([](caf::down_msg&) { FAIL("the link stopped"); },
                caf::after(std::chrono::seconds(0)) >> [] {});
}

TEST_CASE_FIXTURE(link_fixture, "actor: removed framework -> new framework") {
  start(config(), "old-fw");
  inject_head(200, "sid");
  push(error_event("Framework has been removed"));
  run();
  CHECK(store_data->current().empty());
  REQUIRE(rec->removed.size() == 1);
  CHECK(rec->removed[0].framework_id == "old-fw");
  REQUIRE(net->opens.size() == 2);
  CHECK(net->opens[1].body.find("framework_id") == std::string::npos);
  accept("new-fw");
  CHECK(store_data->current() == "new-fw");
  REQUIRE(rec->ups.size() == 1);
  CHECK(rec->ups[0].new_framework);
  std::vector<std::string> ops{"load", "erase", "store:new-fw"};
  CHECK(store_data->ops == ops);
}

TEST_CASE_FIXTURE(link_fixture, "actor: a failing store never acts on it") {
  start(config());
  store_data->fail_writes = true;
  accept("fw-1");
  CHECK(rec->ups.empty());
  CHECK(net->closes.size() == 1);
  next_timer();
  CHECK(net->opens.size() == 2);
}

// Found by the chaos run (docs/RELIABILITY.md): the journal's disk filled
// up, the task book (the id store) stopped with store_failed, and the
// service exited with status 0, which tells a supervisor not to restart it.
TEST_CASE_FIXTURE(link_fixture,
                  "actor: a failed store stops the link, exit 1") {
  start(config(), "fw-1");
  accept("fw-1");
  // The store fails as the task book does: it quits with store_failed.
  auto failure = caf::make_error(ec::store_failed,
                                 "cannot write log-0: No space left on device");
  store->enqueue(nullptr, caf::make_message_id(),
                 caf::make_message(caf::exit_msg{store->address(), failure}),
                 nullptr);
  run();
  auto reason = down_reason();
  CHECK(exit_status(reason) == 1);
  CHECK(describe(reason).find("framework id store") != std::string::npos);
  CHECK(net->calls.empty()); // no TEARDOWN: the framework stays
}

TEST_CASE_FIXTURE(link_fixture, "actor: a store stopped on purpose, exit 0") {
  start(config(), "fw-1");
  accept("fw-1");
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  run();
  CHECK(exit_status(down_reason()) == 0);
}

TEST_CASE_FIXTURE(link_fixture, "actor: calls, outcome and timeout") {
  start(config());
  accept("fw-1");
  protocol::Call revive;
  revive.type = protocol::call_type::revive;
  auto r1 = self->request(link, caf::infinite, atom::call_v, revive);
  run();
  REQUIRE(net->calls.size() == 1);
  CHECK(net->calls[0].stream_id == "sid-1");
  advance(20ms);
  caf::anon_send(net->sink, atom::call_done_v, result(net->calls[0].id, 202));
  run();
  r1.receive(
    [](const call_outcome& o) {
      CHECK(o.status == 202);
      CHECK(o.latency == 20ms);
    },
    [](caf::error& err) { FAIL(describe(err)); });
  auto r2 = self->request(link, caf::infinite, atom::call_v, revive);
  run();
  advance(10s); // the default call timeout
  r2.receive([](const call_outcome&) { FAIL("expected a timeout"); },
             [](caf::error& err) {
               CHECK(describe(err).find("call_timeout") != std::string::npos);
             });
  CHECK(net->cancels.size() == 1);
}

TEST_CASE_FIXTURE(link_fixture, "actor: teardown erases the id and stops") {
  start(config(), "fw-1");
  accept("fw-1");
  auto r = self->request(link, caf::infinite, atom::teardown_v);
  run();
  REQUIRE(net->calls.size() == 1);
  CHECK(net->calls[0].body.find("TEARDOWN") != std::string::npos);
  caf::anon_send(net->sink, atom::call_done_v, result(net->calls[0].id, 202));
  run();
  r.receive([](const call_outcome& o) { CHECK(o.status == 202); },
            [](caf::error& err) { FAIL(describe(err)); });
  CHECK(store_data->current().empty());
  CHECK_FALSE(down_reason());
}

TEST_CASE_FIXTURE(link_fixture, "actor: shutdown disconnects, keeps the id") {
  start(config(), "fw-1");
  accept("fw-1");
  caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
  run();
  CHECK(exit_status(down_reason()) == 0);
  CHECK(store_data->current() == "fw-1");
  CHECK(net->calls.empty()); // no TEARDOWN
  CHECK(net->closes.size() == 1);
  CHECK(net->shutdowns >= 1);
  CHECK(rec->downs.size() == 1);
}

TEST_CASE_FIXTURE(link_fixture, "actor: zk leader source and leader change") {
  std::vector<leader_listener_actor> subscribers;
  auto source = own(sys.spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](atom::subscribe, leader_listener_actor l) {
      subscribers.push_back(l);
    }};
  }));
  start(config("zk://z1:2181/mesos"), "fw-1",
        caf::actor_cast<leader_source_actor>(source));
  REQUIRE(subscribers.size() == 1);
  CHECK(net->opens.empty());
  caf::anon_send(subscribers[0], atom::leader_v,
                 leader_info{"http://m1:5050", "a", "json.info_1"});
  run();
  REQUIRE(net->opens.size() == 1);
  accept("fw-1");
  caf::anon_send(subscribers[0], atom::leader_v,
                 leader_info{"http://m2:5050", "b", "json.info_2"});
  run();
  REQUIRE(net->opens.size() == 2);
  CHECK(net->opens[1].url.origin() == "http://m2:5050");
  accept("fw-1");
  CHECK(rec->ups.size() == 2);
}

TEST_CASE_FIXTURE(link_fixture, "actor: bad configuration is refused") {
  auto cfg = config("zk://z1:2181/mesos");
  auto l = spawn_master_link(
    sys, cfg, own(spawn_memory_id_store(sys, store_data)), factory_of(net));
  REQUIRE_FALSE(l);
  CHECK(describe(l.error()).find("needs a leader detector") !=
        std::string::npos);
  cfg = config("m1:0");
  l = spawn_master_link(sys, cfg, own(spawn_memory_id_store(sys, store_data)),
                        factory_of(net));
  REQUIRE_FALSE(l);
  CHECK(describe(l.error()).find("invalid port") != std::string::npos);
  run();
}

TEST_CASE_FIXTURE(link_fixture, "actor: spawn-time and late listeners") {
  store = own(spawn_memory_id_store(sys, store_data));
  ear = own(sys.spawn(listener, rec, store_data));
  auto l = spawn_master_link(sys, config(), store, factory_of(net), {},
                             {{ear, all_events}});
  REQUIRE(l);
  link = own(*l);
  run();
  accept("fw-1");
  push(heartbeat_event());
  run();
  std::vector<std::string> want{"up", "SUBSCRIBED", "HEARTBEAT"};
  CHECK(rec->order == want);
  // A listener subscribing now learns the subscription, not the past.
  auto late = std::make_shared<recording>();
  auto late_ear = own(sys.spawn(listener, late, store_data));
  self->send(link, atom::subscribe_v, late_ear, all_events);
  run();
  push(offers_event("o2"));
  run();
  std::vector<std::string> late_want{"up", "OFFERS"};
  CHECK(late->order == late_want);
  // Subscribing again only changes the mask: no duplicates.
  self->send(link, atom::subscribe_v, late_ear, all_but_heartbeats);
  run();
  push(heartbeat_event());
  push(offers_event("o3"));
  run();
  std::vector<std::string> late_want2{"up", "OFFERS", "OFFERS"};
  CHECK(late->order == late_want2);
}
