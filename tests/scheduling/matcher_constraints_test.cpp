// Placement constraints and the reasons pending tasks give.

#include "matcher_support.hpp"

using namespace outrigger::test;

namespace {

offer_builder agent(std::string id, std::string rack, double cpus = 8) {
  auto b = offer_builder{"offer-" + id, id, cpus, 16384};
  b.attribute("rack", std::move(rack));
  return b;
}

} // namespace

TEST_CASE("hostname UNIQUE: one task of the queue per agent") {
  offer_matcher_state m{{}};
  m.add_offers({agent("a1", "r1"), agent("a2", "r1")}, at(0));
  for (task_id id = 1; id <= 3; ++id)
    m.add_pending(pending(id, "k" + std::to_string(id),
                          constraint({"hostname", "UNIQUE"})));
  auto plan = m.match(at(0));
  auto p = placements(plan);
  CHECK(p["offer-a1"].size() == 1);
  CHECK(p["offer-a2"].size() == 1);
  CHECK(*m.pending_reason(3, at(0)) ==
        "constraint hostname UNIQUE: every offered agent already runs one");
  // A task of another queue is not counted against them.
  m.add_offers({agent("a1", "r1")}, at(1));
  auto other = constraint({"hostname", "UNIQUE"});
  other["queue"] = "other";
  m.add_pending(pending(4, "k4", other));
  CHECK(placed(m.match(at(1))) == std::vector<task_id>{4});
  // When a task ends, its agent is free for the queue again.
  m.note_ended(1);
  m.add_offers({agent("a1", "r1")}, at(2));
  CHECK(placed(m.match(at(2))) == std::vector<task_id>{3});
}

TEST_CASE("UNIQUE counts tasks that already run (after a restart)") {
  offer_matcher_state m{{}};
  m.add_offers({agent("a1", "r1")}, at(0)); // learns a1's attributes
  m.match(at(0));
  m.note_launched(100, interned{"default"},
                  placement_site{interned{"a1"}, interned{"host-a1"}, nullptr});
  m.add_offers({agent("a1", "r1"), agent("a2", "r2")}, at(1));
  m.add_pending(pending(1, "k1", constraint({"rack", "UNIQUE"})));
  m.add_pending(pending(2, "k2", constraint({"rack", "UNIQUE"})));
  auto p = placements(m.match(at(1)));
  CHECK(p == std::map<std::string, std::vector<task_id>>{{"offer-a2", {1}}});
  CHECK(*m.pending_reason(2, at(1)) ==
        "constraint rack UNIQUE: every offered agent already runs one");
}

TEST_CASE("rack MAX_PER 2") {
  offer_matcher_state m{{}};
  m.add_offers({agent("a1", "r1"), agent("a2", "r1"), agent("a3", "r2")},
               at(0));
  for (task_id id = 1; id <= 6; ++id)
    m.add_pending(pending(id, "k" + std::to_string(id),
                          constraint({"rack", "MAX_PER", "2"})));
  auto plan = m.match(at(0));
  std::map<std::string, int> per_rack;
  for (auto& a : plan.accepts)
    per_rack[a.offer.site.attributes->find(interned{"rack"})->str()] +=
      static_cast<int>(a.launches.size());
  CHECK(per_rack == std::map<std::string, int>{{"r1", 2}, {"r2", 2}});
  CHECK(*m.pending_reason(5, at(0)) ==
        "constraint rack MAX_PER 2: every offered rack already runs 2");
}

TEST_CASE("EQUALS, LIKE and UNLIKE select agents") {
  offer_matcher_state m{{}};
  m.add_offers({agent("a1", "r1"), agent("a2", "r2"), agent("a3", "r3")},
               at(0));
  m.add_pending(pending(1, "eq", constraint({"rack", "EQUALS", "r2"})));
  m.add_pending(pending(2, "like", constraint({"rack", "LIKE", "r[3-9]"})));
  m.add_pending(
    pending(3, "host", constraint({"hostname", "UNLIKE", "host-a[23]"})));
  m.add_pending(pending(4, "none", constraint({"rack", "LIKE", "z.*"})));
  m.add_pending(
    pending(5, "missing", constraint({"gpu_model", "EQUALS", "a100"})));
  auto p = placements(m.match(at(0)));
  CHECK(p["offer-a2"] == std::vector<task_id>{1});
  CHECK(p["offer-a3"] == std::vector<task_id>{2});
  CHECK(p["offer-a1"] == std::vector<task_id>{3});
  CHECK(*m.pending_reason(4, at(0)) ==
        "constraint rack LIKE z.*: no offered agent matches");
  CHECK(*m.pending_reason(5, at(0)) ==
        "constraint gpu_model EQUALS a100: no offered agent matches");
}

TEST_CASE("a task too large says which resource and what was offered") {
  offer_matcher_state m{{}};
  m.add_offers({offer_builder{"o1", "a1", 8, 8192}}, at(0));
  m.match(at(0));                     // held though nothing is pending...
  CHECK(m.expire(at(5)).size() == 1); // ...and declined after the hold time
  m.add_offers({offer_builder{"o2", "a2", 8, 2048}}, at(30));
  m.add_pending(pending(1, "big", {{"resources", {{"mem", 4096}}}}));
  m.match(at(30));
  // 8192 was seen 30 s ago: the last minute remembers it.
  CHECK(*m.pending_reason(1, at(30)) ==
        "no offer has mem ≥ 4096; the largest seen in the last minute had "
        "8192");
  m.add_offers({offer_builder{"o3", "a2", 8, 2048}}, at(100));
  m.match(at(100));
  CHECK(*m.pending_reason(1, at(100)) ==
        "no offer has mem ≥ 4096; the largest seen in the last minute had "
        "2048");
  // No offer held at all (declined, filtered): the sizes of the last
  // minute still explain it.
  m.expire(at(110));
  m.match(at(110));
  CHECK(*m.pending_reason(1, at(110)) ==
        "no offer has mem ≥ 4096; the largest seen in the last minute had "
        "2048");
}

TEST_CASE("enough of each resource, but not in one offer") {
  offer_matcher_state m{{}};
  m.add_offers({offer_builder{"cpu-rich", "a1", 16, 1024},
                offer_builder{"mem-rich", "a2", 1, 65536}},
               at(0));
  m.add_pending(
    pending(1, "both", {{"resources", {{"cpus", 4}, {"mem", 4096}}}}));
  m.match(at(0));
  CHECK(*m.pending_reason(1, at(0)) ==
        "no offer has cpus ≥ 4 and mem ≥ 4096 at once");
}

TEST_CASE("roles without offers, and tasks in backoff, say so") {
  offer_matcher_state m{{}};
  m.add_pending(pending(1, "a", {{"role", "analytics"}}));
  m.match(at(0));
  CHECK(*m.pending_reason(1, at(0)) == "role analytics receives no offers");
  m.add_offers({offer_builder{"o1", "a1", 0.5, 1024, 0, "analytics"}}, at(1));
  m.match(at(1));
  m.expire(at(10));
  m.match(at(20));
  CHECK(*m.pending_reason(1, at(20)) ==
        "no offer has cpus ≥ 1; the largest seen in the last minute had 0.5");
  m.add_pending(pending(
    3, "small", {{"role", "analytics"}, {"resources", {{"cpus", 0.25}}}}));
  m.match(at(20));
  CHECK(*m.pending_reason(3, at(20)) ==
        "no offer for role analytics is held right now (the last one arrived "
        "19 s ago)");
  m.add_pending(pending(2, "retry", json::object(), 3600, 2));
  CHECK(*m.pending_reason(2, at(20)) ==
        "waiting for retry backoff until 2023-11-14T23:13:20Z");
  CHECK(!m.pending_reason(99, at(20)));
  // Once due, the task is served like any other.
  m.add_offers({offer_builder{"o2", "a1", 4, 4096}}, at(3600));
  CHECK(placed(m.match(at(3600))) == std::vector<task_id>{2});
}

TEST_CASE("many tasks of few shapes form few groups") {
  offer_matcher_state m{{}};
  for (task_id id = 1; id <= 3000; ++id)
    m.add_pending(pending(id, "k" + std::to_string(id),
                          {{"resources", {{"cpus", 1 + id % 3}}}}));
  CHECK(m.pending() == 3000);
  CHECK(m.groups() == 3);
  for (task_id id = 1; id <= 3000; id += 2)
    m.remove_pending(id);
  CHECK(m.pending() == 1500);
  std::vector<proto::Offer> offers;
  for (int i = 0; i < 100; ++i)
    offers.push_back(offer_builder{"o" + std::to_string(i),
                                   "a" + std::to_string(i), 10, 100000});
  m.add_offers(offers, at(0));
  auto plan = m.match(at(0));
  CHECK(plan.stats.launches == 500); // 100 offers x 10 cpus, avg 2 cpus
  for (auto id : placed(plan))
    CHECK(id % 2 == 0); // removed tasks are never placed
}

TEST_CASE("agents that come and go are forgotten; a running task's rack is "
          "kept") {
  offer_matcher_state m{{}};
  // a1 runs a rack-UNIQUE task on r1, then its offers stop coming.
  m.add_offers({agent("a1", "r1")}, at(0));
  m.add_pending(pending(1, "k1", constraint({"rack", "UNIQUE"})));
  CHECK(placed(m.match(at(0))) == std::vector<task_id>{1});
  // Months of agents re-registering under new ids, each offering once and
  // its offer declined: the map would hold every id ever seen.
  constexpr int churn = 5000;
  for (int i = 0; i < churn; ++i) {
    auto id = "gone-" + std::to_string(i);
    m.add_offers({agent(id, "r9")}, at(1));
    CHECK(m.rescind(proto::OfferID{"offer-" + id}));
  }
  CHECK(m.agents_known() <= 2 * offer_matcher_state::min_agents_sweep);
  CHECK(m.agents_known() < churn / 2);
  // The rack of a1's task still counts: no second task lands on r1.
  m.add_offers({agent("a2", "r1"), agent("a3", "r2")}, at(2));
  m.add_pending(pending(2, "k2", constraint({"rack", "UNIQUE"})));
  auto p = placements(m.match(at(2)));
  CHECK(p == std::map<std::string, std::vector<task_id>>{{"offer-a3", {2}}});
  // When it ends, r1 is free again.
  m.note_ended(1);
  m.add_offers({agent("a2", "r1")}, at(3));
  m.add_pending(pending(3, "k3", constraint({"rack", "UNIQUE"})));
  CHECK(placed(m.match(at(3))) == std::vector<task_id>{3});
}
