#pragma once
// What the task_book actor answers to queries, as plain functions of the
// book (so the actor only routes, and these are tested without messages):
// the pages of GET /v1/tasks and /v1/results, the book's part of
// GET /v1/framework, and its gauges for /metrics.

#include "actors/messages.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <string>

namespace outrigger::scheduling {

/// A success answer carrying `j` (created: a new task, for 201).
api_reply json_reply(const nlohmann::json& j, bool created = false);

/// An error answer.
api_reply error_reply(const api_error& e);

/// A page of tasks ({"tasks": [...], "next": id | null}), or an error naming
/// the bad parameter (state, limit 1..max_page).
api_reply list_reply(const task_book_state& book, const list_request& q,
                     std::uint32_t max_page);

/// A page of the results log ({"results": [...], "next", "truncated"}).
api_reply results_reply(const results_page& page);

/// The book's part of GET /v1/framework: framework id, tasks by state,
/// results cursor, whether reconciliation is running.
api_reply framework_reply(const task_book_state& book, bool reconciling);

/// Number of tasks by state name ("QUEUED", ...), every state present.
std::map<std::string, std::uint64_t>
tasks_by_state(const task_book_state& book);

/// Seconds the oldest queued task has been waiting since its submission
/// (0 when none is queued).
double oldest_queued_seconds(const task_book_state& book, time_point now);

/// Counts the results after `cursor` into `into` by (state, reason name;
/// "NONE" without a reason); returns the new cursor.
std::uint64_t count_results(
  const task_book_state& book, std::uint64_t cursor,
  std::map<std::pair<std::string, std::string>, std::uint64_t>& into);

} // namespace outrigger::scheduling
