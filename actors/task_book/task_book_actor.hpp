#pragma once
// The task_book actor: owns the state store, the task book and the status
// tracker's state (design.md "Architecture": the book is the single source of
// truth; the tracker's ACKs wait for the book's commits, so both live on the
// thread that does the fsync). It is detached because commit() blocks.
//
// Durability: every handler appends to the store and schedules one commit
// message to itself; the commit runs after everything already in the
// mailbox (group commit), then releases what waited for it: API replies,
// ACKNOWLEDGEs, launch replies (the matcher sends its ACCEPT only then) and
// notices to the matcher.
//
// Wiring (app): journal::open(...) → spawn_task_book → spawn the matcher →
// connect both ways → spawn master_link with the book as id store and
// listener (UPDATE) → send the link to both.

#include "actors/messages.hpp"
#include "scheduling/status_tracker/status_tracker_state.hpp"
#include "scheduling/store/state_store.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <memory>

namespace outrigger::scheduling {

/// Settings of the task_book actor.
struct book_actor_config {
  task_book_config book;
  status_tracker_config tracker;
  /// Long-poll readers of the results log waiting at once; more get an
  /// empty page at once.
  std::size_t max_result_waiters = 1024;
  /// Largest page of GET /v1/tasks and /v1/results.
  std::uint32_t max_page = 1000;
  /// How long GET /v1/tasks/{id} waits for the matcher's pending reason.
  caf::timespan reason_timeout = std::chrono::seconds{1};
  /// On its own thread (the service: commit() blocks on fsync). false puts
  /// it on the actor system's scheduler, so that tests can run it on CAF's
  /// deterministic test coordinator with a store that does not block.
  bool detached = true;
};

/// What recovery found, for the start-up log.
struct book_start {
  task_book_actor actor;
  book_recovery recovery;
  store::recovery_report store_report;
};

/// Recovers the book from `recovered` (what the store found) and spawns the
/// actor, which owns `store` from then on. Fails with ec::store_failed when
/// a record cannot be read.
caf::expected<book_start>
spawn_task_book(caf::actor_system& sys, book_actor_config cfg,
                std::unique_ptr<store::state_store> store,
                const store::recovered_state& recovered);

} // namespace outrigger::scheduling
