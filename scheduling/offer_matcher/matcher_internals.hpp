#pragma once
// Internal types of offer_matcher_state shared by its source files: task
// groups, pass slots and the per-role window of recent offers.

#include "scheduling/offer_matcher/capacity_tree.hpp"
#include "scheduling/offer_matcher/offer_matcher_state.hpp"

#include <deque>
#include <tuple>

namespace outrigger::scheduling {

/// A pending task in its group's queue (or backoff heap).
struct queue_entry {
  std::int64_t ready_ms = 0;
  task_id id = 0;
  std::uint32_t attempt = 0;
  interned queue; ///< the task's queue (here to spare a pointer chase)
  std::shared_ptr<const task_spec> spec;

  bool operator<(const queue_entry& o) const noexcept {
    return std::tie(ready_ms, id) < std::tie(o.ready_ms, o.id);
  }
};

/// Pending tasks of one key, oldest ready first.
struct offer_matcher_state::group {
  group_key key;
  std::vector<compiled_constraint> constraints;
  std::string static_key;              ///< EQUALS / LIKE / UNLIKE part, as text
  bool counting = false;               ///< has UNIQUE or MAX_PER
  std::size_t* role_pending = nullptr; ///< its role's pending counter
  /// Tasks in the order they became pending, live and dead (removed
  /// tasks, dropped when they reach the front). A deque: no capacity slack
  /// and no compaction.
  std::deque<queue_entry> queue;
  std::size_t dead = 0; ///< dead entries in `queue`
  /// Entries whose backoff had not ended when the head reached them: a
  /// min-heap by ready time, from which they rejoin when due.
  std::vector<queue_entry> backoff;
  std::size_t live = 0; ///< pending tasks
  std::string reason;   ///< why its ready tasks stayed pending last pass
  // Scratch of the current pass.
  std::uint32_t list = 0; ///< its slot_list (+1; 0: not chosen yet)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> counters; ///< ctx, limit
  std::size_t cursor = 0;
  std::vector<bool> spent; ///< spread: positions that failed a count
  bool blocked = false;    ///< no offer fits its head (nor its other tasks)
};

/// An offer during a pass: what is left of it and what it got.
struct offer_matcher_state::slot {
  held_offer* offer = nullptr;
  amounts left;
  std::uint32_t launches = 0;
  /// Where the slot sits in the pass's lists: (list, position).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> positions;
};

/// The offers of a role that pass a set of static constraints, in fitness
/// order, with trees of what is left and what was offered.
struct offer_matcher_state::slot_list {
  std::vector<std::uint32_t> slots; ///< indices into slots_
  capacity_tree left;
  capacity_tree offered; ///< built on demand (pending reasons only)
  bool offered_built = false;
};

/// Tasks per value of one counted (queue, field) during a pass, as flat
/// arrays: the value of each slot and the count of each value.
struct offer_matcher_state::count_ctx {
  interned queue;
  interned field;
  std::vector<std::int32_t> value_of; ///< per slot, -1: agent lacks it
  std::vector<interned> values;
  std::vector<std::uint32_t> count; ///< per value index
};

/// Largest amounts offered to a role, in six buckets of ten seconds, so that
/// a pending reason can say what the last minute offered.
struct offer_matcher_state::role_window {
  struct bucket {
    std::int64_t id = -1; ///< time / 10 s
    amounts max;
  };
  std::array<bucket, 6> buckets;
  time_point last_offer{};

  static std::int64_t bucket_of(time_point t) {
    return t.time_since_epoch().count() / 10'000;
  }
  void add(const amounts& a, time_point now) {
    auto id = bucket_of(now);
    auto& b = buckets[static_cast<std::size_t>(id % 6)];
    if (b.id != id)
      b = bucket{id, {}};
    for (std::size_t i = 0; i < a.v.size(); ++i)
      b.max.v[i] = std::max(b.max.v[i], a.v[i]);
    last_offer = std::max(last_offer, now);
  }
  amounts max_last_minute(time_point now) const {
    amounts out;
    auto oldest = bucket_of(now) - 5;
    for (auto& b : buckets)
      if (b.id >= oldest)
        for (std::size_t i = 0; i < out.v.size(); ++i)
          out.v[i] = std::max(out.v[i], b.max.v[i]);
    return out;
  }
};

/// Milliseconds since the epoch.
inline std::int64_t ms_of(time_point t) {
  return t.time_since_epoch().count();
}

} // namespace outrigger::scheduling
