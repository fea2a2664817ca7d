// The offer_matcher actor on CAF's deterministic coordinator: a task that
// arrives at an idle matcher is placed at once, while tasks arriving right
// after a launching pass are gathered into the next ACCEPT (the master
// re-offers an accepted agent only at its next allocation).

#include "actors/offer_matcher/offer_matcher_actor.hpp"
#include "tests/actors/deterministic_fixture.hpp"
#include "tests/scheduling/matcher_support.hpp"

namespace outrigger::test {

namespace {

/// What the fake gate and link saw.
struct matcher_log {
  std::vector<std::size_t> launches; ///< items per launch request
  std::size_t accepts = 0;
};

caf::behavior fake_gate(caf::event_based_actor*,
                        std::shared_ptr<matcher_log> log) {
  return {[log](atom::launch, const launch_request& r) {
    log->launches.push_back(r.items.size());
    return launch_reply{};
  }};
}

caf::behavior fake_accepting_link(caf::event_based_actor*,
                                  std::shared_ptr<matcher_log> log) {
  return {[log](atom::call, const protocol::Call& c) {
    if (c.accept)
      ++log->accepts;
    return call_outcome{202, {}, {}};
  }};
}

notices_ptr queued(std::vector<scheduling::task_id> ids) {
  auto n = std::make_shared<scheduling::book_notices>();
  for (auto id : ids)
    n->queued.push_back(pending(id, "k" + std::to_string(id)));
  return n;
}

struct matcher_fixture : deterministic_fixture {
  std::shared_ptr<matcher_log> log = std::make_shared<matcher_log>();
  offer_matcher_actor matcher;

  matcher_fixture() {
    auto gate = own(sys.spawn(fake_gate, log));
    auto link = own(sys.spawn(fake_accepting_link, log));
    matcher = own(scheduling::spawn_offer_matcher(
      sys, {}, caf::actor_cast<launch_gate_actor>(gate)));
    caf::anon_send(matcher, atom::connect_v,
                   caf::actor_cast<master_link_actor>(link));
    caf::anon_send(matcher, atom::link_up_v, subscription{"fw", "s", "m"});
    protocol::Event ev;
    ev.type = protocol::event_type::offers;
    ev.offers = protocol::Offers{};
    for (int i = 0; i < 4; ++i)
      ev.offers->offers.push_back(offer_builder{
        "o" + std::to_string(i), "a" + std::to_string(i), 32, 65536});
    caf::anon_send(matcher, atom::event_v,
                   std::make_shared<const protocol::Event>(std::move(ev)));
    run();
  }
};

} // namespace

TEST_CASE_FIXTURE(
  matcher_fixture,
  "a busy matcher gathers tasks and an idle one places at once") {
  using namespace std::chrono_literals;
  auto busy = scheduling::offer_matcher_config{}.busy_pass_interval;
  caf::anon_send(matcher, atom::notices_v, queued({1}));
  run();
  CHECK(log->launches == std::vector<std::size_t>{1}); // at once
  CHECK(log->accepts == 1);
  // Right after a launching pass, new tasks wait for the interval...
  caf::anon_send(matcher, atom::notices_v, queued({2}));
  caf::anon_send(matcher, atom::notices_v, queued({3, 4}));
  run();
  CHECK(log->launches.size() == 1);
  // ...and then go out together, in one ACCEPT.
  advance(busy);
  CHECK(log->launches == std::vector<std::size_t>{1, 3});
  CHECK(log->accepts == 2);
  // Once the matcher has been quiet that long, a task is placed at once.
  advance(busy);
  caf::anon_send(matcher, atom::notices_v, queued({5}));
  run();
  CHECK(log->launches == std::vector<std::size_t>{1, 3, 1});
}

} // namespace outrigger::test
