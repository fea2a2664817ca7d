#include "actors/offer_matcher/offer_matcher_actor.hpp"

#include "actors/actor_time.hpp"
#include "actors/error.hpp"
#include "actors/log.hpp"
#include "protocol/calls.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <unordered_set>

namespace outrigger::scheduling {

namespace {

/// The actor's state: the matcher and the plumbing around it.
struct matcher_actor_state {
  static inline const char* name = "offer_matcher";
  std::unique_ptr<offer_matcher_state> matcher;
  launch_gate_actor gate;
  master_link_actor link;
  protocol::FrameworkID framework;
  bool subscribed = false;
  bool pass_scheduled = false;
  /// When the last pass that launched tasks ran (actor clock).
  std::optional<caf::actor_clock::time_point> last_launch_pass;
  actor_wall_clock clock;
  deadline_timer timer;
  matcher_metrics m;
};

using self_ptr = offer_matcher_actor::stateful_pointer<matcher_actor_state>;

time_point now_of(self_ptr self) {
  return self->state.clock.now(self->clock().now());
}

void send_call(self_ptr self, protocol::Call call) {
  if (self->state.link)
    caf::anon_send(self->state.link, atom::call_v, std::move(call));
}

void schedule_pass(self_ptr self) {
  auto& st = self->state;
  if (st.pass_scheduled || !st.subscribed)
    return;
  st.pass_scheduled = true;
  auto gap = st.matcher->config().busy_pass_interval;
  if (st.last_launch_pass) {
    auto wait = *st.last_launch_pass + gap - self->clock().now();
    if (wait > caf::timespan::zero()) {
      self->delayed_send(self, wait, atom::pass_v);
      return;
    }
  }
  self->send(self, atom::pass_v); // after the events already queued
}

void reschedule_tick(self_ptr self) {
  auto& st = self->state;
  st.timer.arm(self, st.matcher->next_deadline(), now_of(self));
}

double held_seconds(const held_offer& o, time_point now) {
  return std::chrono::duration<double>(now - o.received_at).count();
}

// Sends the ACCEPTs of a pass once the book has recorded its launches.
void send_accepts(self_ptr self,
                  std::shared_ptr<std::vector<planned_accept>> accepts,
                  const launch_reply& reply) {
  auto& st = self->state;
  std::unordered_set<std::uint64_t> refused(reply.refused.begin(),
                                            reply.refused.end());
  auto now = now_of(self);
  for (auto& acc : *accepts) {
    auto& ls = acc.launches;
    for (auto i = ls.begin(); i != ls.end();) {
      if (refused.count(i->id)) {
        st.matcher->note_ended(i->id);
        i = ls.erase(i);
      } else {
        ++i;
      }
    }
    auto infos = st.matcher->build_task_infos(acc);
    if (infos.empty())
      ++st.m.offers_declined;
    else
      ++st.m.offers_accepted;
    st.m.launches += infos.size();
    st.m.hold_time.observe(held_seconds(acc.offer, now));
    send_call(self,
              st.matcher->accept_call(st.framework, acc, std::move(infos)));
  }
}

void run_pass(self_ptr self) {
  auto& st = self->state;
  st.pass_scheduled = false;
  if (!st.subscribed)
    return;
  auto t0 = self->clock().now();
  auto now = now_of(self);
  auto plan = st.matcher->match(now);
  ++st.m.passes;
  st.m.pass_time.observe(
    std::chrono::duration<double>(self->clock().now() - t0).count());
  if (plan.stats.overflow > 0)
    log::warn("offer_matcher",
              "declined offers beyond the bound of offers held at once",
              {{"declined", plan.stats.overflow},
               {"max_offers_held", st.matcher->config().max_offers_held}});
  if (!plan.declines.empty()) {
    st.m.offers_declined += plan.declines.size();
    send_call(self,
              protocol::make_decline(st.framework, std::move(plan.declines),
                                     st.matcher->config().refuse_seconds));
  }
  if (!plan.revive_roles.empty()) {
    ++st.m.revives;
    send_call(self, protocol::make_revive(st.framework, plan.revive_roles));
  }
  if (!plan.suppress_roles.empty()) {
    ++st.m.suppresses;
    send_call(self, protocol::make_suppress(st.framework, plan.suppress_roles));
  }
  st.last_launch_pass.reset();
  if (!plan.accepts.empty()) {
    st.last_launch_pass = self->clock().now();
    launch_request req;
    for (auto& acc : plan.accepts)
      for (auto& l : acc.launches)
        req.items.push_back({l.id, l.attempt, acc.offer.agent_id.value,
                             acc.offer.site.hostname.str(),
                             acc.offer.site.agent_url.str()});
    auto accepts =
      std::make_shared<std::vector<planned_accept>>(std::move(plan.accepts));
    self->request(st.gate, caf::infinite, atom::launch_v, std::move(req))
      .then(
        [self, accepts](const launch_reply& reply) {
          send_accepts(self, accepts, reply);
        },
        [self, accepts](caf::error& err) {
          // The book is gone: the process is stopping. Decline, so the
          // master can offer the resources elsewhere.
          log::warn("offer_matcher", "launches not recorded",
                    {{"error", describe(err)}});
          for (auto& acc : *accepts)
            send_call(self, protocol::make_decline(
                              self->state.framework, {acc.offer.id},
                              self->state.matcher->config().refuse_seconds));
        });
  }
  reschedule_tick(self);
}

offer_matcher_actor::behavior_type offer_matcher(self_ptr self) {
  return {
    [self](atom::connect, master_link_actor link) {
      self->state.link = std::move(link);
    },
    [self](atom::metrics) {
      auto& st = self->state;
      auto m = st.m;
      m.offers_held = st.matcher->offers_held();
      m.pending = st.matcher->pending();
      m.groups = st.matcher->groups();
      return m;
    },
    [self](atom::pass) { run_pass(self); },
    [self](atom::tick, std::uint64_t token) {
      auto& st = self->state;
      if (!st.timer.fire(token))
        return;
      schedule_pass(self);
      reschedule_tick(self);
    },
    [self](atom::notices, const notices_ptr& n) {
      if (!n)
        return;
      self->state.matcher->apply(*n);
      schedule_pass(self);
    },
    [self](atom::reason, std::uint64_t id) -> std::string {
      return self->state.matcher->pending_reason(id, now_of(self))
        .value_or(std::string{});
    },
    [self](atom::event, const event_ptr& ev) {
      auto& st = self->state;
      if (!ev)
        return;
      if (ev->offers) {
        st.m.offers_received += ev->offers->offers.size();
        st.matcher->add_offers(ev->offers->offers, now_of(self));
        schedule_pass(self);
      } else if (ev->rescind) {
        if (st.matcher->rescind(ev->rescind->offer_id))
          ++st.m.offers_rescinded;
      }
    },
    [self](atom::link_up, const subscription& sub) {
      auto& st = self->state;
      st.framework.value = sub.framework_id;
      st.subscribed = true;
      st.matcher->on_subscribed();
      schedule_pass(self);
    },
    [self](atom::link_down, const std::string&) {
      // Offers of the old subscription are void; keep tasks pending.
      self->state.subscribed = false;
    },
    [](atom::fw_removed, const framework_removed&) {
      // nop: the book requeues what the framework lost and tells us
    },
  };
}

} // namespace

offer_matcher_actor spawn_offer_matcher(caf::actor_system& sys,
                                        offer_matcher_config cfg,
                                        launch_gate_actor gate) {
  return sys.spawn([cfg = std::move(cfg), gate](self_ptr self) {
    auto& st = self->state;
    st.matcher = std::make_unique<offer_matcher_state>(cfg);
    st.gate = gate;
    st.clock.start(self->clock().now());
    st.m.hold_time = latency_histogram::with_bounds(
      {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30});
    st.m.pass_time = latency_histogram::with_bounds(
      {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5});
    return offer_matcher(self);
  });
}

} // namespace outrigger::scheduling
