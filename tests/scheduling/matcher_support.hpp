#pragma once
// Offers and pending tasks for the matcher tests.

#include "protocol/resource_math.hpp"
#include "scheduling/offer_matcher/offer_matcher_state.hpp"
#include "test_support.hpp"

namespace outrigger::test {

/// An offer of an agent: cpus, mem (MiB), ports [31000, 31000+ports).
struct offer_builder {
  proto::Offer offer;

  offer_builder(std::string id, std::string agent, double cpus, double mem,
                std::uint64_t ports = 0, std::string role = "*") {
    offer.id.value = std::move(id);
    offer.framework_id.value = "fw";
    offer.agent_id.value = agent;
    offer.hostname = "host-" + agent;
    add(proto::scalar_resource("cpus", cpus), role);
    add(proto::scalar_resource("mem", mem), role);
    if (ports > 0)
      add(proto::ranges_resource("ports",
                                 proto::Ranges{{{31000, 31000 + ports - 1}}}),
          role);
    offer.allocation_info = proto::AllocationInfo{role};
  }

  offer_builder& add(proto::Resource r, const std::string& role) {
    r.allocation_info = proto::AllocationInfo{role};
    offer.resources.push_back(std::move(r));
    return *this;
  }

  offer_builder& attribute(std::string name, std::string text) {
    proto::Attribute a;
    a.name = std::move(name);
    a.type = proto::value_type::text;
    a.text = proto::Text{std::move(text)};
    offer.attributes.push_back(std::move(a));
    return *this;
  }

  operator proto::Offer() const { return offer; }
};

/// A pending task from a submission body (defaults: cpus 1, mem 256).
inline pending_task pending(task_id id, const std::string& key,
                            const json& extra = json::object(),
                            double ready = 0, std::uint32_t attempt = 1) {
  auto spec = parse_task_spec(body(key, extra), task_spec_rules{});
  REQUIRE_MESSAGE(spec, (spec ? "" : spec.error().message));
  return pending_task{id, attempt,
                      std::make_shared<const task_spec>(std::move(*spec)),
                      at(ready)};
}

/// Tasks placed on each offer of a plan, as (offer id, task ids).
inline std::map<std::string, std::vector<task_id>>
placements(const match_plan& plan) {
  std::map<std::string, std::vector<task_id>> out;
  for (auto& a : plan.accepts)
    for (auto& l : a.launches)
      out[a.offer.id.value].push_back(l.id);
  return out;
}

/// All task ids placed by a plan, in placement order per offer.
inline std::vector<task_id> placed(const match_plan& plan) {
  std::vector<task_id> out;
  for (auto& a : plan.accepts)
    for (auto& l : a.launches)
      out.push_back(l.id);
  return out;
}

/// A matcher configuration changed by `f` from the defaults.
template <class F>
offer_matcher_config config(F f) {
  offer_matcher_config c;
  f(c);
  return c;
}

inline json constraint(std::vector<std::string> c) {
  auto one = json::array();
  for (auto& x : c)
    one.push_back(x);
  return {{"constraints", json::array({one})}};
}

} // namespace outrigger::test
