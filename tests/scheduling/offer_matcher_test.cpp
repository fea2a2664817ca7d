// The offer matcher: packing, order, roles, reservations, ports, offer
// lifecycle, SUPPRESS / REVIVE and the calls it builds.

#include "matcher_support.hpp"
#include "protocol/calls.hpp"

#include <algorithm>

using namespace outrigger::test;

TEST_CASE("several tasks share one offer: one ACCEPT with all of them") {
  offer_matcher_state m{{}};
  m.add_offers({offer_builder{"o1", "a1", 4, 4096, 100},
                offer_builder{"o2", "a2", 1, 128}},
               at(0));
  for (task_id id = 1; id <= 3; ++id)
    m.add_pending(
      pending(id, "k" + std::to_string(id), {{"resources", {{"ports", 2}}}}));
  auto plan = m.match(at(1));
  CHECK(placements(plan) ==
        std::map<std::string, std::vector<task_id>>{{"o1", {1, 2, 3}}});
  // Nothing left to place, but o2 is held for the next submission.
  CHECK(plan.declines.empty());
  CHECK(m.pending() == 0);
  CHECK(m.offers_held() == 1);
  REQUIRE(plan.accepts.size() == 1);
  auto infos = m.build_task_infos(plan.accepts[0]);
  REQUIRE(infos.size() == 3);
  CHECK(infos[0].task_id.value == "or-1-1");
  CHECK(infos[0].agent_id.value == "a1");
  CHECK(infos[0].name == "k1");
  CHECK(infos[0].command->value == "echo k1");
  REQUIRE(infos[0].resources.size() == 3);
  CHECK(infos[0].resources[0].name == "cpus");
  CHECK(infos[0].resources[0].scalar->value == 1);
  CHECK(infos[0].resources[0].allocation_info->role == "*");
  CHECK(infos[1].resources[1].scalar->value == 256);
  // Ports are concrete and distinct.
  auto ports_of = [](const proto::TaskInfo& t) {
    return proto::resource_set{t.resources}.ranges("ports");
  };
  CHECK(proto::ranges_count(ports_of(infos[0])) == 2);
  CHECK(proto::ranges_difference(ports_of(infos[1]), ports_of(infos[0])) ==
        ports_of(infos[1]));
  auto call = m.accept_call(proto::FrameworkID{"fw"}, plan.accepts[0], infos);
  CHECK(!proto::validate_call(call));
  REQUIRE(call.accept);
  CHECK(call.accept->offer_ids.size() == 1);
  REQUIRE(call.accept->operations.size() == 1);
  CHECK(call.accept->operations[0].launch->task_infos.size() == 3);
  // The rest of the offer comes back at the next allocation, not after a
  // filter: work arriving meanwhile needs no REVIVE.
  CHECK(call.accept->filters->refuse_seconds == 0);
  auto decline = m.accept_call(proto::FrameworkID{"fw"}, plan.accepts[0], {});
  CHECK(decline.type == proto::call_type::decline);
}

TEST_CASE("tasks go by priority, then age") {
  offer_matcher_state m{{}};
  // In the order they became pending.
  m.add_pending(pending(3, "older", json::object(), -5));
  m.add_pending(pending(1, "old", json::object(), 0));
  m.add_pending(pending(2, "new-urgent", {{"priority", 10}}, 5));
  m.add_offers({offer_builder{"o1", "a1", 2, 1024}}, at(6));
  auto plan = m.match(at(6));
  CHECK(placed(plan) == std::vector<task_id>{2, 3});
  CHECK(m.pending() == 1);
  CHECK(*m.pending_reason(1, at(6)) ==
        "the offers that fit were used up by tasks ahead in the queue (higher "
        "priority or older)");
}

TEST_CASE("age order holds across task shapes") {
  offer_matcher_state m{{}};
  for (task_id id = 1; id <= 6; ++id)
    m.add_pending(pending(id, "k" + std::to_string(id),
                          {{"resources", {{"cpus", id % 2 ? 1 : 2}}}},
                          static_cast<double>(id)));
  CHECK(m.groups() == 2);
  m.add_offers({offer_builder{"o1", "a1", 6, 8192}}, at(10));
  auto plan = m.match(at(10));
  CHECK(placed(plan) == std::vector<task_id>{1, 2, 3, 4}); // 1+2+1+2 cpus
}

TEST_CASE("roles and reservations are honoured") {
  offer_matcher_state m{config([&](auto& c) { c.roles = {"*", "analytics"}; })};
  auto reserved = proto::scalar_resource("cpus", 2);
  proto::ReservationInfo info;
  info.type = proto::reservation_type::dynamic;
  info.role = "analytics";
  reserved.reservations.push_back(info);
  auto other = proto::scalar_resource("cpus", 8);
  info.role = "someone-else";
  other.reservations = {info};
  m.add_offers({offer_builder{"star", "a1", 8, 8192},
                offer_builder{"an", "a2", 1, 8192, 0, "analytics"}
                  .add(reserved, "analytics")
                  .add(other, "analytics")},
               at(0));
  m.add_pending(
    pending(1, "a", {{"role", "analytics"}, {"resources", {{"cpus", 2.5}}}}));
  auto plan = m.match(at(0));
  REQUIRE(placed(plan) == std::vector<task_id>{1});
  CHECK(plan.accepts[0].offer.id.value == "an");
  auto infos = m.build_task_infos(plan.accepts[0]);
  REQUIRE(infos.size() == 1);
  auto& rs = infos[0].resources;
  // 2 reserved cpus first, then 0.5 unreserved; never the other reservation.
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].scalar->value == 2);
  CHECK(rs[0].reservations.at(0).role == "analytics");
  CHECK(rs[1].scalar->value == 0.5);
  CHECK(rs[1].reservations.empty());
  CHECK(rs[0].allocation_info->role == "analytics");
  // The role without pending work keeps its offer for the hold time (the
  // next burst launches at once), then declines it; nothing is left
  // pending, so both roles are suppressed then, none revived.
  CHECK(plan.declines.empty());
  CHECK(plan.suppress_roles.empty());
  auto later = m.match(at(2));
  CHECK(later.declines == std::vector<proto::OfferID>{{"star"}});
  CHECK(later.suppress_roles == std::vector<std::string>{"*", "analytics"});
  CHECK(later.revive_roles.empty());
}

TEST_CASE("first-fit packs, spread spreads") {
  for (auto strategy : {fitness::first_fit, fitness::spread}) {
    offer_matcher_state m{config([&](auto& c) { c.strategy = strategy; })};
    m.add_offers({offer_builder{"big", "a1", 8, 8192},
                  offer_builder{"small", "a2", 4, 4096}},
                 at(0));
    for (task_id id = 1; id <= 4; ++id)
      m.add_pending(pending(id, "k" + std::to_string(id)));
    auto p = placements(m.match(at(0)));
    if (strategy == fitness::first_fit) {
      // The fuller (smaller) offer first, until it is full.
      CHECK(p["small"] == std::vector<task_id>{1, 2, 3, 4});
      CHECK(p.count("big") == 0);
    } else {
      CHECK(p["big"] == std::vector<task_id>{1, 3});
      CHECK(p["small"] == std::vector<task_id>{2, 4});
    }
  }
}

TEST_CASE("limits per offer and per pass") {
  offer_matcher_state m{config([&](auto& c) {
    c.max_tasks_per_offer = 2;
    c.max_launches_per_pass = 3;
  })};
  m.add_offers(
    {offer_builder{"o1", "a1", 8, 8192}, offer_builder{"o2", "a2", 8, 8192}},
    at(0));
  for (task_id id = 1; id <= 5; ++id)
    m.add_pending(pending(id, "k" + std::to_string(id)));
  auto plan = m.match(at(0));
  CHECK(plan.stats.launches == 3);
  CHECK(plan.stats.launch_limit_hit);
  for (auto& [offer, ids] : placements(plan))
    CHECK(ids.size() <= 2);
  CHECK(m.pending_reason(4, at(0))->find("limit of 3 launches per pass") !=
        std::string::npos);
}

TEST_CASE("offers are forgotten when rescinded, declined when held too "
          "long, void after a new subscription") {
  offer_matcher_state m{
    config([&](auto& c) { c.offer_hold_time = std::chrono::seconds{2}; })};
  m.add_pending(pending(1, "big", {{"resources", {{"mem", 100000}}}}));
  m.add_offers(
    {offer_builder{"o1", "a1", 1, 1024}, offer_builder{"o2", "a2", 1, 1024}},
    at(0));
  CHECK(m.rescind(proto::OfferID{"o1"}));
  CHECK(!m.rescind(proto::OfferID{"o1"}));
  auto plan = m.match(at(1)); // held: a task is pending for the role
  CHECK(plan.declines.empty());
  CHECK(m.offers_held() == 1);
  CHECK(m.next_deadline() == at(2));
  CHECK(m.expire(at(1.5)).empty());
  CHECK(m.expire(at(2)) == std::vector<proto::OfferID>{{"o2"}});
  m.add_offers({offer_builder{"o3", "a1", 1, 1024}}, at(3));
  CHECK(m.match(at(5)).declines == std::vector<proto::OfferID>{{"o3"}});
  m.add_offers({offer_builder{"o4", "a1", 1, 1024}}, at(6));
  m.on_subscribed();
  CHECK(m.offers_held() == 0);
}

TEST_CASE("SUPPRESS once idle for the hold time, REVIVE when work arrives, "
          "rate-limited") {
  offer_matcher_state m{config([&](auto& c) {
    c.revive_min_interval = std::chrono::seconds{5};
    c.offer_hold_time = std::chrono::seconds{2};
  })};
  CHECK(m.match(at(0)).suppress_roles.empty()); // idle from now on
  CHECK(m.next_deadline() == at(2));
  auto idle = m.match(at(2));
  CHECK(idle.suppress_roles == std::vector<std::string>{"*"});
  CHECK(m.match(at(2.5)).suppress_roles.empty()); // said once
  m.add_pending(pending(1, "a"));
  auto plan = m.match(at(3));
  CHECK(plan.revive_roles == std::vector<std::string>{"*"});
  // More work right after: a pass is due at once, the REVIVE is
  // rate-limited until 3 + 5.
  m.add_pending(pending(2, "b"));
  CHECK(m.next_deadline() <= at(4));
  CHECK(m.match(at(4)).revive_roles.empty());
  CHECK(m.next_deadline() == at(8));
  CHECK(m.match(at(8)).revive_roles == std::vector<std::string>{"*"});
  // Work gone: suppressed again once idle for the hold time.
  m.remove_pending(1);
  m.remove_pending(2);
  match_plan after;
  m.offer_calls(at(9), after);
  CHECK(after.suppress_roles.empty());
  CHECK(m.next_deadline() == at(11));
  m.offer_calls(at(11), after);
  CHECK(after.suppress_roles == std::vector<std::string>{"*"});
}

TEST_CASE("book notices feed the matcher") {
  memory_store store;
  task_book_state book{{}, store};
  offer_matcher_state m{{}};
  book.submit_json(body("a"), at(0));
  book.submit_json(body("b"), at(0));
  book.submit_json(body("c", {{"resources", {{"cpus", 3}}}}), at(0));
  m.apply(book.take_notices());
  CHECK(m.pending() == 3);
  CHECK(m.groups() == 2);
  book.kill(2, at(1));
  m.apply(book.take_notices());
  CHECK(m.pending() == 2);
  m.add_offers({offer_builder{"o1", "a1", 4, 4096}}, at(2));
  auto plan = m.match(at(2));
  REQUIRE(plan.accepts.size() == 1);
  auto infos = m.build_task_infos(plan.accepts[0]);
  CHECK(infos.size() == 2);
  for (auto& l : plan.accepts[0].launches)
    CHECK(book.begin_launch(l.id, l.attempt,
                            plan.accepts[0].offer.site.agent_id,
                            plan.accepts[0].offer.site.hostname, at(2)));
  CHECK(book.get(1)->phase == task_phase::launching);
  CHECK(book.get(3)->attempts[0].hostname.str() == "host-a1");
  CHECK(m.groups() == 0);
}

TEST_CASE("containers, environment, labels, argv and kill policy reach "
          "the TaskInfo") {
  offer_matcher_state m{{}};
  m.add_offers({offer_builder{"o1", "a1", 4, 4096}}, at(0));
  m.add_pending(pending(1, "docker",
                        {{"command", {"python", "-c", "print(1)"}},
                         {"container", {{"type", "DOCKER"}, {"image", "py:3"}}},
                         {"environment", {{"A", "1"}}},
                         {"labels", {{"team", "data"}}},
                         {"user", "airflow"},
                         {"kill_grace_period_seconds", 30}}));
  m.add_pending(pending(
    2, "mesos", {{"container", {{"type", "MESOS"}, {"image", "alpine"}}}}));
  auto plan = m.match(at(0));
  REQUIRE(plan.accepts.size() == 1);
  auto infos = m.build_task_infos(plan.accepts[0]);
  REQUIRE(infos.size() == 2);
  auto& d = infos[0];
  CHECK(d.command->shell == false);
  CHECK(d.command->value == "python");
  CHECK(d.command->arguments.size() == 3);
  CHECK(d.command->user == "airflow");
  CHECK(d.command->environment->variables.at(0).value == "1");
  CHECK(d.container->type == proto::container_type::docker);
  CHECK(d.container->docker->image == "py:3");
  CHECK(d.kill_policy->grace_period->nanoseconds == 30'000'000'000);
  REQUIRE(d.labels);
  CHECK(d.labels->labels.at(0).key == "team");
  CHECK(d.labels->labels.back().key == "outrigger.key");
  auto& me = infos[1];
  CHECK(me.container->type == proto::container_type::mesos);
  CHECK(me.container->mesos->image->docker->name == "alpine");
  CHECK(me.command->shell == true);
}

TEST_CASE("a retry joins its group when its backoff ends") {
  offer_matcher_state m{{}};
  m.add_pending(pending(1, "retry", json::object(), 50, 2)); // backoff to 50
  m.add_pending(pending(2, "new", json::object(), 10));
  m.add_pending(pending(3, "newer", json::object(), 60));
  m.add_offers({offer_builder{"o1", "a1", 1, 4096}}, at(20));
  CHECK(placed(m.match(at(20))) == std::vector<task_id>{2});
  CHECK(m.next_deadline() == at(50));
  m.add_offers({offer_builder{"o2", "a1", 1, 4096}}, at(55));
  CHECK(placed(m.match(at(55))) == std::vector<task_id>{1});
  m.add_offers({offer_builder{"o3", "a1", 1, 4096}}, at(60));
  CHECK(placed(m.match(at(60))) == std::vector<task_id>{3});
}

TEST_CASE("a requeued task replaces its previous entry") {
  offer_matcher_state m{{}};
  m.add_pending(pending(1, "a", json::object(), 0, 1));
  m.add_pending(pending(1, "a", json::object(), 0, 2));
  CHECK(m.pending() == 1);
  m.add_offers({offer_builder{"o1", "a1", 4, 4096}}, at(0));
  auto plan = m.match(at(0));
  REQUIRE(placed(plan) == std::vector<task_id>{1});
  CHECK(plan.accepts[0].launches[0].attempt == 2);
}

TEST_CASE("offers beyond max_offers_held are declined at the next pass") {
  offer_matcher_state m{config([](auto& c) { c.max_offers_held = 2; })};
  m.add_offers({offer_builder{"o1", "a1", 1, 128},
                offer_builder{"o2", "a2", 1, 128},
                offer_builder{"o3", "a3", 1, 128}},
               at(0));
  m.add_offers({offer_builder{"o4", "a4", 1, 128},
                offer_builder{"o1", "a1", 1, 128}}, // already held: kept
               at(0));
  CHECK(m.offers_held() == 2);
  auto plan = m.match(at(1));
  CHECK(plan.stats.overflow == 2);
  std::vector<std::string> declined;
  for (auto& id : plan.declines)
    declined.push_back(id.value);
  std::sort(declined.begin(), declined.end());
  CHECK(declined == std::vector<std::string>{"o3", "o4"});
  CHECK(m.offers_held() == 2); // the held ones wait for work as before
  CHECK(m.match(at(2)).stats.overflow == 0);
}
