// The task book's public operations: each one checks its preconditions,
// turns the change into a record (book_records.hpp), appends it and applies
// it (book_apply.cpp). Queries and durability are here too.

#include "scheduling/task_book/task_book_state.hpp"

#include "scheduling/task_book/book_records.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace outrigger::scheduling {

namespace {

// Ranks of the non-terminal phases: an update may only move an attempt
// forward (UNREACHABLE is handled apart: it can come and go).
int rank(task_phase p) noexcept {
  switch (p) {
    case task_phase::launching:
      return 0;
    case task_phase::staging:
      return 1;
    case task_phase::starting:
      return 2;
    case task_phase::running:
      return 3;
    case task_phase::killing:
      return 4;
    default:
      return 5;
  }
}

bool may_advance(task_phase from, task_phase to) noexcept {
  if (to == task_phase::unreachable)
    return true; // the agent was partitioned away, whatever it ran
  if (from == task_phase::unreachable)
    return to != task_phase::launching; // the agent came back
  return rank(to) > rank(from);
}

// A state in which the task may be consuming resources on an agent.
bool alive(protocol::task_state s) noexcept {
  using st = protocol::task_state;
  return s == st::staging || s == st::starting || s == st::running ||
         s == st::killing;
}

} // namespace

std::string_view to_string(status_effect effect) noexcept {
  switch (effect) {
    case status_effect::applied:
      return "applied";
    case status_effect::duplicate:
      return "duplicate";
    case status_effect::out_of_order:
      return "out_of_order";
    case status_effect::stale_attempt:
      return "stale_attempt";
    default:
      return "unknown_task";
  }
}

task_book_state::task_book_state(task_book_config cfg,
                                 store::state_store& store)
  : cfg_(std::move(cfg)), store_(store) {
  // nop
}

task_book_state::~task_book_state() = default;

template <class Record>
std::uint64_t task_book_state::record_change(const Record& r) {
  // Encode and append first: if the store refuses the record, nothing
  // changed in memory either.
  scratch_.clear();
  records::encode(r, scratch_);
  store_.append(scratch_);
  apply(r);
  return ++last_seq_;
}

// -- framework id ------------------------------------------------------------

std::uint64_t task_book_state::set_framework_id(const std::string& id) {
  if (id == framework_id_)
    return last_seq_;
  return record_change(records::framework_set{id});
}

std::uint64_t task_book_state::framework_removed(time_point now,
                                                 std::string_view message) {
  return record_change(records::framework_gone{now, std::string{message}});
}

// -- tasks -------------------------------------------------------------------

api_result<submit_outcome>
task_book_state::submit(task_spec spec, time_point now, interned by) {
  normalize(spec);
  if (auto error = validate_task_spec(spec, cfg_.rules.limits))
    return *error;
  if (auto* existing = find_key(spec.key))
    return submit_outcome{existing, false, last_seq_};
  records::submit r{next_id_,
                    std::make_shared<const task_spec>(std::move(spec)), now,
                    std::move(by)};
  auto seq = record_change(r);
  return submit_outcome{&tasks_.at(r.id), true, seq};
}

api_result<submit_outcome>
task_book_state::submit_json(const nlohmann::json& body, time_point now,
                             interned by) {
  auto spec = parse_task_spec(body, cfg_.rules);
  if (!spec)
    return spec.error();
  return submit(std::move(*spec), now, std::move(by));
}

const task_record* task_book_state::get(task_id id) const {
  auto i = tasks_.find(id);
  return i == tasks_.end() ? nullptr : &i->second;
}

const task_record* task_book_state::find_key(std::string_view key) const {
  auto id = by_key_.find(key, [this](task_id x) { return key_of(x); });
  return id ? get(*id) : nullptr;
}

list_page task_book_state::list(const list_query& query) const {
  list_page page;
  auto limit = std::max<std::size_t>(query.limit, 1);
  for (auto i = tasks_.upper_bound(query.after); i != tasks_.end(); ++i) {
    auto& t = i->second;
    if (query.phase && t.phase != *query.phase)
      continue;
    if (!t.spec->key.starts_with(query.key_prefix))
      continue;
    if (!query.queue.empty() && t.spec->queue.view() != query.queue)
      continue;
    if (!query.role.empty() && t.spec->role.view() != query.role)
      continue;
    if (page.tasks.size() == limit) {
      page.next = page.tasks.back()->id; // at least one more matches
      break;
    }
    page.tasks.push_back(&t);
  }
  return page;
}

api_result<kill_outcome>
task_book_state::kill(task_id id, time_point now,
                      std::optional<std::string_view> owner) {
  auto i = tasks_.find(id);
  if (i == tasks_.end())
    return api_error{"not_found", "task " + std::to_string(id) + " not found",
                     "id"};
  auto& t = i->second;
  if (owner && t.submitted_by.view() != *owner)
    return api_error{"permission_denied",
                     "task " + std::to_string(id) + " was not submitted by \"" +
                       std::string{*owner} +
                       "\": the submit scope may kill only its own tasks "
                       "(admin may kill any)",
                     "id"};
  kill_outcome out{&t, false, false, false, last_seq_};
  if (is_terminal(t.phase)) {
    out.already_terminal = true;
    return out;
  }
  if (t.kill_requested) {
    // Already recorded; say it again so the tracker resumes its retries.
    auto& a = t.attempts.back();
    notices_.kills.push_back(kill_order{
      {t.id, a.number}, a.agent_id, t.spec->more().kill_grace_period});
    out.kill_sent = true;
    return out;
  }
  out.cancelled = t.phase == task_phase::queued;
  out.kill_sent = !out.cancelled;
  out.seq = record_change(records::kill{id, now});
  return out;
}

api_result<std::uint64_t>
task_book_state::begin_launch(task_id id, std::uint32_t attempt,
                              interned agent_id, interned hostname,
                              time_point now, interned agent_url) {
  auto i = tasks_.find(id);
  if (i == tasks_.end())
    return api_error{"not_found", "task " + std::to_string(id) + " not found",
                     "id"};
  auto& t = i->second;
  if (t.phase != task_phase::queued || t.kill_requested)
    return api_error{"failed_precondition",
                     "task " + std::to_string(id) + " is " +
                       std::string{to_string(t.phase)} + ", not QUEUED",
                     "id"};
  if (attempt != t.next_attempt())
    return api_error{"failed_precondition",
                     "task " + std::to_string(id) + " expects attempt " +
                       std::to_string(t.next_attempt()) + ", not " +
                       std::to_string(attempt),
                     "attempt"};
  return record_change(
    records::launch{id, attempt, agent_id, hostname, now, agent_url});
}

status_outcome task_book_state::apply_status(const protocol::TaskStatus& st,
                                             time_point now) {
  status_outcome out;
  out.seq = last_seq_;
  out.zombie = alive(st.state);
  out.ref = parse_mesos_task_id(st.task_id.value);
  if (!out.ref)
    return out;
  auto i = tasks_.find(out.ref->id);
  if (i == tasks_.end() || out.ref->attempt > i->second.attempts.size())
    return out; // unknown_task
  auto& t = i->second;
  if (out.ref->attempt < t.attempts.size()) {
    out.effect = status_effect::stale_attempt;
    return out;
  }
  auto& a = t.attempts.back();
  auto next = phase_of(st.state);
  if (is_terminal(a.state)) {
    out.effect =
      next == a.state ? status_effect::duplicate : status_effect::out_of_order;
    // Alive after the end: the attempt runs although the book moved on.
    return out;
  }
  out.zombie = false;
  if (next == a.state) {
    out.effect = status_effect::duplicate;
    return out;
  }
  if (!is_terminal(next) && !may_advance(a.state, next)) {
    out.effect = status_effect::out_of_order;
    return out;
  }
  records::status r;
  r.id = t.id;
  r.attempt = a.number;
  r.state = next;
  r.reason = st.reason;
  r.from_master = st.source == protocol::status_source::master;
  if (st.agent_id && a.agent_id.empty())
    r.agent_id = interned{st.agent_id->value};
  if (st.message && is_terminal(next))
    r.message = *st.message;
  if (next_tail_ && next_tail_->first == attempt_ref{t.id, a.number} &&
      is_terminal(next) && next != task_phase::finished)
    r.stderr_tail = std::move(next_tail_->second);
  next_tail_.reset();
  r.at = now;
  out.seq = record_change(r);
  out.effect = status_effect::applied;
  out.requeued = t.phase == task_phase::queued;
  out.finished = is_terminal(t.phase);
  return out;
}

std::vector<launched_attempt> task_book_state::launched() const {
  std::vector<launched_attempt> out;
  for (auto& [id, t] : tasks_) {
    if (!is_launched(t.phase))
      continue;
    auto& a = t.attempts.back();
    out.push_back(launched_attempt{{id, a.number},
                                   a.state,
                                   a.agent_id,
                                   a.hostname,
                                   t.spec->queue,
                                   a.launched_at,
                                   t.kill_requested});
  }
  return out;
}

// -- results log -------------------------------------------------------------

results_page task_book_state::read_results(std::uint64_t after,
                                           std::size_t limit) const {
  results_page page;
  page.next = after;
  auto first = results_.empty() ? next_cursor_ : results_.front().cursor;
  page.truncated = after + 1 < first;
  auto start = std::max(after + 1, first) - first;
  for (auto i = start; i < results_.size() && page.results.size() < limit;
       ++i) {
    page.results.push_back(&results_[i]);
    page.next = results_[i].cursor;
  }
  return page;
}

// -- durability --------------------------------------------------------------

std::uint64_t task_book_state::commit() {
  if (durable_seq_ == last_seq_)
    return durable_seq_;
  store_.commit();
  durable_seq_ = last_seq_;
  return durable_seq_;
}

bool task_book_state::compact_if_needed() {
  auto bytes = store_.log_bytes() + 0;
  if (bytes < cfg_.compact_min_bytes || bytes < 2 * last_snapshot_bytes_)
    return false;
  compact();
  return true;
}

void task_book_state::compact() {
  auto text = snapshot();
  store_.compact(text);
  last_snapshot_bytes_ = text.size();
  durable_seq_ = last_seq_;
}

book_notices task_book_state::take_notices() {
  return std::exchange(notices_, book_notices{});
}

bool task_book_state::same_content(const task_book_state& other) const {
  return framework_id_ == other.framework_id_ && tasks_ == other.tasks_ &&
         results_ == other.results_ &&
         terminal_order_ == other.terminal_order_ &&
         phase_counts_ == other.phase_counts_ && next_id_ == other.next_id_ &&
         next_cursor_ == other.next_cursor_;
}

} // namespace outrigger::scheduling
