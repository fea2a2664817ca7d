// Why a task is still pending — the question every Marathon and Aurora user
// asked. Computed per group after a pass (all tasks of a group wait for the
// same reason), from the offers the pass saw and the largest offers of the
// last minute; per task only for retry backoff.

#include "scheduling/offer_matcher/matcher_internals.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace outrigger::scheduling {

namespace {

// "4096", "0.5": thousandths without trailing zeros; ports as a count.
std::string amount_text(resource_dim d, std::int64_t v) {
  if (d == resource_dim::ports)
    return std::to_string(v);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%03lld",
                static_cast<long long>(v / 1000),
                static_cast<long long>(v % 1000 < 0 ? -(v % 1000) : v % 1000));
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.')
    s.pop_back();
  return s;
}

std::string need_text(const amounts& need) {
  std::string out;
  for (std::size_t i = 0; i < 5; ++i) {
    auto d = static_cast<resource_dim>(i);
    if (need[d] == 0)
      continue;
    out += (out.empty() ? "" : " and ") + std::string{to_string(d)} + " ≥ " +
           amount_text(d, need[d]);
  }
  return out;
}

std::string utc_text(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string constraint_text(const placement_constraint& c) {
  std::string out = "constraint";
  for (auto& word : constraint_words(c))
    out += " " + word;
  return out;
}

} // namespace

std::string offer_matcher_state::reason_for(group& g, time_point now,
                                            bool limit_hit) {
  if (!g.blocked && limit_hit)
    return "the limit of " + std::to_string(cfg_.max_launches_per_pass) +
           " launches per pass was reached; the next pass goes on";
  auto& role = g.key.role;
  auto biggest = role_max_.find(role);
  if (biggest == role_max_.end()) {
    auto w = windows_.find(role);
    auto minute = std::chrono::minutes{1};
    if (w == windows_.end() || now - w->second->last_offer >= minute)
      return "role " + role.str() + " receives no offers";
    // Offers came and went: if none of the last minute was big enough,
    // that is the reason (the sizes are what users can act on).
    auto seen = w->second->max_last_minute(now);
    for (std::size_t i = 0; i < 5; ++i) {
      auto d = static_cast<resource_dim>(i);
      if (g.key.need[d] > seen[d])
        return "no offer has " + std::string{to_string(d)} + " ≥ " +
               amount_text(d, g.key.need[d]) +
               "; the largest seen in the last minute had " +
               amount_text(d, seen[d]);
    }
    auto ago = std::chrono::duration_cast<std::chrono::seconds>(
      now - w->second->last_offer);
    return "no offer for role " + role.str() +
           " is held right now (the last one arrived " +
           std::to_string(ago.count()) + " s ago)";
  }
  // A dimension no held offer has enough of.
  auto& need = g.key.need;
  for (std::size_t i = 0; i < 5; ++i) {
    auto d = static_cast<resource_dim>(i);
    if (need[d] <= biggest->second[d])
      continue;
    auto seen = windows_.at(role)->max_last_minute(now)[d];
    return "no offer has " + std::string{to_string(d)} + " ≥ " +
           amount_text(d, need[d]) +
           "; the largest seen in the last minute had " + amount_text(d, seen);
  }
  // Enough of each, but not in one offer.
  auto base_id = list_for(role, nullptr);
  auto& base = *lists_[base_id];
  if (offered_tree(base_id).find_first(0, need) == capacity_tree::npos)
    return "no offer has " + need_text(need) + " at once";
  // A static constraint that rules out every offer large enough.
  prepare(g);
  auto& own = *lists_[g.list - 1];
  if (offered_tree(g.list - 1).find_first(0, need) == capacity_tree::npos) {
    for (auto& c : g.constraints) {
      if (c.spec().counts_tasks())
        continue;
      bool any = false;
      for (std::size_t pos = 0; !any && pos < base.slots.size(); ++pos)
        any = slots_[base.slots[pos]].offer->offered.covers(need) &&
              c.matches(field_value(c.spec().field,
                                    slots_[base.slots[pos]].offer->site));
      if (!any)
        return constraint_text(c.spec()) + ": no offered agent matches";
    }
    return "no offer matches all of its constraints at once";
  }
  // A count that rules out every offer large enough and matching.
  if (g.counting) {
    // Cheap first: a counter whose every offered value is at its limit
    // rules out all offers (a saturated MAX_PER); else look at the offers.
    bool any = true;
    for (auto [id, limit] : g.counters) {
      auto& count = counters_[id]->count;
      any = any && std::any_of(count.begin(), count.end(),
                               [limit](auto n) { return n < limit; });
    }
    if (any) {
      any = false;
      for (std::size_t pos = 0; !any && pos < own.slots.size(); ++pos)
        any = slots_[own.slots[pos]].offer->offered.covers(need) &&
              counts_allow(g, own.slots[pos]);
    }
    if (!any)
      for (auto& c : g.constraints) {
        if (!c.spec().counts_tasks())
          continue;
        auto text = constraint_text(c.spec());
        if (c.spec().op == constraint_op::unique)
          return text + ": every offered agent already runs one";
        return text + ": every offered " + c.spec().field.str() +
               " already runs " + std::to_string(c.spec().limit);
      }
  }
  if (cfg_.max_tasks_per_offer > 0)
    return "the offers that fit were used up by tasks ahead in the queue or "
           "reached " +
           std::to_string(cfg_.max_tasks_per_offer) + " tasks per offer";
  return "the offers that fit were used up by tasks ahead in the queue "
         "(higher priority or older)";
}

const capacity_tree& offer_matcher_state::offered_tree(std::uint32_t id) {
  auto& list = *lists_[id];
  if (!list.offered_built) {
    leaves_.clear();
    for (auto i : list.slots)
      leaves_.push_back(slots_[i].offer->offered);
    list.offered.assign(leaves_);
    list.offered_built = true;
  }
  return list.offered;
}

std::optional<std::string>
offer_matcher_state::pending_reason(task_id id, time_point now) const {
  auto* found = index_.find(id);
  if (!found)
    return std::nullopt;
  auto& ref = *found;
  if (ref.ready_ms > ms_of(now))
    return "waiting for retry backoff until " + utc_text(ref.ready_ms);
  if (!ref.owner->reason.empty())
    return ref.owner->reason;
  return std::string{"waiting for the next matching pass"};
}

} // namespace outrigger::scheduling
