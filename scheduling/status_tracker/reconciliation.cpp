// Reconciliation and KILL retries of the status tracker (design.md
// §M13): explicit after every SUBSCRIBED, in batches, re-asking
// those the master has not answered (an agent still re-registering after a
// master failover answers nothing); then implicit on a period; explicit
// again for tasks stuck in LAUNCHING.

#include "scheduling/status_tracker/status_tracker_state.hpp"

#include "protocol/calls.hpp"

#include <algorithm>

namespace outrigger::scheduling {

void status_tracker_state::ask(
  const protocol::FrameworkID& fw,
  const std::vector<std::pair<task_id, asked*>>& tasks, time_point now,
  std::vector<protocol::Call>& out) {
  auto batch = std::max<std::size_t>(cfg_.reconcile_batch, 1);
  for (std::size_t i = 0; i < tasks.size(); i += batch) {
    std::vector<protocol::ReconcileTask> xs;
    for (auto j = i; j < std::min(tasks.size(), i + batch); ++j) {
      auto& [id, a] = tasks[j];
      protocol::ReconcileTask t;
      t.task_id.value = mesos_task_id(id, a->attempt);
      if (!a->agent_id.empty())
        t.agent_id = protocol::AgentID{a->agent_id.str()};
      xs.push_back(std::move(t));
      ++a->asks;
      a->last_asked = now;
    }
    out.push_back(protocol::make_reconcile(fw, std::move(xs)));
    ++stats_.reconcile_calls;
  }
}

std::vector<protocol::Call>
status_tracker_state::on_subscribed(const task_book_state& book,
                                    time_point now) {
  std::vector<protocol::Call> out;
  protocol::FrameworkID fw{book.framework_id()};
  outstanding_.clear();
  stats_.reconcile_given_up = 0;
  std::vector<std::pair<task_id, asked*>> list;
  for (auto& l : book.launched()) {
    auto& a = outstanding_[l.ref.id];
    a = asked{l.ref.attempt, 0, l.agent_id, {}};
    list.emplace_back(l.ref.id, &a);
    // A kill the book holds but this tracker does not: recorded by the
    // process before a restart (its last KILL may have been lost just
    // before the crash). It is sent below and retried like any other.
    if (l.kill_requested && kills_.count(l.ref.id) == 0) {
      auto* t = book.get(l.ref.id);
      kills_.emplace(
        l.ref.id,
        kill_retry{l.ref.attempt, l.agent_id,
                   t ? t->spec->more().kill_grace_period : std::nullopt,
                   cfg_.kill_backoff, now + cfg_.kill_backoff});
    }
  }
  ask(fw, list, now, out);
  next_explicit_.reset();
  next_implicit_.reset();
  if (outstanding_.empty())
    next_implicit_ = now + cfg_.implicit_period;
  else
    next_explicit_ = now + cfg_.reconcile_timeout;
  next_launch_check_ = now + cfg_.launch_timeout;
  // KILLs sent on the previous subscription may have been lost with it.
  for (auto& [id, k] : kills_) {
    out.push_back(kill_call(fw, id, k));
    k.next_at = now + k.delay;
    ++stats_.kills_sent;
  }
  return out;
}

std::vector<protocol::Call>
status_tracker_state::tick(const task_book_state& book, time_point now) {
  std::vector<protocol::Call> out;
  protocol::FrameworkID fw{book.framework_id()};
  // The attempt a record refers to is still launched and current.
  auto current = [&book](task_id id, std::uint32_t attempt) {
    auto* t = book.get(id);
    return t && is_launched(t->phase) && t->attempts.back().number == attempt;
  };
  if (next_explicit_ && now >= *next_explicit_) {
    std::vector<std::pair<task_id, asked*>> again;
    for (auto i = outstanding_.begin(); i != outstanding_.end();) {
      if (!current(i->first, i->second.attempt)) {
        i = outstanding_.erase(i); // settled meanwhile
      } else if (i->second.asks >= cfg_.reconcile_max_asks) {
        ++stats_.reconcile_given_up; // implicit reconciliation goes on
        i = outstanding_.erase(i);
      } else {
        again.emplace_back(i->first, &i->second);
        ++i;
      }
    }
    ask(fw, again, now, out);
    next_explicit_.reset();
    if (!outstanding_.empty())
      next_explicit_ = now + cfg_.reconcile_timeout;
    else if (!next_implicit_)
      next_implicit_ = now + cfg_.implicit_period;
  }
  if (next_implicit_ && now >= *next_implicit_) {
    out.push_back(protocol::make_reconcile(fw));
    ++stats_.reconcile_calls;
    next_implicit_ = now + cfg_.implicit_period;
  }
  if (next_launch_check_ && now >= *next_launch_check_) {
    // An ACCEPT that never reached the master leaves its tasks LAUNCHING
    // with no update ever: ask about them (the answer settles them).
    std::vector<std::pair<task_id, asked*>> stuck;
    for (auto& l : book.launched()) {
      if (l.state != task_phase::launching ||
          now - l.launched_at < cfg_.launch_timeout ||
          outstanding_.count(l.ref.id))
        continue;
      auto& a = outstanding_[l.ref.id];
      a = asked{l.ref.attempt, 0, l.agent_id, {}};
      stuck.emplace_back(l.ref.id, &a);
    }
    ask(fw, stuck, now, out);
    if (!stuck.empty() && !next_explicit_)
      next_explicit_ = now + cfg_.reconcile_timeout;
    next_launch_check_ = now + cfg_.launch_timeout / 3;
  }
  for (auto i = kills_.begin(); i != kills_.end();) {
    auto& k = i->second;
    if (!current(i->first, k.attempt)) {
      i = kills_.erase(i); // ended: no more KILLs
      continue;
    }
    if (now >= k.next_at) {
      out.push_back(kill_call(fw, i->first, k));
      ++stats_.kills_sent;
      k.delay = std::min(k.delay * 2, cfg_.kill_backoff_max);
      k.next_at = now + k.delay;
    }
    ++i;
  }
  return out;
}

std::optional<time_point> status_tracker_state::next_deadline() const {
  std::optional<time_point> out;
  auto consider = [&out](const std::optional<time_point>& t) {
    if (t && (!out || *t < *out))
      out = t;
  };
  consider(next_explicit_);
  consider(next_implicit_);
  consider(next_launch_check_);
  for (auto& [id, k] : kills_)
    consider(k.next_at);
  return out;
}

} // namespace outrigger::scheduling
