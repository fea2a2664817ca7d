#include "actors/task_book/task_book_actor.hpp"

#include "actors/actor_time.hpp"
#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/task_book/book_views.hpp"
#include "protocol/calls.hpp"
#include "scheduling/task_book/submit_batch.hpp"
#include "scheduling/task_book/task_json.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <functional>
#include <map>
#include <set>

namespace outrigger::scheduling {

namespace {

using steady = caf::actor_clock::time_point;

double seconds_between(steady a, steady b) {
  return std::chrono::duration<double>(b - a).count();
}

/// The actor's state: the book, the tracker and what waits for a commit.
struct book_actor_state {
  static inline const char* name = "task_book";
  book_actor_config cfg;
  std::unique_ptr<store::state_store> store;
  std::unique_ptr<task_book_state> book;
  std::unique_ptr<status_tracker_state> tracker;
  master_link_actor link;
  notice_sink_actor sink;
  actor_wall_clock clock;
  bool commit_scheduled = false;
  /// A reply waiting for the commit that makes its change durable; `fail`
  /// answers it with an error when that commit cannot happen. CAF 0.17
  /// sends nothing for a promise its actor drops, so a requester would
  /// otherwise wait out its whole timeout (and keep the process alive).
  struct commit_waiter {
    std::function<void()> done;
    std::function<void(const caf::error&)> fail;
  };
  std::vector<commit_waiter> after_commit;
  std::vector<steady> updates_since_commit; // arrival of applied UPDATEs
  struct waiter {
    std::uint64_t after = 0;
    std::uint32_t limit = 0;
    caf::typed_response_promise<api_reply> promise;
  };
  std::map<std::uint64_t, waiter> waiters;
  std::uint64_t next_waiter = 1;
  deadline_timer timer;
  std::uint64_t counted_cursor = 0; // results counted into m.results
  stderr_tail_actor tails;          // fetches stderr tails (may be unset)
  std::set<std::string> holding;    // terminal updates waiting for a tail
  book_metrics m;
};

using self_ptr = task_book_actor::stateful_pointer<book_actor_state>;

time_point now_of(self_ptr self) {
  return self->state.clock.now(self->clock().now());
}

void send_calls(self_ptr self, std::vector<protocol::Call> calls) {
  if (auto& link = self->state.link)
    for (auto& c : calls)
      caf::anon_send(link, atom::call_v, std::move(c));
}

// The ACKs a commit released, encoded once and sent as one batch, without
// a reply: the link pipelines them.
void send_acks(self_ptr self, const std::vector<pending_ack>& acks) {
  auto& st = self->state;
  if (acks.empty() || !st.link)
    return;
  auto batch = std::make_shared<encoded_calls>();
  batch->bodies.reserve(acks.size());
  auto& framework = st.book->framework_id();
  for (auto& ack : acks) {
    auto& body = batch->bodies.emplace_back();
    protocol::append_acknowledge_json(body, framework, ack.agent_id.value,
                                      ack.task_id.value, ack.uuid.data);
  }
  caf::anon_send(st.link, atom::acks_v, encoded_calls_ptr{std::move(batch)});
}

void reschedule_tick(self_ptr self) {
  auto& st = self->state;
  st.timer.arm(self, st.tracker->next_deadline(), now_of(self));
}

void schedule_commit(self_ptr self) {
  auto& st = self->state;
  if (st.commit_scheduled)
    return;
  st.commit_scheduled = true;
  // Behind everything already queued: one fsync for all of it.
  self->send(self, atom::commit_v);
}

void answer_waiters(self_ptr self) {
  auto& st = self->state;
  for (auto i = st.waiters.begin(); i != st.waiters.end();) {
    auto page = st.book->read_results(i->second.after, i->second.limit);
    if (page.results.empty() && !page.truncated) {
      ++i;
      continue;
    }
    st.m.results_read = std::max(st.m.results_read, page.next);
    i->second.promise.deliver(results_reply(page));
    i = st.waiters.erase(i);
  }
}

// Counts the results added since the last call (by state and reason).
void count_results(self_ptr self) {
  auto& st = self->state;
  st.counted_cursor =
    scheduling::count_results(*st.book, st.counted_cursor, st.m.results);
}

// Answers every reply still waiting with `err`: the book is stopping.
void fail_waiting(self_ptr self, const caf::error& err) {
  auto& st = self->state;
  auto waiting = std::move(st.after_commit);
  st.after_commit.clear();
  for (auto& w : waiting)
    w.fail(err);
  for (auto& [id, w] : st.waiters)
    w.promise.deliver(err);
  st.waiters.clear();
}

// Makes everything appended durable and releases what waited for it.
void commit(self_ptr self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  auto t0 = self->clock().now();
  std::uint64_t durable = 0;
  try {
    durable = st.book->commit();
    st.book->compact_if_needed();
  } catch (const std::exception& e) {
    // Nothing may be acknowledged: stop, the process restarts and recovers.
    log::error("task_book", "state store failed", {{"error", e.what()}});
    auto err = caf::make_error(ec::store_failed, e.what());
    fail_waiting(self, err);
    self->quit(std::move(err));
    return;
  }
  auto t1 = self->clock().now();
  ++st.m.commits;
  st.m.commit_latency.observe(seconds_between(t0, t1));
  for (auto t : st.updates_since_commit)
    st.m.event_latency.observe(seconds_between(t, t1));
  st.updates_since_commit.clear();
  send_acks(self, st.tracker->release_acks(durable));
  auto waiting = std::move(st.after_commit);
  st.after_commit.clear();
  for (auto& w : waiting)
    w.done();
  auto notices = st.book->take_notices();
  if (!notices.empty()) {
    if (!notices.kills.empty())
      send_calls(self,
                 st.tracker->on_kills(*st.book, notices.kills, now_of(self)));
    if (notices.results) {
      count_results(self);
      answer_waiters(self);
    }
    if (st.sink)
      self->send(st.sink, atom::notices_v,
                 std::make_shared<const book_notices>(std::move(notices)));
  }
  reschedule_tick(self);
}

// Delivers `reply` once everything appended so far is durable, or an error
// if it never becomes durable.
template <class T>
void after_commit(self_ptr self, caf::typed_response_promise<T> promise,
                  T reply) {
  self->state.after_commit.push_back(
    {[promise, reply = std::move(reply)]() mutable {
       promise.deliver(std::move(reply));
     },
     [promise](const caf::error& err) mutable { promise.deliver(err); }});
  schedule_commit(self);
}

void apply_update(self_ptr self, const protocol::TaskStatus& status);

// Attempt `n` (0: the latest) of task `id`, as sandbox_ref.
sandbox_ref sandbox_of(const book_actor_state& st, std::uint64_t id,
                       std::uint32_t n) {
  sandbox_ref out;
  out.task = id;
  auto* t = st.book->get(id);
  if (!t) {
    out.code = "not_found";
    out.message = "task " + std::to_string(id) + " not found";
    return out;
  }
  if (t->attempts.empty()) {
    out.code = "failed_precondition";
    out.message = "task " + std::to_string(id) + " was never launched (" +
                  std::string{to_string(t->phase)} + ")";
    return out;
  }
  if (n == 0)
    n = t->attempts.back().number;
  const attempt* a = nullptr;
  for (auto& x : t->attempts)
    if (x.number == n)
      a = &x;
  if (!a) {
    out.code = "not_found";
    out.message = "task " + std::to_string(id) + " has no attempt " +
                  std::to_string(n) +
                  " (attempts: " + std::to_string(t->attempts.size()) + ")";
    return out;
  }
  out.attempt = a->number;
  out.agent_id = a->agent_id.str();
  out.agent_url = a->agent_url.str();
  out.framework_id = st.book->framework_id();
  out.mesos_task_id = mesos_task_id(id, a->number);
  out.executor_id = out.mesos_task_id; // the command executor's id
  out.state = std::string{to_string(a->state)};
  out.ended = is_terminal(a->state);
  if (out.agent_url.empty()) {
    out.code = "gone";
    out.message = "attempt " + std::to_string(n) + " of task " +
                  std::to_string(id) +
                  " has no known agent address (launched before this "
                  "version recorded it, or the offer had no agent URL)";
  }
  return out;
}

// Terminal updates other than TASK_FINISHED wait for the end of stderr
// (bounded: a few at once, each with a timeout) so that the result carries
// it. A repeat of a held update is dropped: the master sends it again
// until it is acknowledged.
void on_update(self_ptr self, const protocol::TaskStatus& status) {
  auto& st = self->state;
  auto phase = phase_of(status.state);
  if (!st.tails || !is_terminal(phase) || phase == task_phase::finished)
    return apply_update(self, status);
  auto ref = parse_mesos_task_id(status.task_id.value);
  if (!ref)
    return apply_update(self, status);
  auto* t = st.book->get(ref->id);
  auto* cur = t ? t->current() : nullptr;
  if (!cur || cur->number != ref->attempt || is_terminal(cur->state) ||
      cur->agent_url.empty() || st.book->framework_id().empty())
    return apply_update(self, status);
  auto key = status.task_id.value;
  if (st.holding.count(key) != 0)
    return;
  constexpr std::size_t max_held = 256;
  if (st.holding.size() >= max_held)
    return apply_update(self, status);
  st.holding.insert(key);
  auto where = sandbox_of(st, ref->id, ref->attempt);
  auto done = [self, status, key, r = *ref](std::string tail) {
    self->state.holding.erase(key);
    if (!tail.empty())
      self->state.book->set_stderr_tail(r, std::move(tail));
    apply_update(self, status);
  };
  self->request(st.tails, std::chrono::seconds{15}, atom::tail_v, where)
    .then([done](std::string& tail) { done(std::move(tail)); },
          [done](caf::error&) { done({}); });
}

void apply_update(self_ptr self, const protocol::TaskStatus& status) {
  auto& st = self->state;
  auto now = now_of(self);
  auto r = st.tracker->on_update(*st.book, status, now);
  if (r.kill)
    send_calls(self, {std::move(*r.kill)});
  if (r.outcome.effect == status_effect::applied) {
    st.updates_since_commit.push_back(self->clock().now());
    if (status.state == protocol::task_state::running && r.outcome.ref) {
      auto* t = st.book->get(r.outcome.ref->id);
      if (t && t->attempts.size() == 1) {
        st.m.submit_to_running.observe(
          std::chrono::duration<double>(now - t->submitted_at).count());
        st.m.launch_to_running.observe(
          std::chrono::duration<double>(now - t->attempts[0].launched_at)
            .count());
      }
    }
  }
  schedule_commit(self);
}

// Submits one spec or a batch for `by`; replies once durable.
caf::result<api_reply> submit(self_ptr self, const std::string& body,
                              interned by) {
  auto& st = self->state;
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded())
    return error_reply(invalid_field("", "the body is not valid JSON"));
  api_reply reply;
  if (is_batch_submission(parsed)) {
    auto b = submit_batch(*st.book, parsed, now_of(self), std::move(by));
    if (!b)
      return error_reply(b.error());
    reply = api_reply{{}, {}, {}, false, std::move(b->json)};
  } else {
    auto r = st.book->submit_json(parsed, now_of(self), std::move(by));
    if (!r)
      return error_reply(r.error());
    reply = json_reply(task_to_json(*r->task), r->created);
  }
  auto promise = self->make_response_promise<api_reply>();
  after_commit(self, promise, std::move(reply));
  return promise;
}

// Kills a task (only one of `owner`'s when given); replies once durable.
caf::result<api_reply> kill(self_ptr self, std::uint64_t id,
                            std::optional<std::string_view> owner) {
  auto& st = self->state;
  auto r = st.book->kill(id, now_of(self), owner);
  if (!r)
    return error_reply(r.error());
  auto reply = json_reply(task_to_json(*r->task));
  auto promise = self->make_response_promise<api_reply>();
  after_commit(self, promise, std::move(reply));
  return promise;
}

// From a few milliseconds (an idle service) to an hour (a queue that waits
// for capacity).
std::vector<double> phase_bounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
          2.5,   5,    10,    30,   60,  300,  900, 3600};
}

std::vector<double> latency_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
}

} // namespace

namespace {

task_book_actor::behavior_type task_book(self_ptr self) {
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& st = self->state;
    if (st.sink && msg.source == st.sink.address())
      st.sink = nullptr;
    if (st.link && msg.source == st.link.address())
      st.link = nullptr;
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    // Changes already appended are made durable and answered; what cannot
    // be is answered with an error rather than left to time out.
    if (self->state.commit_scheduled)
      commit(self);
    fail_waiting(self, msg.reason ? msg.reason
                                  : caf::make_error(ec::stopped, "stopping"));
    self->quit(msg.reason);
  });
  count_results(self); // the results recovered from the store
  reschedule_tick(self);
  return {
    // -- API -------------------------------------------------------------
    [self](atom::submit, const std::string& body) -> caf::result<api_reply> {
      return submit(self, body, {});
    },
    [self](atom::submit, const std::string& body, const std::string& by)
      -> caf::result<api_reply> { return submit(self, body, interned{by}); },
    [self](atom::get, std::uint64_t id) -> caf::result<api_reply> {
      auto& st = self->state;
      auto* t = st.book->get(id);
      if (!t)
        return error_reply({"not_found", "no task " + std::to_string(id), ""});
      if (t->phase != task_phase::queued || !st.sink)
        return json_reply(task_to_json(*t));
      auto promise = self->make_response_promise<api_reply>();
      auto fallback = json_reply(task_to_json(*t));
      self->request(st.sink, st.cfg.reason_timeout, atom::reason_v, id)
        .then(
          [self, promise, id, fallback](const std::string& why) mutable {
            auto* now = self->state.book->get(id);
            promise.deliver(now ? json_reply(task_to_json(*now, why))
                                : fallback);
          },
          [promise, fallback](caf::error&) mutable {
            promise.deliver(fallback);
          });
      return promise;
    },
    [self](atom::list, const list_request& q) {
      return list_reply(*self->state.book, q, self->state.cfg.max_page);
    },
    [self](atom::kill, std::uint64_t id) -> caf::result<api_reply> {
      return kill(self, id, std::nullopt);
    },
    [self](atom::kill, std::uint64_t id,
           const std::string& owner) -> caf::result<api_reply> {
      return kill(self, id, std::string_view{owner});
    },
    [self](atom::results, std::uint64_t after, std::uint32_t limit,
           caf::timespan wait) -> caf::result<api_reply> {
      auto& st = self->state;
      if (limit == 0 || limit > st.cfg.max_page)
        return error_reply(invalid_field(
          "limit", "must be 1.." + std::to_string(st.cfg.max_page)));
      auto page = st.book->read_results(after, limit);
      if ((!page.results.empty() || page.truncated) ||
          wait <= caf::timespan{0} ||
          st.waiters.size() >= st.cfg.max_result_waiters) {
        st.m.results_read = std::max(st.m.results_read, page.next);
        return results_reply(page);
      }
      auto id = st.next_waiter++;
      auto promise = self->make_response_promise<api_reply>();
      st.waiters.emplace(id, book_actor_state::waiter{after, limit, promise});
      self->delayed_send(self, wait, atom::wake_v, id);
      return promise;
    },
    [self](atom::wake, std::uint64_t id) {
      auto& st = self->state;
      auto i = st.waiters.find(id);
      if (i == st.waiters.end())
        return;
      auto page = st.book->read_results(i->second.after, i->second.limit);
      i->second.promise.deliver(results_reply(page));
      st.waiters.erase(i);
    },
    [self](atom::framework) {
      auto& st = self->state;
      return framework_reply(*st.book, st.tracker->reconciling());
    },
    [self](atom::metrics) {
      auto& st = self->state;
      auto m = st.m;
      m.tasks = tasks_by_state(*st.book);
      m.results_cursor = st.book->last_result_cursor();
      m.oldest_queued_seconds = oldest_queued_seconds(*st.book, now_of(self));
      m.store_bytes = st.store->log_bytes();
      auto ts = st.tracker->stats();
      m.updates = ts.updates;
      m.acks = ts.acks;
      m.kills_sent = ts.kills_sent + ts.zombies_killed;
      m.reconcile_calls = ts.reconcile_calls;
      return m;
    },
    [self](atom::connect, master_link_actor link) {
      self->state.link = link;
      self->monitor(link);
    },
    [self](atom::connect, notice_sink_actor sink) {
      auto& st = self->state;
      st.sink = sink;
      self->monitor(sink);
      // Bring the sink up to date: everything queued, every pending kill.
      auto n = st.book->recovery_notices();
      n.kills.clear(); // re-sent by the tracker on the next subscription
      self->send(sink, atom::notices_v,
                 std::make_shared<const book_notices>(std::move(n)));
    },
    // -- the matcher's launches -------------------------------------------
    [self](atom::launch,
           const launch_request& req) -> caf::result<launch_reply> {
      auto& st = self->state;
      auto now = now_of(self);
      launch_reply reply;
      for (auto& item : req.items) {
        auto r = st.book->begin_launch(
          item.task, item.attempt, interned{item.agent_id},
          interned{item.hostname}, now, interned{item.agent_url});
        if (!r) {
          reply.refused.push_back(item.task);
          continue;
        }
        ++st.m.launches;
        if (item.attempt > 1)
          ++st.m.retries;
        else if (auto* t = st.book->get(item.task))
          st.m.submit_to_launch.observe(
            std::chrono::duration<double>(now - t->submitted_at).count());
      }
      auto promise = self->make_response_promise<launch_reply>();
      after_commit(self, promise, std::move(reply));
      return promise;
    },
    // -- the framework id (master_link's store) ------------------------------
    [self](atom::load) { return self->state.book->framework_id(); },
    [self](atom::store, const std::string& id) {
      auto& st = self->state;
      st.book->set_framework_id(id);
      commit(self); // the link acts on SUBSCRIBED after this reply
    },
    [self](atom::erase) {
      self->state.book->set_framework_id("");
      commit(self);
    },
    // -- events of the master ----------------------------------------------
    [self](atom::event, const event_ptr& ev) {
      if (ev && ev->update)
        on_update(self, ev->update->status);
    },
    [self](atom::link_up, const subscription& sub) {
      auto& st = self->state;
      // The id is the book's already: the link stored it before link_up.
      ++st.m.reconcile_rounds;
      send_calls(self, st.tracker->on_subscribed(*st.book, now_of(self)));
      reschedule_tick(self);
    },
    [](atom::link_down, const std::string&) {
      // nop: calls fail until the next link_up, which reconciles
    },
    [self](atom::sandbox, std::uint64_t id, std::uint32_t attempt)
      -> sandbox_ref { return sandbox_of(self->state, id, attempt); },
    [self](atom::connect, stderr_tail_actor tails) {
      self->state.tails = std::move(tails);
    },
    [self](atom::fw_removed, const framework_removed& info) {
      auto& st = self->state;
      st.book->framework_removed(now_of(self), info.message);
      schedule_commit(self);
    },
    // -- internal -------------------------------------------------------------
    [self](atom::commit) { commit(self); },
    [self](atom::tick, std::uint64_t token) {
      auto& st = self->state;
      if (!st.timer.fire(token))
        return;
      send_calls(self, st.tracker->tick(*st.book, now_of(self)));
      reschedule_tick(self);
    },
  };
}

} // namespace

caf::expected<book_start>
spawn_task_book(caf::actor_system& sys, book_actor_config cfg,
                std::unique_ptr<store::state_store> store,
                const store::recovered_state& recovered) {
  auto book = std::make_unique<task_book_state>(cfg.book, *store);
  book_recovery rec;
  try {
    rec = book->recover(recovered);
  } catch (const std::exception& e) {
    return caf::make_error(ec::store_failed,
                           std::string{"cannot recover the task book: "} +
                             e.what());
  }
  auto tracker = std::make_unique<status_tracker_state>(cfg.tracker);
  auto init =
    [cfg,
     st = std::make_shared<std::tuple<std::unique_ptr<store::state_store>,
                                      std::unique_ptr<task_book_state>,
                                      std::unique_ptr<status_tracker_state>>>(
       std::move(store), std::move(book), std::move(tracker))](
      self_ptr self) mutable {
      auto& s = self->state;
      s.cfg = cfg;
      s.store = std::move(std::get<0>(*st));
      s.book = std::move(std::get<1>(*st));
      s.tracker = std::move(std::get<2>(*st));
      s.clock.start(self->clock().now());
      s.m.commit_latency = latency_histogram::with_bounds(latency_bounds());
      s.m.event_latency = latency_histogram::with_bounds(latency_bounds());
      s.m.submit_to_running = latency_histogram::with_bounds(phase_bounds());
      s.m.submit_to_launch = latency_histogram::with_bounds(phase_bounds());
      s.m.launch_to_running = latency_histogram::with_bounds(phase_bounds());
      return task_book(self);
    };
  auto actor = cfg.detached ? sys.spawn<caf::detached>(std::move(init))
                            : sys.spawn(std::move(init));
  return book_start{actor, rec, recovered.report};
}

} // namespace outrigger::scheduling
