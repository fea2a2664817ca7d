// The offer matcher's bookkeeping: offers in and out, pending tasks in
// groups, launched tasks for the counting constraints, REVIVE / SUPPRESS,
// and building the calls of a plan. The pass itself is in matcher_pass.cpp.

#include "scheduling/offer_matcher/matcher_internals.hpp"

#include "protocol/calls.hpp"

#include <algorithm>
#include <unordered_set>

namespace outrigger::scheduling {

std::size_t group_key_hash::operator()(const group_key& k) const noexcept {
  std::size_t h = k.role.hash() ^ (static_cast<std::size_t>(k.priority) *
                                   0x9e3779b97f4a7c15ull);
  for (auto x : k.need.v)
    h = h * 1099511628211ull ^ std::hash<std::int64_t>{}(x);
  for (auto& c : k.constraints)
    h = h * 31 + c.field.hash() + std::hash<std::string>{}(c.value) +
        static_cast<std::size_t>(c.op) + c.limit;
  return h ^ k.queue.hash();
}

offer_matcher_state::offer_matcher_state(offer_matcher_config cfg)
  : cfg_(std::move(cfg)), default_role_(cfg_.default_role) {
  // nop
}

offer_matcher_state::~offer_matcher_state() = default;

// -- offers ------------------------------------------------------------------

void offer_matcher_state::add_offers(const std::vector<protocol::Offer>& xs,
                                     time_point now) {
  for (auto& offer : xs) {
    if (offers_.size() >= cfg_.max_offers_held &&
        !offers_.contains(offer.id.value)) {
      overflow_.push_back(offer.id);
      continue;
    }
    auto held = make_held_offer(offer, now, default_role_, templates_);
    held.arrival = next_arrival_++;
    auto& agent = agent_entry(held.site.agent_id);
    agent.hostname = held.site.hostname;
    agent.attributes = held.site.attributes;
    note_offered(held, now);
    offers_.insert_or_assign(offer.id.value, std::move(held));
  }
}

void offer_matcher_state::note_offered(const held_offer& o, time_point now) {
  auto& w = windows_[o.role];
  if (!w)
    w = std::make_unique<role_window>();
  w->add(o.offered, now);
}

bool offer_matcher_state::rescind(const protocol::OfferID& id) {
  return offers_.erase(id.value) > 0;
}

std::vector<protocol::OfferID> offer_matcher_state::expire(time_point now) {
  std::vector<protocol::OfferID> out;
  for (auto i = offers_.begin(); i != offers_.end();) {
    if (now - i->second.received_at >= cfg_.offer_hold_time) {
      out.push_back(i->second.id);
      i = offers_.erase(i);
    } else {
      ++i;
    }
  }
  return out;
}

void offer_matcher_state::on_subscribed() {
  offers_.clear();
  overflow_.clear();
  suppressed_.clear();
  idle_since_.clear();
  last_revive_.clear();
}

// -- pending tasks -----------------------------------------------------------

offer_matcher_state::group& offer_matcher_state::group_for(const task_spec& s) {
  group_key key;
  key.role = s.role;
  key.priority = s.priority;
  key.need = needs_of(s.resources);
  key.constraints = s.more().constraints;
  bool counting = std::any_of(key.constraints.begin(), key.constraints.end(),
                              [](auto& c) { return c.counts_tasks(); });
  if (counting)
    key.queue = s.queue;
  auto i = groups_.find(key);
  if (i != groups_.end())
    return *i->second;
  auto g = std::make_unique<group>();
  g->key = key;
  g->counting = counting;
  g->role_pending = &pending_by_role_[s.role];
  for (auto& c : key.constraints) {
    g->constraints.emplace_back(c);
    if (!c.counts_tasks()) {
      g->static_key += c.field.str() + '\x1f' + std::string{to_string(c.op)} +
                       '\x1f' + c.value + '\x1e';
      continue;
    }
    if (counts_.tracked(s.queue, c.field))
      continue;
    std::vector<placement_site> sites;
    active_.for_each([&](task_id, const active_task& t) {
      if (t.queue == s.queue)
        sites.push_back(site_of(t));
    });
    std::vector<const placement_site*> pointers;
    for (auto& site : sites)
      pointers.push_back(&site);
    counts_.track(s.queue, c.field, pointers);
  }
  return *groups_.emplace(std::move(key), std::move(g)).first->second;
}

void offer_matcher_state::add_pending(const pending_task& task) {
  remove_pending(task.id); // a requeue replaces the previous entry
  auto& g = group_for(*task.spec);
  auto ready_ms = ms_of(task.ready_at);
  g.queue.push_back(
    queue_entry{ready_ms, task.id, task.attempt, task.spec->queue, task.spec});
  ++g.live;
  index_.insert_or_assign(task.id,
                          pending_ref{&g, task.attempt, false, ready_ms});
  ++*g.role_pending;
  revive_wanted_.insert(task.spec->role.str());
  if (!next_ready_ || task.ready_at < *next_ready_)
    next_ready_ = task.ready_at;
}

bool offer_matcher_state::remove_pending(task_id id) {
  auto* ref = index_.find(id);
  if (!ref)
    return false;
  auto& g = *ref->owner;
  --*g.role_pending;
  if (!ref->in_backoff)
    ++g.dead; // its queue entry stays until the head passes it
  index_.erase(id);
  if (--g.live == 0)
    drop_group(g);
  return true;
}

void offer_matcher_state::drop_group(group& g) {
  auto key = g.key; // g dies with the erase
  groups_.erase(key);
}

void offer_matcher_state::note_launched(task_id id, interned queue,
                                        placement_site site) {
  auto& agent = agent_entry(site.agent_id); // recovered tasks name new agents
  if (agent.hostname.empty())
    agent.hostname = site.hostname;
  if (!site.attributes)
    site.attributes = agent.attributes;
  note_ended(id); // a task counts once
  counts_.add(queue, site, +1);
  active_.insert_or_assign(id, active_task{queue, site.agent_id});
}

void offer_matcher_state::note_ended(task_id id) {
  auto* t = active_.find(id);
  if (!t)
    return;
  counts_.add(t->queue, site_of(*t), -1);
  active_.erase(id);
}

offer_matcher_state::agent_info&
offer_matcher_state::agent_entry(const interned& agent_id) {
  // Agents come and go for months (a restarted agent registers under a new
  // id), so an entry nothing refers to is dropped once the map has doubled
  // since the last sweep: amortised O(1) per new agent, bounded by twice
  // the agents in use.
  if (agents_.size() >= agents_sweep_at_ && !agents_.contains(agent_id)) {
    std::unordered_set<interned> used;
    for (auto& [id, offer] : offers_)
      used.insert(offer.site.agent_id);
    active_.for_each(
      [&used](task_id, const active_task& t) { used.insert(t.agent_id); });
    std::erase_if(agents_,
                  [&used](auto& entry) { return !used.contains(entry.first); });
    agents_sweep_at_ = std::max(min_agents_sweep, 2 * agents_.size());
  }
  return agents_[agent_id];
}

placement_site offer_matcher_state::site_of(const active_task& t) const {
  auto i = agents_.find(t.agent_id);
  if (i == agents_.end())
    return placement_site{t.agent_id, {}, nullptr, {}};
  return placement_site{
    t.agent_id, i->second.hostname, i->second.attributes, {}};
}

void offer_matcher_state::apply(const book_notices& notices) {
  for (auto id : notices.withdrawn)
    remove_pending(id);
  for (auto& ref : notices.ended)
    note_ended(ref.id);
  for (auto& task : notices.queued)
    add_pending(task);
}

// -- REVIVE / SUPPRESS -------------------------------------------------------

void offer_matcher_state::offer_calls(time_point now, match_plan& out) {
  auto pending_for = [this](const std::string& role) {
    auto i = pending_by_role_.find(interned{role});
    return i == pending_by_role_.end() ? std::size_t{0} : i->second;
  };
  for (auto i = revive_wanted_.begin(); i != revive_wanted_.end();) {
    if (pending_for(*i) == 0) {
      i = revive_wanted_.erase(i); // the work is gone already
      continue;
    }
    auto last = last_revive_.find(*i);
    if (last != last_revive_.end() &&
        now - last->second < cfg_.revive_min_interval) {
      ++i; // rate-limited: next_deadline() says when
      continue;
    }
    out.revive_roles.push_back(*i);
    last_revive_[*i] = now;
    suppressed_.erase(*i);
    i = revive_wanted_.erase(i);
  }
  // A role whose work is all placed lingers unsuppressed for the hold
  // time: a burst right after finds offers in hand instead of waiting for
  // a REVIVE.
  std::set<std::string> roles(cfg_.roles.begin(), cfg_.roles.end());
  for (auto& [role, n] : pending_by_role_)
    roles.insert(role.str());
  for (auto& role : roles) {
    if (pending_for(role) != 0) {
      idle_since_.erase(role);
      continue;
    }
    auto since = idle_since_.try_emplace(role, now).first->second;
    if (now - since >= cfg_.offer_hold_time && suppressed_.insert(role).second)
      out.suppress_roles.push_back(role);
  }
}

std::optional<time_point> offer_matcher_state::next_deadline() const {
  std::optional<time_point> out = next_ready_;
  auto consider = [&out](time_point t) {
    if (!out || t < *out)
      out = t;
  };
  for (auto& [id, o] : offers_)
    consider(o.received_at + cfg_.offer_hold_time);
  for (auto& [role, since] : idle_since_)
    if (!suppressed_.count(role))
      consider(since + cfg_.offer_hold_time);
  for (auto& role : revive_wanted_) {
    auto last = last_revive_.find(role);
    consider(last == last_revive_.end()
               ? time_point{}
               : last->second + cfg_.revive_min_interval);
  }
  return out;
}

// -- calls -------------------------------------------------------------------

std::vector<protocol::TaskInfo>
offer_matcher_state::build_task_infos(planned_accept& accept) const {
  std::vector<protocol::TaskInfo> out;
  out.reserve(accept.launches.size());
  for (auto& l : accept.launches) {
    auto resources = take_resources(accept.offer.entries,
                                    needs_of(l.spec->resources), templates_);
    if (!resources)
      continue;
    out.push_back(build_task_info(l.id, l.attempt, *l.spec,
                                  accept.offer.agent_id, std::move(*resources),
                                  cfg_.task_info));
  }
  return out;
}

protocol::Call
offer_matcher_state::accept_call(const protocol::FrameworkID& framework,
                                 const planned_accept& accept,
                                 std::vector<protocol::TaskInfo> tasks) const {
  if (tasks.empty())
    return protocol::make_decline(framework, {accept.offer.id},
                                  cfg_.refuse_seconds);
  std::vector<protocol::OfferOperation> ops;
  ops.push_back(protocol::make_launch(std::move(tasks)));
  return protocol::make_accept(framework, {accept.offer.id}, std::move(ops),
                               protocol::Filters{cfg_.accept_refuse_seconds});
}

} // namespace outrigger::scheduling
