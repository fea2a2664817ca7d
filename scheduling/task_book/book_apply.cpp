// Applying records to the task book. Deterministic: the outcome depends only
// on the book and the record (times come from the record), so replaying the
// records after a crash rebuilds exactly the state the live service had.

#include "scheduling/task_book/book_records.hpp"
#include "scheduling/task_book/task_book_state.hpp"

namespace outrigger::scheduling {

namespace {

// Terminal reports from the master about an attempt no agent ever reported:
// the task never ran, so trying again costs the client nothing.
bool never_ran(task_phase state) noexcept {
  return state == task_phase::lost || state == task_phase::gone ||
         state == task_phase::dropped;
}

} // namespace

task_record& task_book_state::record_of(task_id id) {
  auto i = tasks_.find(id);
  if (i == tasks_.end())
    throw book_error("record refers to unknown task " + std::to_string(id));
  return i->second;
}

void task_book_state::set_phase(task_record& t, task_phase phase) {
  --phase_counts_[static_cast<std::size_t>(t.phase)];
  ++phase_counts_[static_cast<std::size_t>(phase)];
  t.phase = phase;
}

void task_book_state::apply(const records::framework_set& r) {
  framework_id_ = r.id;
}

void task_book_state::apply(const records::framework_gone& r) {
  framework_id_.clear();
  // Every launched attempt died with the framework; each follows its policy.
  for (auto& [id, t] : tasks_) {
    if (!is_launched(t.phase))
      continue;
    records::status lost;
    lost.id = id;
    lost.attempt = t.attempts.back().number;
    lost.state = task_phase::lost;
    lost.reason = protocol::status_reason::framework_removed;
    lost.from_master = true;
    lost.message = r.message;
    lost.at = r.at;
    apply(lost);
  }
}

void task_book_state::apply(const records::submit& r) {
  task_record t;
  t.id = r.id;
  t.spec = r.spec;
  t.submitted_at = r.at;
  t.updated_at = r.at;
  t.not_before = r.at;
  t.submitted_by = r.by;
  auto [i, fresh] = tasks_.emplace(r.id, std::move(t));
  if (!fresh)
    throw book_error("task " + std::to_string(r.id) + " submitted twice");
  ++phase_counts_[static_cast<std::size_t>(task_phase::queued)];
  by_key_.insert(i->second.spec->key, r.id,
                 [this](task_id id) { return key_of(id); });
  next_id_ = std::max(next_id_, r.id + 1);
  if (!replaying_)
    notices_.queued.push_back(pending_task{r.id, 1, r.spec, r.at});
}

void task_book_state::apply(const records::launch& r) {
  auto& t = record_of(r.id);
  attempt a;
  a.number = r.attempt;
  a.state = task_phase::launching;
  a.agent_id = r.agent_id;
  a.hostname = r.hostname;
  a.agent_url = r.agent_url;
  a.launched_at = r.at;
  t.attempts.push_back(std::move(a));
  t.updated_at = r.at;
  t.not_before = {};
  set_phase(t, task_phase::launching);
}

void task_book_state::apply(const records::status& r) {
  auto& t = record_of(r.id);
  if (t.attempts.empty() || t.attempts.back().number != r.attempt)
    throw book_error("status record for task " + std::to_string(r.id) +
                     " names attempt " + std::to_string(r.attempt) +
                     ", which is not current");
  auto& a = t.attempts.back();
  if (!r.agent_id.empty() && a.agent_id.empty())
    a.agent_id = r.agent_id;
  if (r.reason)
    a.reason = r.reason;
  t.updated_at = r.at;
  if (!is_terminal(r.state)) {
    a.state = r.state;
    a.started = true; // an agent has (or had) it: it counts
    set_phase(t, r.state);
    return;
  }
  end_attempt(t, r);
}

void task_book_state::end_attempt(task_record& t, const records::status& r) {
  auto& a = t.attempts.back();
  a.state = r.state;
  a.ended_at = r.at;
  a.message = r.message;
  a.stderr_tail = r.stderr_tail;
  a.exit_status = exit_status_of(r.message);
  if (!replaying_)
    notices_.ended.push_back(attempt_ref{t.id, a.number});
  auto uncounted_before =
    static_cast<std::uint32_t>(t.attempts.size()) - t.counted_attempts() - 1;
  if (!a.started && never_ran(r.state)) {
    if (t.kill_requested) {
      finish(t, task_phase::killed, r.at);
      return;
    }
    if (uncounted_before < cfg_.max_unstarted_attempts) {
      requeue(t, r.at); // invalid offers, or the master never saw it
      return;
    }
  }
  a.started = true;
  auto& policy = t.spec->retry;
  bool retry = !t.kill_requested && r.state != task_phase::finished &&
               (policy.retry_on & retry_bit(r.state)) != 0 &&
               t.counted_attempts() < policy.max_attempts;
  if (retry)
    requeue(t, r.at + policy.delay_after(t.counted_attempts()));
  else
    finish(t, r.state, r.at);
}

void task_book_state::requeue(task_record& t, time_point ready_at) {
  set_phase(t, task_phase::queued);
  t.not_before = ready_at;
  if (!replaying_)
    notices_.queued.push_back(
      pending_task{t.id, t.next_attempt(), t.spec, ready_at});
}

void task_book_state::finish(task_record& t, task_phase state, time_point at,
                             std::string_view note) {
  set_phase(t, state);
  t.not_before = {};
  task_result res;
  res.cursor = next_cursor_++;
  res.id = t.id;
  res.key = t.spec->key;
  res.state = state;
  res.attempts = static_cast<std::uint32_t>(t.attempts.size());
  res.submitted_at = t.submitted_at;
  res.finished_at = at;
  if (!note.empty()) {
    res.message = note; // ended in the queue: no attempt to describe
  } else if (auto* a = t.current()) {
    res.reason = a->reason;
    res.message = a->message.str();
    res.exit_status = a->exit_status;
    res.agent_id = a->agent_id;
    res.hostname = a->hostname;
    res.started_at = a->launched_at;
    if (state != task_phase::finished)
      res.stderr_tail = a->stderr_tail.str();
  }
  results_.push_back(std::move(res));
  while (results_.size() > cfg_.max_results)
    results_.pop_front();
  terminal_order_.push_back(t.id);
  if (!replaying_)
    notices_.results = true;
  forget_oldest_terminal();
}

void task_book_state::forget_oldest_terminal() {
  while (terminal_order_.size() > cfg_.max_terminal_tasks) {
    auto i = tasks_.find(terminal_order_.front());
    terminal_order_.pop_front();
    if (i == tasks_.end())
      continue;
    --phase_counts_[static_cast<std::size_t>(i->second.phase)];
    by_key_.erase(i->second.spec->key, i->first,
                  [this](task_id id) { return key_of(id); });
    tasks_.erase(i);
  }
}

void task_book_state::apply(const records::kill& r) {
  auto& t = record_of(r.id);
  t.kill_requested = true;
  t.updated_at = r.at;
  if (t.phase == task_phase::queued) {
    if (!replaying_)
      notices_.withdrawn.push_back(t.id);
    finish(t, task_phase::killed, r.at,
           t.attempts.empty() ? "killed before launch"
                              : "killed while waiting for a retry");
    return;
  }
  if (!replaying_ && is_launched(t.phase)) {
    auto& a = t.attempts.back();
    notices_.kills.push_back(kill_order{
      {t.id, a.number}, a.agent_id, t.spec->more().kill_grace_period});
  }
}

} // namespace outrigger::scheduling
