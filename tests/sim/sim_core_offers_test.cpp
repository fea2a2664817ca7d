// Offers: shape, MULTI_ROLE, DECLINE filters (with the subset rule),
// SUPPRESS/REVIVE by role, UPDATE_FRAMEWORK, rescinds, fairness.

#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

pr::FrameworkInfo multi_role(std::vector<std::string> roles) {
  auto info = framework_info("f2");
  info.roles = std::move(roles);
  info.capabilities.push_back({pr::framework_capability::multi_role});
  return info;
}

} // namespace

TEST_CASE("one OFFERS event carries both agents' offers (transcripts2 01)") {
  harness h;
  auto a1 = h.add_agent(5081, nullptr,
                        "cpus:2;mem:2048;disk:4096;ports:[31000-31099,"
                        "32000-32099]",
                        "rack:r1;zone:a");
  auto a2 =
    h.add_agent(5082, nullptr, "cpus:1;mem:1024;disk:2048;ports:[33000-33049]",
                "rack:r2;zone:b");
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto events = h.take(s.stream, pr::event_type::offers);
  REQUIRE(events.size() == 1);
  auto& offers = events[0].offers->offers;
  REQUIRE(offers.size() == 2);
  for (auto& o : offers) {
    bool first = o.agent_id == a1;
    CHECK((first || o.agent_id == a2));
    CHECK(o.framework_id == s.framework);
    CHECK(o.hostname == "localhost");
    CHECK(o.url->address.port == (first ? 5081 : 5082));
    CHECK(o.url->path == "/slave(1)");
    CHECK_FALSE(o.allocation_info);
    REQUIRE(o.resources.size() == 4);
    CHECK(o.resources[0].name == "ports");
    CHECK(o.resources[1].name == "cpus");
    CHECK(o.resources[2].name == "mem");
    CHECK(o.resources[3].name == "disk");
    for (auto& r : o.resources) {
      CHECK(r.role == "*");
      CHECK_FALSE(r.allocation_info);
    }
    CHECK(o.resources[0].ranges->range.size() == (first ? 2u : 1u));
    REQUIRE(o.attributes.size() == 2);
    CHECK(o.attributes[0].name == "rack");
    CHECK(o.attributes[0].type == pr::value_type::text);
    CHECK(o.attributes[0].text->value == (first ? "r1" : "r2"));
    CHECK(o.id.value.rfind(h.m.info().id + "-O", 0) == 0);
  }
}

TEST_CASE("MULTI_ROLE offers carry allocation_info, resources keep '*'") {
  harness h;
  h.add_agent(5081);
  h.add_agent(5082);
  auto s = h.subscribe(multi_role({"analytics", "*"}));
  h.advance(0ms);
  auto offers = h.take_offers(s.stream);
  REQUIRE(offers.size() == 2);
  std::set<std::string> roles;
  for (auto& o : offers) {
    REQUIRE(o.allocation_info);
    roles.insert(*o.allocation_info->role);
    for (auto& r : o.resources) {
      CHECK(r.role == "*");
      CHECK(r.allocation_info == o.allocation_info);
    }
  }
  // DRF over roles splits the two agents between the two roles.
  CHECK(roles == std::set<std::string>{"*", "analytics"});
}

TEST_CASE("DECLINE filters: refuse_seconds, defaults, clamping") {
  std::optional<double> refuse;
  sim_clock::duration quiet = 5s;
  SUBCASE("explicit 5 s") {
    refuse = 5;
  }
  SUBCASE("unset means 5 s") {}
  SUBCASE("negative means 5 s") {
    refuse = -1;
  }
  SUBCASE("0 means no filter") {
    refuse = 0;
    quiet = 0s;
  }
  SUBCASE("shorter than the allocation interval lasts one interval") {
    refuse = 0.2;
    quiet = 1s;
  }
  SUBCASE("more than 365 days is clamped to 365 days") {
    refuse = 1e12;
    quiet = 365 * 24h;
  }
  auto cfg = harness::default_config();
  cfg.heartbeat_interval = 24h; // a year of heartbeats is not the point
  harness h(cfg);
  h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  CHECK(h.call(pr::make_decline(s.framework, {offer.id}, refuse), s).status ==
        202);
  CHECK(h.m.offer_count() == 0);
  if (quiet > 0s) {
    h.advance(quiet - 1ms);
    CHECK(h.take_offers(s.stream).empty());
  }
  h.advance(1001ms); // the next allocation run after the filter expired
  CHECK(h.take_offers(s.stream).size() == 1);
}

TEST_CASE("filters only cover subsets of what was declined (surprise 0.4)") {
  harness h;
  auto agent = h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto whole = h.take_offers(s.stream).at(0);
  // Split the agent into two offers: launch a task, let it finish, so the
  // freed resources come back as a second, partial offer.
  h.call(launch_call(s.framework, whole.id, {command_task("t", agent)}, 0), s);
  h.advance(1s);
  auto partial1 = h.take_offers(s.stream);
  REQUIRE(partial1.size() == 1); // the rest of the agent (cpus 1.9)
  for (int i = 0; i < 3; ++i) {  // STARTING, RUNNING, FINISHED
    auto updates = h.take_updates(s.stream);
    for (auto& u : updates)
      h.call(ack_of(s.framework, u), s);
    h.advance(100ms);
  }
  h.advance(1s);
  auto partial2 = h.take_offers(s.stream);
  REQUIRE(partial2.size() == 1); // the task's cpus 0.1 / mem 32
  CHECK(partial2[0].resources.size() == 2);
  h.call(pr::make_decline(s.framework, {partial1[0].id, partial2[0].id}, 3), s);
  // Each refusal covers only its part: the combined offer is not a subset
  // of either, so it comes back at the next allocation (obs 15).
  h.advance(1s);
  auto combined = h.take_offers(s.stream);
  REQUIRE(combined.size() == 1);
  CHECK(combined[0].resources.size() == 4);
  // Declining the whole agent does hold it back.
  h.call(pr::make_decline(s.framework, {combined[0].id}, 3), s);
  h.advance(2s);
  CHECK(h.take_offers(s.stream).empty());
}

TEST_CASE("ACCEPT returns unused resources with its filters") {
  harness h;
  auto agent = h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {command_task("t", agent)}, 3600),
         s);
  h.advance(10s);
  CHECK(h.take_offers(s.stream).empty()); // remainder filtered for an hour
  h.call(pr::make_revive(s.framework), s);
  h.advance(0ms);
  CHECK(h.take_offers(s.stream).size() == 1); // REVIVE clears filters
}

TEST_CASE("ACCEPT with a LAUNCH of no tasks is a decline") {
  harness h;
  h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(launch_call(s.framework, offer.id, {}), s);
  CHECK(h.m.offer_count() == 0);
  CHECK(h.m.metric("master/messages_decline_offers") == 1);
  h.advance(4s);
  CHECK(h.take_offers(s.stream).empty());
  h.advance(2s);
  CHECK(h.take_offers(s.stream).size() == 1);
}

TEST_CASE("SUPPRESS stops offers without rescinding - REVIVE brings them") {
  harness h;
  h.add_agent(5081);
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(pr::make_suppress(s.framework), s);
  CHECK(h.take(s.stream, pr::event_type::rescind).empty());
  h.add_agent(5082);
  h.call(pr::make_decline(s.framework, {offer.id}, 0), s);
  h.advance(10s);
  CHECK(h.take_offers(s.stream).empty());
  // A role the framework does not have: the whole call is dropped.
  h.call(pr::make_revive(s.framework, {"nosuchrole"}), s);
  h.advance(2s);
  CHECK(h.take_offers(s.stream).empty());
  h.call(pr::make_revive(s.framework, {"*"}), s);
  h.advance(0ms);
  CHECK(h.take_offers(s.stream).size() == 2);
}

TEST_CASE("SUPPRESS/REVIVE per role for a MULTI_ROLE framework") {
  harness h;
  h.add_agent(5081);
  auto s = h.subscribe(multi_role({"analytics", "*"}));
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.call(pr::make_suppress(s.framework, {"analytics"}), s);
  h.call(pr::make_decline(s.framework, {offer.id}, 0), s);
  for (int i = 0; i < 3; ++i) {
    h.advance(1s);
    for (auto& o : h.take_offers(s.stream)) {
      CHECK(o.allocation_info->role == "*");
      h.call(pr::make_decline(s.framework, {o.id}, 0), s);
    }
  }
  h.call(pr::make_suppress(s.framework, {"*"}), s);
  h.advance(2s);
  CHECK(h.take_offers(s.stream).empty());
  h.call(pr::make_revive(s.framework, {"analytics"}), s);
  h.advance(0ms);
  auto revived = h.take_offers(s.stream);
  REQUIRE(revived.size() == 1);
  CHECK(revived[0].allocation_info->role == "analytics");
}

TEST_CASE("UPDATE_FRAMEWORK: roles, RESCIND of removed roles, 400 texts") {
  harness h;
  h.add_agent(5081);
  auto s = h.subscribe(multi_role({"analytics"}));
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  auto info = multi_role({"batch", "*"});
  info.id = s.framework;
  CHECK(h.call(pr::make_update_framework(info, {"*"}), s).status == 200);
  auto rescinds = h.take(s.stream, pr::event_type::rescind);
  REQUIRE(rescinds.size() == 1);
  CHECK(rescinds[0].rescind->offer_id == offer.id);
  h.advance(1s);
  auto offers = h.take_offers(s.stream);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].allocation_info->role == "batch"); // "*" is suppressed

  auto bad = info;
  bad.user = "nobody";
  CHECK(h.call(pr::make_update_framework(bad), s).body ==
        "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' "
        "is unsupported; attempted to update from 'root' to 'nobody'");
  bad = info;
  bad.capabilities.pop_back(); // drop MULTI_ROLE
  CHECK(h.call(pr::make_update_framework(bad), s).body ==
        "Supplied FrameworkInfo is not valid: 'FrameworkInfo.roles' must "
        "not be set when the framework is not MULTI_ROLE capable");
  CHECK(h.call(pr::make_update_framework(info, {"nosuchrole"}), s).body ==
        "'UpdateFramework' call is not valid: Suppressed roles { nosuchrole "
        "} are not contained in the set of roles");
}

TEST_CASE("RESCIND when offers time out (offer_timeout)") {
  auto cfg = harness::default_config();
  cfg.offer_timeout = 30s;
  harness h(cfg);
  h.add_agent();
  auto s = h.subscribe(framework_info());
  h.advance(0ms);
  auto offer = h.take_offers(s.stream).at(0);
  h.advance(29s);
  CHECK(h.take(s.stream, pr::event_type::rescind).empty());
  h.advance(1s);
  auto r = h.take(s.stream, pr::event_type::rescind);
  REQUIRE(r.size() == 1);
  CHECK(r[0].rescind->offer_id == offer.id);
}

TEST_CASE("two frameworks share the agents (DRF)") {
  harness h;
  for (std::uint16_t p = 0; p < 6; ++p)
    h.add_agent(5051 + p);
  auto a = h.subscribe(framework_info("a"));
  auto b = h.subscribe(framework_info("b"));
  h.advance(0ms);
  // Equal dominant shares: the agents alternate between the two.
  auto oa = h.take_offers(a.stream);
  auto ob = h.take_offers(b.stream);
  CHECK(oa.size() == 3);
  CHECK(ob.size() == 3);
  // `a` declines everything for an hour: `b` is offered all of it next.
  std::vector<pr::OfferID> ids;
  for (auto& o : oa)
    ids.push_back(o.id);
  h.call(pr::make_decline(a.framework, ids, 3600), a);
  h.advance(1s);
  CHECK(h.take_offers(a.stream).empty());
  CHECK(h.take_offers(b.stream).size() == 3);
}

TEST_CASE("declining another framework's offer discards it (faithful)") {
  harness h;
  h.add_agent();
  auto a = h.subscribe(framework_info("a"));
  h.advance(0ms);
  auto offer = h.take_offers(a.stream).at(0);
  auto b = h.subscribe(framework_info("b"));
  h.call(pr::make_decline(b.framework, {offer.id}), b);
  CHECK(h.m.offer_count() == 0);
  CHECK(h.take(a.stream, pr::event_type::rescind).empty());
}
