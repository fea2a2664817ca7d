// The per-pass views a matching pass searches: lists of the offers of a
// role that pass a set of static constraints (with a capacity tree each),
// and flat counters for UNIQUE / MAX_PER.

#include "scheduling/offer_matcher/matcher_internals.hpp"

namespace outrigger::scheduling {

std::uint32_t offer_matcher_state::list_for(const interned& role,
                                            group* filter) {
  std::string key = role.str();
  key += '\0';
  if (filter)
    key += filter->static_key;
  if (auto i = list_ids_.find(key); i != list_ids_.end())
    return i->second;
  if (lists_used_ == lists_.size())
    lists_.push_back(std::make_unique<slot_list>());
  auto id = static_cast<std::uint32_t>(lists_used_++);
  auto* list = lists_[id].get();
  list->slots.clear();
  if (!filter || filter->static_key.empty()) {
    for (std::uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].offer->role == role)
        list->slots.push_back(i);
  } else {
    // The static constraints of a group depend on the agent alone: filter
    // once per pass, shared by every group with the same ones.
    auto base = list_for(role, nullptr);
    for (auto i : lists_[base]->slots) {
      auto& site = slots_[i].offer->site;
      bool ok = true;
      for (auto& c : filter->constraints)
        if (!c.spec().counts_tasks() &&
            !c.matches(field_value(c.spec().field, site))) {
          ok = false;
          break;
        }
      if (ok)
        list->slots.push_back(i);
    }
  }
  leaves_.clear();
  for (std::uint32_t pos = 0; pos < list->slots.size(); ++pos) {
    auto& s = slots_[list->slots[pos]];
    leaves_.push_back(s.left);
    s.positions.emplace_back(id, pos);
  }
  list->left.assign(leaves_);
  list->offered_built = false;
  list_ids_.emplace(std::move(key), id);
  return id;
}

std::uint32_t offer_matcher_state::counter_for(const interned& queue,
                                               const interned& field) {
  auto& ids = counters_by_queue_[queue];
  for (auto id : ids)
    if (counters_[id]->field == field)
      return id;
  if (counters_used_ == counters_.size())
    counters_.push_back(std::make_unique<count_ctx>());
  auto id = static_cast<std::uint32_t>(counters_used_++);
  auto* ctx = counters_[id].get();
  ctx->values.clear();
  ctx->count.clear();
  ctx->queue = queue;
  ctx->field = field;
  ctx->value_of.assign(slots_.size(), -1);
  std::unordered_map<interned, std::int32_t> index;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto v = field_value(field, slots_[i].offer->site);
    if (!v)
      continue;
    auto [pos, fresh] =
      index.try_emplace(*v, static_cast<std::int32_t>(ctx->values.size()));
    if (fresh) {
      ctx->values.push_back(*v);
      ctx->count.push_back(counts_.count(queue, field, *v));
    }
    ctx->value_of[i] = pos->second;
  }
  ids.push_back(id);
  return id;
}

void offer_matcher_state::prepare(group& g) {
  if (g.list != 0)
    return;
  g.list = list_for(g.key.role, &g) + 1;
  g.counters.clear();
  for (auto& c : g.constraints)
    if (c.spec().counts_tasks())
      g.counters.emplace_back(counter_for(g.key.queue, c.spec().field),
                              c.spec().limit);
}

bool offer_matcher_state::counts_allow(const group& g,
                                       std::uint32_t slot_index) const {
  for (auto [id, limit] : g.counters) {
    auto& ctx = *counters_[id];
    auto v = ctx.value_of[slot_index];
    if (v < 0 || ctx.count[static_cast<std::size_t>(v)] >= limit)
      return false;
  }
  return true;
}

} // namespace outrigger::scheduling
