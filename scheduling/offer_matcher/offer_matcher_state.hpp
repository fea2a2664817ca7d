#pragma once
// The offer matcher: holds offers and pending tasks and, in one
// pass, decides per offer either one ACCEPT with all the tasks it gets or a
// DECLINE; SUPPRESSes roles with nothing pending and REVIVEs them when work
// arrives (rate-limited); and tells every task left pending why.
//
// Cost does not grow as tasks x offers: pending tasks are grouped by what
// placement depends on (role, priority, resource shape, constraints; queue
// when a constraint counts tasks), and a pass walks the groups in order of
// their oldest ready task (priority first). A group that finds no offer for
// its head stops: its other tasks are identical. Offers only shrink during a
// pass, so each group scans each offer at most once; the reason a group
// stays pending is computed per group.

#include "scheduling/offer_matcher/capacity_tree.hpp"
#include "scheduling/offer_matcher/held_offer.hpp"
#include "scheduling/offer_matcher/task_info_builder.hpp"
#include "scheduling/task_book/task_book_state.hpp"
#include "scheduling/task_book/task_map.hpp"

#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace outrigger::scheduling {

struct queue_entry; // internal: a pending task in its group's queue

/// What placement depends on; pending tasks with equal keys are
/// interchangeable and form one group (internal to the matcher).
struct group_key {
  interned role;
  std::int32_t priority = 0;
  amounts need;
  std::vector<placement_constraint> constraints;
  interned queue; ///< only when a constraint counts tasks (UNIQUE, MAX_PER)
  bool operator==(const group_key&) const = default;
};

/// Hash of a group_key.
struct group_key_hash {
  std::size_t operator()(const group_key& k) const noexcept;
};

/// How tasks are spread over the offers of a pass.
enum class fitness : std::uint8_t {
  /// Fill the fullest offers first: packs tasks, keeps large agents free.
  first_fit,
  /// One task per offer in turn, emptiest first: spreads the load.
  spread,
};

/// Settings of the matcher.
struct offer_matcher_config {
  fitness strategy = fitness::first_fit;
  /// Filter sent with DECLINE: how long the master keeps declined
  /// resources away from us (and offers them to other frameworks).
  double refuse_seconds = 5;
  /// Filter sent with ACCEPT for the offer's unused rest. 0: the master
  /// offers the rest again at its next allocation, so work that arrives
  /// meanwhile does not wait for a REVIVE (or a filter to expire).
  double accept_refuse_seconds = 0;
  /// An unused offer is declined once held this long; a role whose work is
  /// all placed is SUPPRESSed after this long (offers in hand meanwhile
  /// serve the next burst at once).
  duration offer_hold_time = std::chrono::seconds{2};
  /// At most this many tasks per offer (0: no limit).
  std::uint32_t max_tasks_per_offer = 0;
  /// Offers held at once; more (a master offering every agent of a huge
  /// cluster at once, or a misbehaving one) are declined at the next pass
  /// instead of held, so that memory stays bounded.
  std::size_t max_offers_held = 20'000;
  /// At most this many launches per pass (0: no limit).
  std::uint32_t max_launches_per_pass = 0;
  /// After a pass that launched tasks, the next one waits this long, so
  /// that under a stream of submissions each ACCEPT carries many tasks:
  /// the master re-offers an accepted agent's rest only at its next
  /// allocation, so an ACCEPT per task would use up the offers in hand. A
  /// task submitted to an idle matcher is still placed at once.
  duration busy_pass_interval = std::chrono::milliseconds{25};
  /// Minimum time between two REVIVEs of a role (Mesos' default
  /// allocation interval: a REVIVE more often buys nothing).
  duration revive_min_interval = std::chrono::seconds{1};
  /// Role of offers without allocation info (frameworks without MULTI_ROLE).
  std::string default_role = "*";
  /// Roles the framework subscribes with: SUPPRESSed while idle.
  std::vector<std::string> roles = {"*"};
  /// How TaskInfos are built.
  task_info_options task_info;
};

/// A task placed on an offer in a pass.
struct planned_launch {
  task_id id = 0;
  std::uint32_t attempt = 0;
  std::shared_ptr<const task_spec> spec;
};

/// An offer and the tasks placed on it: becomes one ACCEPT.
struct planned_accept {
  held_offer offer;
  std::vector<planned_launch> launches;
};

/// Counters of one pass.
struct pass_stats {
  std::size_t offers = 0;   ///< offers considered
  std::size_t groups = 0;   ///< task groups with ready tasks
  std::size_t launches = 0; ///< tasks placed
  std::size_t declined = 0; ///< offers declined
  std::size_t overflow = 0; ///< of those, beyond max_offers_held
  bool launch_limit_hit = false;
};

/// The decisions of one pass.
struct match_plan {
  std::vector<planned_accept> accepts;
  std::vector<protocol::OfferID> declines;
  std::vector<std::string> revive_roles;   ///< send REVIVE for these
  std::vector<std::string> suppress_roles; ///< send SUPPRESS for these
  pass_stats stats;
};

/// The offer matcher's state.
class offer_matcher_state {
public:
  explicit offer_matcher_state(offer_matcher_config cfg);
  ~offer_matcher_state();

  offer_matcher_state(const offer_matcher_state&) = delete;
  offer_matcher_state& operator=(const offer_matcher_state&) = delete;

  // -- offers ----------------------------------------------------------------

  /// Holds the offers of an OFFERS event.
  void add_offers(const std::vector<protocol::Offer>& offers, time_point now);

  /// Forgets a rescinded offer at once. False when it was not held.
  bool rescind(const protocol::OfferID& id);

  /// Removes offers held for the hold time or longer: decline them.
  std::vector<protocol::OfferID> expire(time_point now);

  /// A new subscription: the master discarded all offers of the previous
  /// one (without RESCIND) and starts unsuppressed.
  void on_subscribed();

  /// Offers held.
  std::size_t offers_held() const noexcept { return offers_.size(); }

  // -- tasks -----------------------------------------------------------------

  /// Holds a queued task until a pass places it (from book notices).
  void add_pending(const pending_task& task);

  /// Drops a pending task (cancelled). False when it was not pending.
  bool remove_pending(task_id id);

  /// Pending tasks held.
  std::size_t pending() const noexcept { return index_.size(); }

  /// Pending task groups.
  std::size_t groups() const noexcept { return groups_.size(); }

  /// Agents whose hostname and attributes are kept (those with held offers
  /// or counted tasks, and at most as many again not yet swept).
  std::size_t agents_known() const noexcept { return agents_.size(); }

  /// The fewest agents at which unused entries are swept.
  static constexpr std::size_t min_agents_sweep = 1024;

  /// Why a pending task is still pending (e.g. "no offer has mem >= 4096;
  /// the largest seen in the last minute had 2048"); nullopt when the task
  /// is not pending here.
  std::optional<std::string> pending_reason(task_id id, time_point now) const;

  /// A task runs (or launches) on `site`: counts for UNIQUE / MAX_PER.
  void note_launched(task_id id, interned queue, placement_site site);

  /// A launched attempt ended (book notice): it no longer counts.
  void note_ended(task_id id);

  /// Applies the task book's notices: queued tasks are held, withdrawn ones
  /// dropped, ended attempts stop counting.
  void apply(const book_notices& notices);

  // -- the pass --------------------------------------------------------------

  /// One matching pass at `now`. Placed tasks leave the pending set and
  /// count as launched; their offers leave the held set. Unused offers are
  /// declined when held too long or when nothing pending could use them.
  match_plan match(time_point now);

  /// REVIVE / SUPPRESS decisions alone (between passes).
  void offer_calls(time_point now, match_plan& out);

  /// When the next pass or call is due by itself (an offer to decline, a
  /// backoff ending, a rate-limited REVIVE), if ever.
  std::optional<time_point> next_deadline() const;

  /// The TaskInfos of a planned accept (resources cut from its offer).
  /// Launches whose resources do not fit are left out (cannot happen for a
  /// plan of this matcher).
  std::vector<protocol::TaskInfo>
  build_task_infos(planned_accept& accept) const;

  /// The ACCEPT for an offer with `tasks` (one LAUNCH), or a DECLINE when
  /// `tasks` is empty (every launch refused by the book).
  protocol::Call accept_call(const protocol::FrameworkID& framework,
                             const planned_accept& accept,
                             std::vector<protocol::TaskInfo> tasks) const;

  /// The configuration.
  const offer_matcher_config& config() const noexcept { return cfg_; }

private:
  struct group;
  struct slot;
  struct slot_list;
  struct count_ctx;
  struct pending_ref {
    group* owner = nullptr;
    std::uint32_t attempt = 0;
    bool in_backoff = false; ///< its live entry is in the backoff heap
    std::int64_t ready_ms = 0;
  };
  struct head_ref {
    queue_entry* entry = nullptr;
    bool from_backoff = false;
  };
  struct placed_task {
    std::uint32_t seq = 0; ///< placement order
    std::uint32_t slot = 0;
    interned queue;
    planned_launch launch;
  };
  struct active_task { // hostname and attributes are looked up in agents_
    interned queue;
    interned agent_id;
  };
  struct agent_info {
    interned hostname;
    std::shared_ptr<const agent_attributes> attributes; ///< may be null
  };
  struct role_window; // offered maxima over the last minute

  group& group_for(const task_spec& spec);
  void build_slots();
  void prepare(group& g);
  std::uint32_t list_for(const interned& role, group* filter);
  const capacity_tree& offered_tree(std::uint32_t list);
  std::uint32_t counter_for(const interned& queue, const interned& field);
  bool counts_allow(const group& g, std::uint32_t slot_index) const;
  slot* find_slot(group& g);
  head_ref head_of(group& g, std::int64_t now_ms);
  void place(group& g, slot& s, std::uint32_t slot_index, head_ref h,
             match_plan& plan);
  void drop_group(group& g);
  placement_site site_of(const active_task& t) const;
  agent_info& agent_entry(const interned& agent_id);
  void finish_pass(time_point now, match_plan& plan);
  std::string reason_for(group& g, time_point now, bool limit_hit);
  void note_offered(const held_offer& o, time_point now);

  offer_matcher_config cfg_;
  interned default_role_;
  resource_templates templates_;
  std::unordered_map<std::string, held_offer> offers_; // by offer id
  std::vector<protocol::OfferID> overflow_;            // beyond max_offers_held
  std::uint64_t next_arrival_ = 0;
  std::unordered_map<interned, agent_info>
    agents_; // hostname and attributes last offered by each agent
  std::size_t agents_sweep_at_ = min_agents_sweep;
  std::unordered_map<group_key, std::unique_ptr<group>, group_key_hash> groups_;
  task_map<pending_ref> index_;
  task_map<active_task> active_;
  placement_counts counts_;
  std::unordered_map<interned, std::size_t> pending_by_role_;
  std::unordered_map<interned, std::unique_ptr<role_window>> windows_;
  std::set<std::string> suppressed_;
  std::map<std::string, time_point> idle_since_; // roles with nothing pending
  std::set<std::string> revive_wanted_;
  std::map<std::string, time_point> last_revive_;
  std::optional<time_point> next_ready_; // earliest backoff end seen
  // Scratch of the current pass, kept to reuse its memory.
  std::vector<slot> slots_;
  std::vector<placed_task> placed_;
  // Lists and counters are pooled across passes: their trees and arrays
  // are megabytes that would otherwise be fresh (page-faulting) memory in
  // every pass.
  std::vector<std::unique_ptr<slot_list>> lists_;
  std::size_t lists_used_ = 0;
  std::vector<amounts> leaves_; // scratch of list_for
  std::unordered_map<std::string, std::uint32_t> list_ids_; // role + filter
  std::vector<std::unique_ptr<count_ctx>> counters_;
  std::size_t counters_used_ = 0;
  std::unordered_map<interned, std::vector<std::uint32_t>> counters_by_queue_;
  std::unordered_map<interned, amounts> role_max_;
};

} // namespace outrigger::scheduling
