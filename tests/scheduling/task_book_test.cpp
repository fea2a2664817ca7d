// The task book: submission, launch, status transitions, retries, kills,
// results log, queries and durability sequence numbers.

#include "test_support.hpp"

using namespace outrigger::test;
using st = outrigger::protocol::task_state;
using reason = outrigger::protocol::status_reason;
using source = outrigger::protocol::status_source;

TEST_CASE_FIXTURE(book_fixture, "submission is idempotent by key") {
  auto first = book->submit_json(body("a"), at(0));
  REQUIRE(first);
  CHECK(first->created);
  CHECK(first->task->id == 1);
  CHECK(first->task->phase == task_phase::queued);
  CHECK(first->seq == 1);
  // Same key, different command: the same task, nothing recorded.
  auto again = book->submit_json(body("a", {{"command", "other"}}), at(5));
  REQUIRE(again);
  CHECK(!again->created);
  CHECK(again->task->id == 1);
  CHECK(again->task->spec->command == "echo a");
  CHECK(book->last_seq() == 1);
  CHECK(store.pending() == 1);
  auto second = book->submit_json(body("b"), at(1));
  REQUIRE(second);
  CHECK(second->task->id == 2);
  auto n = book->take_notices();
  REQUIRE(n.queued.size() == 2);
  CHECK(n.queued[0].id == 1);
  CHECK(n.queued[0].attempt == 1);
  CHECK(n.queued[0].ready_at == at(0));
  CHECK(book->take_notices().empty());
}

TEST_CASE_FIXTURE(book_fixture, "an invalid submission changes nothing") {
  auto r = book->submit_json(body("a", {{"resources", {{"mem", 0}}}}), at(0));
  REQUIRE(!r);
  CHECK(r.error().message == "resources.mem: must be > 0");
  CHECK(book->size() == 0);
  CHECK(book->last_seq() == 0);
  CHECK(store.pending() == 0);
}

TEST_CASE_FIXTURE(book_fixture, "a task runs to FINISHED and its result is "
                                "logged") {
  auto id = submit("a");
  launch(id, 1);
  CHECK(phase(id) == task_phase::launching);
  CHECK(book->get(id)->attempts.size() == 1);
  CHECK(report(id, st::starting, 2).effect == status_effect::applied);
  CHECK(report(id, st::running, 3).effect == status_effect::applied);
  CHECK(phase(id) == task_phase::running);
  auto done = report(id, st::finished, 4, {}, source::executor,
                     "Command exited with status 0");
  CHECK(done.effect == status_effect::applied);
  CHECK(done.finished);
  CHECK(phase(id) == task_phase::finished);
  auto page = book->read_results(0, 10);
  REQUIRE(page.results.size() == 1);
  auto& r = *page.results[0];
  CHECK(r.cursor == 1);
  CHECK(r.key == "a");
  CHECK(r.state == task_phase::finished);
  CHECK(r.exit_status == 0);
  CHECK(r.agent_id.str() == "agent-1");
  CHECK(r.hostname.str() == "host-1");
  CHECK(r.started_at == at(1));
  CHECK(r.finished_at == at(4));
  CHECK(r.attempts == 1);
  CHECK(page.next == 1);
  CHECK(book->read_results(1, 10).results.empty());
  auto n = book->take_notices();
  CHECK(n.results);
  REQUIRE(n.ended.size() == 1);
  CHECK(n.ended[0] == attempt_ref{id, 1});
}

TEST_CASE_FIXTURE(book_fixture, "duplicates and late updates never move a "
                                "task backwards") {
  auto id = submit("a");
  launch(id);
  report(id, st::running, 2);
  auto dup = report(id, st::running, 3);
  CHECK(dup.effect == status_effect::duplicate);
  CHECK(!dup.zombie);
  CHECK(report(id, st::staging, 3).effect == status_effect::out_of_order);
  CHECK(phase(id) == task_phase::running);
  // UNREACHABLE is not terminal; the task may come back.
  CHECK(report(id, st::unreachable, 4).effect == status_effect::applied);
  CHECK(phase(id) == task_phase::unreachable);
  CHECK(report(id, st::running, 5).effect == status_effect::applied);
  report(id, st::finished, 6);
  auto late = report(id, st::running, 7);
  CHECK(late.effect == status_effect::out_of_order);
  CHECK(late.zombie); // something runs that the book holds finished
  CHECK(report(id, st::finished, 8).effect == status_effect::duplicate);
  CHECK(!report(id, st::failed, 9).zombie);
  CHECK(phase(id) == task_phase::finished);
  CHECK(book->read_results(0, 10).results.size() == 1);
}

TEST_CASE_FIXTURE(book_fixture, "updates of unknown tasks are reported as "
                                "such") {
  auto r = book->apply_status(update("foreign-task", st::running), at(1));
  CHECK(r.effect == status_effect::unknown_task);
  CHECK(!r.ref);
  CHECK(r.zombie);
  auto r2 = book->apply_status(update("or-99-1", st::finished), at(1));
  CHECK(r2.effect == status_effect::unknown_task);
  CHECK(!r2.zombie);
  auto id = submit("a");
  auto r3 = book->apply_status(update(mesos_task_id(id, 1), st::running),
                               at(1)); // queued: attempt 1 not launched
  CHECK(r3.effect == status_effect::unknown_task);
  CHECK(book->last_seq() == 1);
}

TEST_CASE_FIXTURE(book_fixture, "failures are retried with backoff under a "
                                "new Mesos task id") {
  auto id = submit("a", {{"retry",
                          {{"max_attempts", 3},
                           {"backoff_seconds", 10},
                           {"on", json::array({"FAILED"})}}}});
  book->take_notices();
  launch(id, 1);
  report(id, st::running, 2);
  auto r = report(id, st::failed, 3, {}, source::executor,
                  "Command exited with status 2");
  CHECK(r.requeued);
  CHECK(!r.finished);
  auto* t = book->get(id);
  CHECK(t->phase == task_phase::queued);
  CHECK(t->not_before == at(13));
  CHECK(t->next_attempt() == 2);
  CHECK(t->attempts[0].exit_status == 2);
  auto n = book->take_notices();
  REQUIRE(n.queued.size() == 1);
  CHECK(n.queued[0].attempt == 2);
  CHECK(n.queued[0].ready_at == at(13));
  // Attempt 2 fails: the delay doubles.
  launch(id, 14);
  report(id, st::running, 15);
  // An update of attempt 1 now is stale.
  auto stale =
    book->apply_status(update(mesos_task_id(id, 1), st::running), at(15));
  CHECK(stale.effect == status_effect::stale_attempt);
  CHECK(stale.zombie);
  report(id, st::failed, 16);
  CHECK(book->get(id)->not_before == at(36));
  launch(id, 40);
  report(id, st::failed, 41);
  t = book->get(id);
  CHECK(t->phase == task_phase::failed);
  CHECK(t->attempts.size() == 3);
  CHECK(t->counted_attempts() == 3);
  auto res = book->read_results(0, 10);
  REQUIRE(res.results.size() == 1);
  CHECK(res.results[0]->attempts == 3);
}

TEST_CASE_FIXTURE(book_fixture, "outcomes the policy does not name are "
                                "final") {
  auto id = submit(
    "a", {{"retry", {{"max_attempts", 5}, {"on", json::array({"LOST"})}}}});
  launch(id);
  report(id, st::running);
  report(id, st::failed, 3);
  CHECK(phase(id) == task_phase::failed);
  auto id2 = submit(
    "b", {{"retry", {{"max_attempts", 5}, {"on", json::array({"LOST"})}}}});
  launch(id2);
  report(id2, st::running);
  report(id2, st::lost, 3, reason::agent_removed, source::master);
  CHECK(phase(id2) == task_phase::queued); // LOST is retried
  CHECK(book->get(id2)->counted_attempts() == 1);
}

TEST_CASE_FIXTURE(book_fixture, "invalid offers requeue at once without "
                                "using an attempt") {
  auto id = submit("a", {{"retry", {{"max_attempts", 1}}}});
  launch(id, 1);
  auto r = report(id, st::dropped, 2, reason::invalid_offers, source::master,
                  "Task launched with invalid offers: Offer o1 is no longer "
                  "valid");
  CHECK(r.requeued);
  auto* t = book->get(id);
  CHECK(t->phase == task_phase::queued);
  CHECK(t->not_before == at(2)); // no backoff
  CHECK(t->counted_attempts() == 0);
  CHECK(t->next_attempt() == 2); // still a fresh Mesos task id
  // The same for LOST (frameworks that are not partition-aware) and for a
  // task the master never saw (reconciliation says GONE / UNKNOWN).
  launch(id, 3);
  report(id, st::lost, 4, reason::invalid_offers, source::master);
  CHECK(phase(id) == task_phase::queued);
  launch(id, 5);
  report(id, st::unknown, 6, reason::reconciliation, source::master);
  CHECK(phase(id) == task_phase::queued);
  CHECK(book->get(id)->counted_attempts() == 0);
  // Once it ran, a LOST counts: max_attempts 1 ends it.
  launch(id, 7);
  report(id, st::running, 8);
  report(id, st::lost, 9, reason::agent_removed, source::master);
  CHECK(phase(id) == task_phase::lost);
}

TEST_CASE_FIXTURE(book_fixture, "unstarted retries are bounded") {
  cfg.max_unstarted_attempts = 2;
  book = std::make_unique<task_book_state>(cfg, store);
  auto id = submit("a", {{"retry", {{"max_attempts", 1}}}});
  for (int i = 0; i < 2; ++i) {
    launch(id, i);
    report(id, st::dropped, i, reason::invalid_offers, source::master);
    REQUIRE(phase(id) == task_phase::queued);
  }
  launch(id, 5);
  report(id, st::dropped, 6, reason::invalid_offers, source::master);
  CHECK(phase(id) == task_phase::dropped);
}

TEST_CASE_FIXTURE(book_fixture, "killing a queued task cancels it at once") {
  auto id = submit("a");
  book->take_notices();
  auto k = book->kill(id, at(1));
  REQUIRE(k);
  CHECK(k->cancelled);
  CHECK(!k->kill_sent);
  CHECK(phase(id) == task_phase::killed);
  auto n = book->take_notices();
  CHECK(n.withdrawn == std::vector<task_id>{id});
  CHECK(n.kills.empty());
  auto res = book->read_results(0, 10);
  REQUIRE(res.results.size() == 1);
  CHECK(res.results[0]->message == "killed before launch");
  auto again = book->kill(id, at(2));
  REQUIRE(again);
  CHECK(again->already_terminal);
  CHECK(!book->kill(77, at(2)));
  CHECK(book->kill(77, at(2)).error().code == "not_found");
}

TEST_CASE_FIXTURE(book_fixture, "killing a launched task sends KILL and ends "
                                "it KILLED without retry") {
  auto id = submit("a", {{"kill_grace_period_seconds", 7},
                         {"retry", {{"on", json::array({"KILLED"})}}}});
  launch(id);
  report(id, st::running);
  book->take_notices();
  auto k = book->kill(id, at(3));
  REQUIRE(k);
  CHECK(k->kill_sent);
  CHECK(phase(id) == task_phase::running);
  CHECK(book->get(id)->kill_requested);
  auto n = book->take_notices();
  REQUIRE(n.kills.size() == 1);
  CHECK(n.kills[0].ref == attempt_ref{id, 1});
  CHECK(n.kills[0].agent_id.str() == "agent-1");
  CHECK(n.kills[0].grace_period == duration{7000});
  // A second kill is not recorded again but re-announced.
  auto seq = book->last_seq();
  auto k2 = book->kill(id, at(4));
  CHECK(k2->kill_sent);
  CHECK(book->last_seq() == seq);
  CHECK(book->take_notices().kills.size() == 1);
  report(id, st::killing, 5);
  report(id, st::killed, 6);
  CHECK(phase(id) == task_phase::killed); // not retried although on KILLED
  // A queued task cannot be launched once killed; a killed one not at all.
  CHECK(!book->begin_launch(id, 2, interned{"a"}, interned{"h"}, at(7)));
}

TEST_CASE_FIXTURE(book_fixture, "a kill of a task that never started ends "
                                "KILLED") {
  auto id = submit("a");
  launch(id);
  book->kill(id, at(2));
  report(id, st::unknown, 3, reason::reconciliation, source::master);
  CHECK(phase(id) == task_phase::killed);
}

TEST_CASE_FIXTURE(book_fixture, "launch preconditions") {
  auto id = submit("a");
  auto wrong = book->begin_launch(id, 2, interned{"a"}, interned{"h"}, at(1));
  REQUIRE(!wrong);
  CHECK(wrong.error().field == "attempt");
  launch(id);
  auto twice = book->begin_launch(id, 2, interned{"a"}, interned{"h"}, at(1));
  REQUIRE(!twice);
  CHECK(twice.error().code == "failed_precondition");
  CHECK(!book->begin_launch(9, 1, interned{"a"}, interned{"h"}, at(1)));
}

TEST_CASE_FIXTURE(book_fixture, "the master removing the framework ends "
                                "every launched attempt") {
  book->set_framework_id("fw-1");
  auto running = submit("a");
  auto launching = submit("b");
  auto queued = submit("c");
  launch(running);
  report(running, st::running);
  launch(launching);
  book->framework_removed(at(10), "Framework has been removed");
  CHECK(book->framework_id().empty());
  CHECK(phase(running) == task_phase::queued); // LOST: retried by default
  CHECK(book->get(running)->attempts[0].reason == reason::framework_removed);
  CHECK(book->get(running)->counted_attempts() == 1);
  CHECK(phase(launching) == task_phase::queued);
  CHECK(book->get(launching)->counted_attempts() == 0);
  CHECK(phase(queued) == task_phase::queued);
}

TEST_CASE_FIXTURE(book_fixture, "changes are numbered and commit makes them "
                                "durable") {
  CHECK(book->set_framework_id("fw-1") == 1);
  CHECK(book->set_framework_id("fw-1") == 1); // no change, no record
  auto id = submit("a");
  CHECK(book->last_seq() == 2);
  CHECK(book->durable_seq() == 0);
  CHECK(store.pending() == 2);
  CHECK(book->commit() == 2);
  CHECK(store.pending() == 0);
  CHECK(store.commits() == 1);
  CHECK(book->commit() == 2);
  CHECK(store.commits() == 1); // nothing new: no sync
  launch(id);
  auto r = report(id, st::running);
  CHECK(r.seq == 4);
  CHECK(book->durable_seq() == 2);
  auto dup = report(id, st::running);
  CHECK(dup.seq == 4); // a duplicate waits for what came before it
}

TEST_CASE_FIXTURE(book_fixture, "launched() lists what to reconcile") {
  auto a = submit("a", {{"queue", "etl"}});
  auto b = submit("b");
  submit("c");
  launch(a, 1);
  launch(b, 2);
  report(b, st::running);
  book->kill(b, at(3));
  auto xs = book->launched();
  REQUIRE(xs.size() == 2);
  CHECK(xs[0].ref == attempt_ref{a, 1});
  CHECK(xs[0].state == task_phase::launching);
  CHECK(xs[0].queue.str() == "etl");
  CHECK(xs[0].launched_at == at(1));
  CHECK(xs[1].kill_requested);
  CHECK(xs[1].state == task_phase::running);
}
