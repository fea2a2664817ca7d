// One matching pass: offers become slots ordered by fitness, groups are
// served in the order of their oldest ready task (priority first), each
// group scans the offers of its role at most once, and what is left is
// accepted, declined or held.

#include "scheduling/offer_matcher/matcher_internals.hpp"

#include <algorithm>

namespace outrigger::scheduling {

namespace {

// Order of the pass: higher priority, then older (ready earlier), then id,
// packed into two integers because the heap compares them once per
// placement: priority (validated to +-1,000,000) in the top 22 bits, the
// ready time in milliseconds (42 bits: until the year 2109) below it.
struct head_key {
  std::uint64_t rank = 0;
  task_id id = 0;
  void* owner = nullptr;
};

head_key key_of(std::int32_t priority, std::int64_t ready_ms, task_id id,
                void* owner) noexcept {
  auto p = static_cast<std::uint64_t>(2'000'000 - (priority + 1'000'000));
  auto t = static_cast<std::uint64_t>(std::max<std::int64_t>(ready_ms, 0)) &
           ((std::uint64_t{1} << 42) - 1);
  return head_key{(p << 42) | t, id, owner};
}

// "a is served after b": the heap keeps the best at the front.
bool served_after(const head_key& a, const head_key& b) noexcept {
  return a.rank != b.rank ? a.rank > b.rank : a.id > b.id;
}

} // namespace

void offer_matcher_state::build_slots() {
  slots_.clear();
  lists_used_ = 0;
  list_ids_.clear();
  counters_used_ = 0;
  counters_by_queue_.clear();
  role_max_.clear();
  placed_.clear();
  amounts biggest;
  for (auto& [id, o] : offers_) {
    for (std::size_t i = 0; i < 5; ++i)
      biggest.v[i] = std::max(biggest.v[i], o.offered.v[i]);
    auto& m = role_max_[o.role];
    for (std::size_t d = 0; d < 5; ++d)
      m.v[d] = std::max(m.v[d], o.offered.v[d]);
  }
  // Fitness: the share of the largest offer's cpus and mem that is free.
  auto share = [](std::int64_t x, std::int64_t max) {
    return max > 0 ? static_cast<double>(x) / static_cast<double>(max) : 0.0;
  };
  struct ranked {
    double score;
    held_offer* offer;
  };
  std::vector<ranked> order;
  order.reserve(offers_.size());
  for (auto& [id, o] : offers_)
    order.push_back(
      {share(o.offered[resource_dim::cpus], biggest[resource_dim::cpus]) +
         share(o.offered[resource_dim::mem], biggest[resource_dim::mem]),
       &o});
  bool pack = cfg_.strategy == fitness::first_fit;
  std::sort(order.begin(), order.end(),
            [pack](const ranked& a, const ranked& b) {
              if (a.score != b.score)
                return pack ? a.score < b.score : a.score > b.score;
              return a.offer->arrival < b.offer->arrival;
            });
  slots_.resize(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    slots_[i].offer = order[i].offer;
    slots_[i].left = order[i].offer->offered;
    slots_[i].launches = 0;
    slots_[i].positions.clear();
  }
}

namespace {

// Min-heap order of the backoff heap: the earliest ready on top.
bool later(const queue_entry& a, const queue_entry& b) noexcept {
  return b < a;
}

} // namespace

offer_matcher_state::head_ref offer_matcher_state::head_of(group& g,
                                                           std::int64_t now) {
  auto alive = [&](const queue_entry& e, bool in_backoff) {
    auto* ref = index_.find(e.id);
    return ref && ref->owner == &g && ref->attempt == e.attempt &&
           ref->in_backoff == in_backoff;
  };
  // The queue's head: skip dead entries, park those still in backoff.
  queue_entry* first = nullptr;
  while (!g.queue.empty()) {
    auto& e = g.queue.front();
    if (g.dead > 0 && !alive(e, false)) {
      --g.dead;
      g.queue.pop_front();
      continue;
    }
    if (e.ready_ms > now) {
      index_.find(e.id)->in_backoff = true;
      g.backoff.push_back(std::move(e));
      std::push_heap(g.backoff.begin(), g.backoff.end(), later);
      g.queue.pop_front();
      continue;
    }
    first = &e;
    break;
  }
  // The backoff heap's top, when due; whichever became ready first wins.
  while (!g.backoff.empty() && !alive(g.backoff.front(), true)) {
    std::pop_heap(g.backoff.begin(), g.backoff.end(), later);
    g.backoff.pop_back();
  }
  if (!g.backoff.empty() && g.backoff.front().ready_ms <= now &&
      (!first || g.backoff.front() < *first))
    return {&g.backoff.front(), true};
  return {first, false};
}

offer_matcher_state::slot* offer_matcher_state::find_slot(group& g) {
  prepare(g);
  auto& list = *lists_[g.list - 1];
  auto& need = g.key.need;
  // Most placements go where the previous one went (first-fit) or to the
  // next offer (spread): try the cursor before searching the tree.
  if (g.cursor < list.slots.size() && list.left.at(g.cursor).covers(need) &&
      (g.spent.empty() || !g.spent[g.cursor]) &&
      counts_allow(g, list.slots[g.cursor])) {
    auto index = list.slots[g.cursor];
    if (cfg_.strategy == fitness::spread)
      ++g.cursor;
    return &slots_[index];
  }
  if (cfg_.strategy == fitness::first_fit) {
    // Offers only shrink and counts only grow during a pass: one that does
    // not fit now never will, so the cursor never goes back.
    for (;;) {
      auto pos = list.left.find_first(g.cursor, need);
      if (pos == capacity_tree::npos)
        return nullptr;
      g.cursor = pos;
      auto index = list.slots[pos];
      if (counts_allow(g, index))
        return &slots_[index];
      g.cursor = pos + 1;
    }
  }
  // Spread: the next fitting offer after the last one used, wrapping once.
  bool wrapped = false;
  for (;;) {
    auto pos = list.left.find_first(g.cursor, need);
    if (pos == capacity_tree::npos) {
      if (wrapped || g.cursor == 0)
        return nullptr;
      wrapped = true;
      g.cursor = 0;
      continue;
    }
    g.cursor = pos + 1;
    if (!g.spent.empty() && g.spent[pos])
      continue;
    auto index = list.slots[pos];
    if (counts_allow(g, index))
      return &slots_[index];
    if (g.spent.empty())
      g.spent.resize(list.slots.size());
    g.spent[pos] = true;
  }
}

void offer_matcher_state::place(group& g, slot& s, std::uint32_t slot_index,
                                head_ref h, match_plan& plan) {
  auto& e = *h.entry;
  auto queue = std::move(e.queue); // the entry leaves its queue below
  s.left -= g.key.need;
  ++s.launches;
  if (cfg_.max_tasks_per_offer > 0 && s.launches >= cfg_.max_tasks_per_offer)
    s.left.v.fill(-1); // full: fits nothing any more
  for (auto [list, pos] : s.positions)
    lists_[list]->left.update(pos, s.left);
  // Counts at once, so that UNIQUE / MAX_PER hold within the pass too.
  counts_.add(queue, s.offer->site, +1);
  if (auto c = counters_by_queue_.find(queue); c != counters_by_queue_.end())
    for (auto id : c->second) {
      auto& ctx = *counters_[id];
      if (auto v = ctx.value_of[slot_index]; v >= 0)
        ++ctx.count[static_cast<std::size_t>(v)];
    }
  // index_ and active_ are updated for all placements at the end of the
  // pass (see finish_pass): nothing in the pass reads them for placed tasks.
  auto seq = static_cast<std::uint32_t>(placed_.size());
  placed_.push_back(
    placed_task{seq, slot_index, std::move(queue),
                planned_launch{e.id, e.attempt, std::move(e.spec)}});
  --*g.role_pending;
  --g.live;
  if (h.from_backoff) {
    std::pop_heap(g.backoff.begin(), g.backoff.end(), later);
    g.backoff.pop_back();
  } else {
    g.queue.pop_front();
  }
  ++plan.stats.launches;
}

match_plan offer_matcher_state::match(time_point now) {
  match_plan plan;
  auto now_ms = ms_of(now);
  build_slots();
  plan.stats.offers = slots_.size();
  std::vector<head_key> heap;
  for (auto& [key, gp] : groups_) {
    auto& g = *gp;
    g.list = 0;
    g.cursor = 0;
    g.spent.clear();
    g.blocked = false;
    g.reason.clear();
    if (auto h = head_of(g, now_ms); h.entry)
      heap.push_back(
        key_of(g.key.priority, h.entry->ready_ms, h.entry->id, &g));
  }
  plan.stats.groups = heap.size();
  std::make_heap(heap.begin(), heap.end(), served_after);
  auto limit = cfg_.max_launches_per_pass;
  while (!heap.empty() && !plan.stats.launch_limit_hit) {
    std::pop_heap(heap.begin(), heap.end(), served_after);
    auto& g = *static_cast<group*>(heap.back().owner);
    heap.pop_back();
    // Serve this group while it stays ahead of the next one.
    for (;;) {
      if (limit > 0 && plan.stats.launches >= limit) {
        plan.stats.launch_limit_hit = true;
        break;
      }
      auto h = head_of(g, now_ms);
      if (!h.entry)
        break;
      auto k = key_of(g.key.priority, h.entry->ready_ms, h.entry->id, &g);
      if (!heap.empty() && served_after(k, heap.front())) {
        heap.push_back(k);
        std::push_heap(heap.begin(), heap.end(), served_after);
        break;
      }
      auto* s = find_slot(g);
      if (!s) {
        g.blocked = true;
        break;
      }
      place(g, *s, static_cast<std::uint32_t>(s - slots_.data()), h, plan);
    }
  }
  finish_pass(now, plan);
  return plan;
}

void offer_matcher_state::finish_pass(time_point now, match_plan& plan) {
  auto now_ms = ms_of(now);
  // First, while the slots still point at the held offers: why the ready
  // tasks left stay pending, and when the others become ready.
  next_ready_.reset();
  std::vector<group*> empty;
  for (auto& [key, gp] : groups_) {
    auto& g = *gp;
    if (g.live == 0) {
      empty.push_back(&g);
      continue;
    }
    // head_of parks every entry still in backoff: the heap's top is the
    // next one to become ready.
    if (head_of(g, now_ms).entry)
      g.reason = reason_for(g, now, plan.stats.launch_limit_hit);
    if (!g.backoff.empty()) {
      auto t = time_point{duration{g.backoff.front().ready_ms}};
      if (!next_ready_ || t < *next_ready_)
        next_ready_ = t;
    }
  }
  for (auto* g : empty)
    drop_group(*g);
  // The placed tasks leave the pending set and count as launched.
  active_.reserve(active_.size() + placed_.size());
  for (auto& p : placed_) {
    index_.erase(p.launch.id);
    auto& site = slots_[p.slot].offer->site;
    active_.insert_or_assign(p.launch.id,
                             active_task{std::move(p.queue), site.agent_id});
  }
  // Offers that got tasks become ACCEPTs, their tasks in placement order.
  std::vector<std::uint32_t> accept_of(slots_.size());
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    if (s.launches == 0)
      continue;
    accept_of[i] = static_cast<std::uint32_t>(plan.accepts.size());
    auto node = offers_.extract(s.offer->id.value);
    plan.accepts.push_back({std::move(node.mapped()), {}});
    plan.accepts.back().launches.reserve(s.launches);
  }
  for (auto& p : placed_) // still in placement order
    plan.accepts[accept_of[p.slot]].launches.push_back(std::move(p.launch));
  placed_.clear();
  index_.shrink_if_sparse();
  if (placed_.capacity() > 16384)
    placed_ = {}; // a rare huge pass must not pin its scratch forever
  slots_.clear(); // they point at offers that are gone now
  lists_used_ = 0;
  counters_used_ = 0;
  counters_by_queue_.clear();
  // The others are declined once held too long. Even with nothing pending
  // they are held until then: the next submission launches at once.
  for (auto i = offers_.begin(); i != offers_.end();) {
    auto& o = i->second;
    if (now - o.received_at >= cfg_.offer_hold_time) {
      plan.declines.push_back(o.id);
      i = offers_.erase(i);
    } else {
      ++i;
    }
  }
  plan.stats.overflow = overflow_.size();
  plan.declines.insert(plan.declines.end(),
                       std::make_move_iterator(overflow_.begin()),
                       std::make_move_iterator(overflow_.end()));
  overflow_.clear();
  plan.stats.declined = plan.declines.size();
  offer_calls(now, plan);
}

} // namespace outrigger::scheduling
