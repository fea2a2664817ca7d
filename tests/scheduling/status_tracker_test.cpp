// The status tracker: ACK only after durability, duplicates, zombies, KILL
// retries and reconciliation.

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "scheduling/status_tracker/status_tracker_state.hpp"
#include "test_support.hpp"

using namespace outrigger::test;
using st = outrigger::protocol::task_state;
using reason = outrigger::protocol::status_reason;
using source = outrigger::protocol::status_source;

namespace {

struct tracker_fixture : book_fixture {
  status_tracker_state tracker{{}};

  tracker_fixture() { book->set_framework_id("fw-1"); }

  /// A launched task (committed), running unless `state` says otherwise.
  task_id running(const std::string& key, st state = st::running) {
    auto id = submit(key);
    launch(id);
    if (state != st::staging)
      tracker.on_update(*book, update(mesos_task_id(id, 1), state), at(2));
    book->commit();
    tracker.release_acks(book->durable_seq());
    book->take_notices();
    return id;
  }

  update_result send(task_id id, std::uint32_t attempt, st state,
                     double when = 3,
                     std::optional<proto::status_source> src = source::executor,
                     std::optional<proto::status_reason> why = {}) {
    return tracker.on_update(
      *book, update(mesos_task_id(id, attempt), state, src, why), at(when));
  }

  std::size_t reconcile_tasks(const std::vector<proto::Call>& calls) {
    std::size_t n = 0;
    for (auto& c : calls)
      if (c.reconcile)
        n += c.reconcile->tasks.size();
    return n;
  }
};

} // namespace

TEST_CASE_FIXTURE(tracker_fixture, "an update is acknowledged only once its "
                                   "change is durable") {
  auto id = submit("a");
  launch(id);
  book->commit();
  auto r = send(id, 1, st::running);
  CHECK(r.outcome.effect == status_effect::applied);
  CHECK(r.ack_queued);
  CHECK(tracker.acks_waiting() == 1);
  CHECK(tracker.release_acks(book->durable_seq()).empty());
  CHECK(store.pending() == 1);
  auto acks = tracker.release_acks(book->commit());
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].task_id.value == "or-1-1");
  CHECK(acks[0].agent_id.value == "agent-1");
  CHECK(acks[0].uuid.data == std::string(16, 'u'));
  CHECK(tracker.acks_waiting() == 0);
}

TEST_CASE_FIXTURE(tracker_fixture, "a duplicate waits for what came before "
                                   "it, and is acknowledged too") {
  auto id = submit("a");
  launch(id);
  book->commit();
  send(id, 1, st::running);
  auto dup = send(id, 1, st::running); // the agent re-sent it
  CHECK(dup.outcome.effect == status_effect::duplicate);
  CHECK(dup.ack_queued);
  CHECK(tracker.release_acks(book->durable_seq()).empty());
  CHECK(tracker.release_acks(book->commit()).size() == 2);
  // Once everything is durable, a duplicate is acknowledged at once.
  send(id, 1, st::running);
  CHECK(tracker.release_acks(book->durable_seq()).size() == 1);
  CHECK(tracker.stats().duplicates == 2);
}

TEST_CASE_FIXTURE(tracker_fixture, "updates from the master carry no uuid and "
                                   "get no ACK") {
  auto id = running("a");
  auto r = send(id, 1, st::running, 4, source::master, reason::reconciliation);
  CHECK(!r.ack_queued);
  CHECK(tracker.acks_waiting() == 0);
}

TEST_CASE_FIXTURE(tracker_fixture, "a crash before the commit loses the "
                                   "update and its ACK together") {
  auto id = running("a");
  send(id, 1, st::finished, 4);
  // Crash now: the ACK never went out, and the book does not know either.
  auto back = recovered();
  CHECK(back->get(id)->phase == task_phase::running);
  // The agent re-sends the update to the new process.
  status_tracker_state fresh{{}};
  fresh.on_update(*back, update(mesos_task_id(id, 1), st::finished), at(9));
  CHECK(back->get(id)->phase == task_phase::finished);
  CHECK(fresh.release_acks(back->commit()).size() == 1);
}

TEST_CASE_FIXTURE(tracker_fixture, "an attempt alive after the book moved on "
                                   "is killed") {
  auto id = running("a");
  send(id, 1, st::finished, 4);
  auto zombie = send(id, 1, st::running, 5);
  CHECK(zombie.outcome.effect == status_effect::out_of_order);
  REQUIRE(zombie.kill);
  CHECK(zombie.kill->kill->task_id.value == "or-1-1");
  CHECK(zombie.kill->kill->agent_id->value == "agent-1");
  CHECK(zombie.kill->framework_id->value == "fw-1");
  CHECK(zombie.ack_queued); // and acknowledged all the same
  auto foreign =
    tracker.on_update(*book, update("or-77-1", st::running), at(6));
  CHECK(foreign.outcome.effect == status_effect::unknown_task);
  CHECK(foreign.kill);
  CHECK(!send(id, 1, st::finished, 7).kill);
  CHECK(tracker.stats().zombies_killed == 2);
}

TEST_CASE_FIXTURE(tracker_fixture, "invalid offers requeue the task") {
  auto id = running("a", st::staging);
  auto r = send(id, 1, st::dropped, 3, source::master, reason::invalid_offers);
  CHECK(r.outcome.requeued);
  CHECK(book->get(id)->phase == task_phase::queued);
  CHECK(book->take_notices().queued.size() == 1);
}

TEST_CASE_FIXTURE(tracker_fixture, "KILL is re-sent with backoff until a "
                                   "terminal update") {
  auto id = running("a");
  book->kill(id, at(10));
  auto n = book->take_notices();
  auto calls = tracker.on_kills(*book, n.kills, at(10));
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].kill->task_id.value == "or-1-1");
  CHECK(tracker.tick(*book, at(14)).empty());
  auto again = tracker.tick(*book, at(15)); // after 5 s
  REQUIRE(again.size() == 1);
  CHECK(again[0].type == proto::call_type::kill);
  CHECK(tracker.tick(*book, at(24)).empty());
  CHECK(tracker.tick(*book, at(25)).size() == 1); // then 10 s
  CHECK(tracker.next_deadline() <= at(45));
  send(id, 1, st::killed, 30);
  CHECK(book->get(id)->phase == task_phase::killed);
  CHECK(tracker.kills_tracked() == 0);
  CHECK(tracker.tick(*book, at(100)).empty());
}

TEST_CASE_FIXTURE(tracker_fixture, "a new subscription re-sends pending "
                                   "KILLs") {
  auto id = running("a");
  book->kill(id, at(10));
  tracker.on_kills(*book, book->take_notices().kills, at(10));
  auto calls = tracker.on_subscribed(*book, at(11));
  std::size_t kills = 0;
  for (auto& c : calls)
    kills += c.type == proto::call_type::kill;
  CHECK(kills == 1);
}

// Found by the chaos run (docs/RELIABILITY.md): a kill was recorded, its KILL
// answered 503 (the master recovering), the service was SIGKILLed before the
// retry, and the restarted service never sent it again: the task ran to its
// end. The tracker of a new process starts empty; the book remembers.
TEST_CASE_FIXTURE(tracker_fixture, "a kill recorded before a restart is sent "
                                   "on the next subscription") {
  auto id = running("a");
  book->kill(id, at(10));
  book->commit();
  book->take_notices(); // the old process's tracker got them, then died
  status_tracker_state fresh{{}};
  auto calls = fresh.on_subscribed(*book, at(20));
  std::size_t kills = 0;
  for (auto& c : calls)
    if (c.type == proto::call_type::kill) {
      ++kills;
      CHECK(c.kill->task_id.value == "or-1-1");
    }
  CHECK(kills == 1);
  CHECK(fresh.kills_tracked() == 1);
  CHECK(fresh.tick(*book, at(25)).size() == 1); // and retried with backoff
}

TEST_CASE_FIXTURE(tracker_fixture, "explicit reconciliation in batches, "
                                   "re-asking the unanswered") {
  tracker = status_tracker_state{[] {
    status_tracker_config c;
    c.reconcile_batch = 2;
    c.reconcile_max_asks = 2;
    c.implicit_period = std::chrono::minutes{10};
    return c;
  }()};
  std::vector<task_id> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(running("t" + std::to_string(i)));
  submit("queued"); // not launched: not reconciled
  auto calls = tracker.on_subscribed(*book, at(100));
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].reconcile->tasks.size() == 2);
  CHECK(calls[2].reconcile->tasks.size() == 1);
  CHECK(calls[0].reconcile->tasks[0].task_id.value == "or-1-1");
  CHECK(calls[0].reconcile->tasks[0].agent_id->value == "agent-1");
  CHECK(tracker.reconciling());
  // Three answer: still running, finished, and unknown to the master.
  send(ids[0], 1, st::running, 101, source::master, reason::reconciliation);
  send(ids[1], 1, st::finished, 101, source::master, reason::reconciliation);
  send(ids[2], 1, st::unknown, 101, source::master, reason::reconciliation);
  CHECK(book->get(ids[1])->phase == task_phase::finished);
  // Unknown to the master: LOST, and retried by the default policy.
  CHECK(book->get(ids[2])->phase == task_phase::queued);
  CHECK(book->get(ids[2])->attempts[0].state == task_phase::lost);
  CHECK(tracker.tick(*book, at(129)).empty());
  auto again = tracker.tick(*book, at(130));
  CHECK(reconcile_tasks(again) == 2); // ids[3], ids[4]
  send(ids[3], 1, st::running, 131, source::master, reason::reconciliation);
  auto last = tracker.tick(*book, at(160));
  CHECK(reconcile_tasks(last) == 0); // ids[4] was asked twice: given up
  CHECK(!tracker.reconciling());
  CHECK(tracker.stats().reconcile_given_up == 1);
  // Then implicit reconciliation on its period.
  CHECK(tracker.next_deadline() <= at(760));
  auto implicit = tracker.tick(*book, at(760));
  REQUIRE(!implicit.empty());
  CHECK(implicit[0].reconcile->tasks.empty());
  CHECK(tracker.stats().reconcile_calls == 5);
}

TEST_CASE_FIXTURE(tracker_fixture, "with nothing launched, only implicit "
                                   "reconciliation") {
  auto calls = tracker.on_subscribed(*book, at(0));
  CHECK(calls.empty());
  CHECK(!tracker.reconciling());
  CHECK(tracker.tick(*book, at(60)).empty());
  auto implicit = tracker.tick(*book, at(900));
  REQUIRE(implicit.size() == 1);
  CHECK(implicit[0].reconcile->tasks.empty());
}

TEST_CASE_FIXTURE(tracker_fixture, "a task stuck in LAUNCHING is reconciled "
                                   "explicitly") {
  tracker.on_subscribed(*book, at(0));
  auto id = submit("a");
  launch(id, 10); // its ACCEPT is lost: no update ever comes
  CHECK(reconcile_tasks(tracker.tick(*book, at(35))) == 0); // 25 s
  auto calls = tracker.tick(*book, at(50));                 // 40 s
  CHECK(reconcile_tasks(calls) == 1);
  // The master never saw it: GONE from an agent, requeued at once.
  send(id, 1, st::gone, 51, source::master, reason::reconciliation);
  CHECK(book->get(id)->phase == task_phase::queued);
  CHECK(book->get(id)->counted_attempts() == 0);
}

TEST_CASE_FIXTURE(tracker_fixture, "a task slow to start is asked once, "
                                   "then left to its agent") {
  tracker.on_subscribed(*book, at(0));
  auto id = submit("a");
  launch(id, 10); // pulling a large image: no update for minutes
  CHECK(reconcile_tasks(tracker.tick(*book, at(50))) == 1);
  // The master knows it: STAGING, so it is no longer LAUNCHING.
  send(id, 1, st::staging, 51, source::master, reason::reconciliation);
  CHECK(book->get(id)->phase == task_phase::staging);
  std::size_t asked = 0;
  for (int s = 60; s <= 600; s += 10)
    asked += reconcile_tasks(tracker.tick(*book, at(s)));
  CHECK(asked == 0);
}
