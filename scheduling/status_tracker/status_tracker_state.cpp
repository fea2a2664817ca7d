// Updates, acknowledgements and kills of the status tracker.
// Reconciliation is in reconciliation.cpp.

#include "scheduling/status_tracker/status_tracker_state.hpp"

#include "protocol/calls.hpp"

namespace outrigger::scheduling {

status_tracker_state::status_tracker_state(status_tracker_config cfg)
  : cfg_(std::move(cfg)) {
  // nop
}

update_result status_tracker_state::on_update(task_book_state& book,
                                              const protocol::TaskStatus& st,
                                              time_point now) {
  update_result out;
  out.outcome = book.apply_status(st, now);
  ++stats_.updates;
  switch (out.outcome.effect) {
    case status_effect::duplicate:
      ++stats_.duplicates;
      break;
    case status_effect::out_of_order:
      ++stats_.out_of_order;
      break;
    case status_effect::stale_attempt:
      ++stats_.stale;
      break;
    case status_effect::unknown_task:
      ++stats_.unknown;
      break;
    default:
      break;
  }
  // Any update of an attempt answers its reconciliation.
  if (auto& ref = out.outcome.ref) {
    auto i = outstanding_.find(ref->id);
    if (i != outstanding_.end() && i->second.attempt <= ref->attempt)
      outstanding_.erase(i);
    if (is_terminal(phase_of(st.state)) || out.outcome.finished ||
        out.outcome.requeued) {
      auto k = kills_.find(ref->id);
      if (k != kills_.end() && k->second.attempt <= ref->attempt)
        kills_.erase(k);
    }
  }
  // The agent re-sends an update until it is acknowledged, so every update
  // with a uuid is acknowledged, but only after everything the book knows
  // up to it is durable (outcome.seq: its own change, or the last one).
  if (st.uuid && st.agent_id) {
    acks_.push_back(
      pending_ack{out.outcome.seq, *st.agent_id, st.task_id, *st.uuid});
    out.ack_queued = true;
  }
  if (out.outcome.zombie && st.agent_id) {
    // It runs although the book moved on (finished, superseded, unknown):
    // a second copy must not keep running.
    out.kill = protocol::make_kill(protocol::FrameworkID{book.framework_id()},
                                   st.task_id, st.agent_id);
    ++stats_.zombies_killed;
  }
  return out;
}

std::vector<pending_ack>
status_tracker_state::release_acks(std::uint64_t durable_seq) {
  std::vector<pending_ack> out;
  // Sequence numbers only grow along the queue: release its durable front.
  while (!acks_.empty() && acks_.front().seq <= durable_seq) {
    out.push_back(std::move(acks_.front()));
    acks_.pop_front();
  }
  stats_.acks += out.size();
  return out;
}

protocol::Call status_tracker_state::kill_call(const protocol::FrameworkID& fw,
                                               task_id id,
                                               const kill_retry& k) const {
  std::optional<protocol::AgentID> agent;
  if (!k.agent_id.empty())
    agent = protocol::AgentID{k.agent_id.str()};
  std::optional<protocol::KillPolicy> policy;
  if (k.grace)
    policy = protocol::KillPolicy{
      protocol::DurationInfo{k.grace->count() * 1'000'000}};
  return protocol::make_kill(fw, protocol::TaskID{mesos_task_id(id, k.attempt)},
                             std::move(agent), std::move(policy));
}

std::vector<protocol::Call>
status_tracker_state::on_kills(const task_book_state& book,
                               const std::vector<kill_order>& kills,
                               time_point now) {
  std::vector<protocol::Call> out;
  protocol::FrameworkID fw{book.framework_id()};
  for (auto& k : kills) {
    kill_retry r{k.ref.attempt, k.agent_id, k.grace_period, cfg_.kill_backoff,
                 now + cfg_.kill_backoff};
    out.push_back(kill_call(fw, k.ref.id, r));
    kills_.insert_or_assign(k.ref.id, r);
    ++stats_.kills_sent;
  }
  return out;
}

tracker_stats status_tracker_state::stats() const {
  auto s = stats_;
  s.reconcile_outstanding = outstanding_.size();
  return s;
}

} // namespace outrigger::scheduling
