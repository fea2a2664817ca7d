// Offers: a simplified hierarchical DRF allocator
// (src/master/allocator/mesos/hierarchical.cpp). Every allocation run
// visits the agents with allocatable free resources in a seeded random order
// (Mesos shuffles them too); for each agent the roles are tried in order of
// their dominant share, and within a role the frameworks in order of theirs
// (ties: role name, framework id). The first framework of a role that is
// neither suppressed nor filtered gets all of the agent's resources
// offerable to that role. Offers made in one run go out as one OFFERS event
// per framework.

#include "sim/master_core.hpp"
#include "sim/mesos_text.hpp"

#include <algorithm>
#include <array>

namespace outrigger::sim::detail {

namespace {

using shares = std::array<double, 3>; // cpus, mem, disk

shares amounts(const resource_set& rs) {
  return {rs.scalar("cpus"), rs.scalar("mem"), rs.scalar("disk")};
}

void add(shares& into, const shares& more) {
  for (std::size_t i = 0; i < into.size(); ++i)
    into[i] += more[i];
}

double dominant(const shares& used, const shares& total) {
  double d = 0;
  for (std::size_t i = 0; i < used.size(); ++i)
    if (total[i] > 0)
      d = std::max(d, used[i] / total[i]);
  return d;
}

} // namespace

void master_core::request_allocation() {
  // Like Master::addFramework / revive → allocator generateOffers(): a run
  // dispatched at once, not waiting for the next interval.
  if (allocation_requested)
    return;
  allocation_requested = true;
  timers.schedule(now, [this] {
    allocation_requested = false;
    allocate();
    if (!timers.pending(allocation_timer))
      schedule_filter_expiry();
  });
}

sim_time master_core::allocation_tick(sim_time at_or_after) const {
  // Periodic runs happen every allocation_interval since the master
  // started; the first tick at or after `at_or_after`, never now or before.
  auto interval =
    std::chrono::duration_cast<sim_clock::duration>(config.allocation_interval);
  if (interval <= sim_clock::duration::zero())
    interval = std::chrono::milliseconds(1);
  auto t = std::max(at_or_after, now + sim_clock::duration(1));
  auto k = (t - start_time + interval - sim_clock::duration(1)) / interval;
  return start_time + k * interval;
}

void master_core::wake_allocator() {
  // Something offerable may have appeared: make sure the next periodic run
  // happens at the next tick.
  auto tick = allocation_tick(now);
  if (allocation_timer != 0 && timers.pending(allocation_timer) &&
      allocation_at <= tick)
    return;
  timers.cancel(allocation_timer);
  allocation_at = tick;
  allocation_timer = timers.schedule(tick, [this] { periodic_allocation(); });
}

void master_core::periodic_allocation() {
  allocation_timer = 0;
  allocate();
  schedule_filter_expiry();
}

void master_core::schedule_filter_expiry() {
  // A run that changes nothing is not worth running: the next one that can
  // offer anything is at the next tick after something is freed, a
  // framework becomes eligible (both wake the allocator) or a filter
  // expires. Skipping the idle ticks is invisible on the wire and lets a
  // fake clock jump days ahead.
  std::optional<sim_time> expiry;
  for (auto& [id, fw] : frameworks) {
    for (auto& [role, per_agent] : fw->filters) {
      for (auto& [agent, list] : per_agent) {
        std::erase_if(list, [&](auto& f) { return f.expires <= now; });
        for (auto& f : list)
          if (!expiry || f.expires < *expiry)
            expiry = f.expires;
      }
      std::erase_if(per_agent, [](auto& kv) { return kv.second.empty(); });
    }
    std::erase_if(fw->filters, [](auto& kv) { return kv.second.empty(); });
  }
  if (!expiry)
    return;
  allocation_at = allocation_tick(*expiry);
  allocation_timer =
    timers.schedule(allocation_at, [this] { periodic_allocation(); });
}

void master_core::free_resources(agent_rec& agent,
                                 const resource_set& unallocated) {
  agent.available += unallocated;
  wake_allocator();
}

std::vector<protocol::Resource>
master_core::in_offer_order(const agent_rec& agent,
                            const resource_set& rs) const {
  // The recorded offers list ranges before scalars, each in the order of
  // the agent's --resources (ports, cpus, mem, disk; obs 10, transcripts2).
  auto rank = [&](const protocol::Resource& r) {
    for (std::size_t i = 0; i < agent.total_list.size(); ++i)
      if (agent.total_list[i].name == r.name)
        return i;
    return agent.total_list.size();
  };
  auto out = rs.items();
  std::stable_sort(out.begin(), out.end(),
                   [&](auto& a, auto& b) { return rank(a) < rank(b); });
  return out;
}

void master_core::allocate() {
  bump("allocator/mesos/allocation_runs");
  std::map<std::string, std::vector<framework_rec*>> by_role;
  for (auto& [id, fw] : frameworks)
    if (fw->active && fw->connected)
      for (auto& role : fw->roles)
        if (fw->suppressed.count(role) == 0)
          by_role[role].push_back(fw.get());
  if (by_role.empty())
    return;

  std::vector<agent_rec*> candidates;
  shares total{};
  auto allocatable = [&](const resource_set& rs) {
    return rs.scalar("cpus") >= config.min_allocatable_cpus ||
           rs.scalar("mem") >= config.min_allocatable_mem;
  };
  for (auto* a : agent_order) {
    if (a->status != agent_status::active)
      continue;
    add(total, amounts(a->total));
    if (allocatable(a->available))
      candidates.push_back(a);
  }
  if (candidates.empty())
    return;
  std::shuffle(candidates.begin(), candidates.end(), ids.engine());

  std::map<std::string, shares> role_alloc;
  std::map<const framework_rec*, shares> fw_alloc;
  for (auto& [id, fw] : frameworks) {
    auto& mine = fw_alloc[fw.get()];
    for (auto* rs : {&fw->offered, &fw->used})
      for (auto& r : rs->items()) {
        auto role = r.allocation_info ? r.allocation_info->role.value_or("*")
                                      : std::string{"*"};
        shares one{};
        if (r.scalar &&
            (r.name == "cpus" || r.name == "mem" || r.name == "disk"))
          one[r.name == "cpus" ? 0 : r.name == "mem" ? 1 : 2] = r.scalar->value;
        add(mine, one);
        add(role_alloc[role], one);
      }
  }

  std::vector<framework_rec*> order;
  std::map<framework_rec*, std::vector<protocol::Offer>> batch;
  for (auto* agent : candidates) {
    std::vector<std::string> roles;
    for (auto& [role, list] : by_role)
      roles.push_back(role);
    std::stable_sort(roles.begin(), roles.end(), [&](auto& a, auto& b) {
      return dominant(role_alloc[a], total) < dominant(role_alloc[b], total);
    });
    for (auto& role : roles) {
      auto offerable =
        agent->available.filter([&](const protocol::Resource& r) {
          return protocol::is_unreserved(r) ||
                 protocol::reservation_role(r) == role;
        });
      if (!allocatable(offerable))
        continue;
      auto fws = by_role[role];
      std::stable_sort(fws.begin(), fws.end(), [&](auto* a, auto* b) {
        return dominant(fw_alloc[a], total) < dominant(fw_alloc[b], total);
      });
      for (auto* fw : fws) {
        // Refused-resources filters hold while the new offer is a subset of
        // what was refused (hierarchical.cpp:112-125, design.md §M4).
        auto& per_agent = fw->filters[role][agent->id.value];
        std::erase_if(per_agent, [&](auto& f) { return f.expires <= now; });
        bool filtered =
          std::any_of(per_agent.begin(), per_agent.end(),
                      [&](auto& f) { return f.refused.contains(offerable); });
        if (filtered)
          continue;
        offer_rec o;
        o.id.value = info.id + "-O" + std::to_string(next_offer++);
        o.framework = fw->id;
        o.agent = agent->id;
        o.role = role;
        o.resources = resource_set(
          with_allocation(in_offer_order(*agent, offerable), role));
        agent->available -= offerable;
        agent->offers.insert(o.id.value);
        fw->offers.insert(o.id.value);
        fw->offered += o.resources;
        auto amount = amounts(offerable);
        add(role_alloc[role], amount);
        add(fw_alloc[fw], amount);
        if (config.offer_timeout) {
          auto id = o.id.value;
          o.timeout = timers.schedule(now + *config.offer_timeout, [this, id] {
            remove_offer(id, true, std::nullopt);
          });
        }
        if (batch.count(fw) == 0)
          order.push_back(fw);
        batch[fw].push_back(offer_message(o, *fw));
        fw->events["offers/sent"] += 1;
        offers.emplace(o.id.value, std::move(o));
        break;
      }
    }
  }
  for (auto* fw : order) {
    protocol::Event e;
    e.type = protocol::event_type::offers;
    e.offers = protocol::Offers{std::move(batch[fw])};
    emit(*fw, e);
  }
}

protocol::Offer master_core::offer_message(const offer_rec& o,
                                           const framework_rec& fw) const {
  auto& a = *agents.at(o.agent.value);
  protocol::Offer offer;
  offer.id = o.id;
  offer.framework_id = o.framework;
  offer.agent_id = o.agent;
  offer.hostname = a.hostname;
  protocol::URL url;
  url.scheme = "http";
  url.address.hostname = a.hostname;
  url.address.ip = a.ip;
  url.address.port = a.port;
  url.path = "/slave(1)";
  offer.url = url;
  offer.resources = in_offer_order(a, o.resources);
  // Offers carry the pre-refinement format with the deprecated `role` set
  // (downgradeResources, src/common/resources_utils.cpp), also on resources
  // that came back from a task whose TaskInfo left it out (transcripts 10
  // record 7: the echo task's cpus 0.1 / mem 32 offered with "role":"*").
  for (auto& r : offer.resources)
    if (!r.role)
      r.role = std::string{protocol::reservation_role(r)};
  offer.attributes = a.attributes;
  if (fw.multi_role())
    offer.allocation_info = protocol::AllocationInfo{o.role};
  else
    // Stripped for frameworks that are not MULTI_ROLE (MESOS-8237,
    // src/master/master.cpp:9566-9581); the deprecated role stays.
    offer.resources = without_allocation(std::move(offer.resources));
  return offer;
}

void master_core::remove_offer(const std::string& id, bool rescind,
                               const std::optional<protocol::Filters>& f) {
  auto it = offers.find(id);
  if (it == offers.end())
    return;
  auto o = std::move(it->second);
  offers.erase(it);
  timers.cancel(o.timeout);
  auto* fw = find_framework(o.framework.value);
  if (fw != nullptr) {
    fw->offers.erase(id);
    fw->offered -= o.resources;
    if (rescind) {
      protocol::Event e;
      e.type = protocol::event_type::rescind;
      e.rescind = protocol::Rescind{o.id};
      emit(*fw, e);
      fw->events["offers/rescinded"] += 1;
    }
  }
  if (auto* a = find_agent(o.agent.value)) {
    a->offers.erase(id);
    recover(fw, *a, o.role, o.resources, f);
  }
}

void master_core::recover(framework_rec* fw, agent_rec& agent,
                          const std::string& role,
                          const resource_set& resources,
                          const std::optional<protocol::Filters>& filters) {
  resource_set unallocated(without_allocation(resources.items()));
  free_resources(agent, unallocated);
  if (!filters || fw == nullptr)
    return;
  // refuse_seconds: default 5, more than 365 days clamped, negative (or not
  // a number) → default; 0 → no filter (hierarchical.cpp:1683-1740).
  double refuse = filters->refuse_seconds.value_or(5.0);
  if (refuse > 365.0 * 86400)
    refuse = 365.0 * 86400;
  else if (refuse < 0 || refuse != refuse)
    refuse = 5.0;
  if (refuse == 0)
    return;
  // Expires after both the timeout and one allocation interval (MESOS-4302).
  auto timeout = std::max<sim_clock::duration>(
    std::chrono::duration_cast<sim_clock::duration>(
      std::chrono::duration<double>(refuse)),
    config.allocation_interval);
  fw->filters[role][agent.id.value].push_back(
    refusal{std::move(unallocated), now + timeout});
}

void master_core::decline(framework_rec& fw, const protocol::Decline& d) {
  bump("master/messages_decline_offers");
  // Unknown ids are ignored; an offer of another framework is discarded
  // all the same (getOffer does not check the owner, :5429-5458).
  auto filters = d.filters.value_or(protocol::Filters{});
  for (auto& id : d.offer_ids) {
    if (offers.count(id.value) == 0)
      continue;
    remove_offer(id.value, false, filters);
    fw.events["offers/declined"] += 1;
  }
}

namespace {

// The roles a SUPPRESS/REVIVE names, or nullopt when the call is dropped
// (an invalid or unsubscribed role drops the whole call, :3569-3587).
std::optional<std::set<std::string>>
call_roles(const framework_rec& fw, const protocol::RoleList& list) {
  std::set<std::string> roles;
  for (auto& role : list.roles) {
    if (validate_role(role))
      return std::nullopt;
    if (std::find(fw.roles.begin(), fw.roles.end(), role) == fw.roles.end())
      return std::nullopt;
    roles.insert(role);
  }
  if (roles.empty())
    roles.insert(fw.roles.begin(), fw.roles.end());
  return roles;
}

} // namespace

void master_core::suppress(framework_rec& fw, const protocol::RoleList& list) {
  bump("master/messages_suppress_offers");
  auto roles = call_roles(fw, list);
  if (!roles) {
    bump("master/dropped_messages");
    return;
  }
  // Outstanding offers stay (transcripts2 21).
  fw.suppressed.insert(roles->begin(), roles->end());
}

void master_core::revive(framework_rec& fw, const protocol::RoleList& list) {
  bump("master/messages_revive_offers");
  auto roles = call_roles(fw, list);
  if (!roles) {
    bump("master/dropped_messages");
    return;
  }
  revive_roles(fw, *roles);
  request_allocation(); // reviveOffers → generateOffers() at once
}

void master_core::revive_roles(framework_rec& fw,
                               const std::set<std::string>& roles) {
  for (auto& role : roles) {
    fw.filters.erase(role);
    fw.suppressed.erase(role);
  }
  wake_allocator();
}

} // namespace outrigger::sim::detail
