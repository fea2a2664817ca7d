#pragma once
// The batch form of POST /v1/tasks: {"tasks": [spec, ...]}. Each spec is
// submitted in order, exactly as if it came alone (same validation, same
// key idempotency), and answered on its own; the caller commits the whole
// batch at once.

#include "scheduling/task_book/api_error.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>

namespace outrigger::scheduling {

/// True when an API body is the batch form (an object with "tasks").
bool is_batch_submission(const nlohmann::json& body);

/// The answer to a batch: {"tasks": [item, ...]} in submission order, each
/// item {"status": 201|200, "task": {"id", "key", "state"}} (created |
/// known key) or
/// {"status": 4xx, "error": {"code", "message", "field"}} with fields named
/// from the body ("tasks[3].resources.cpus").
struct batch_outcome {
  std::string json;
  std::size_t created = 0;  ///< new tasks
  std::size_t rejected = 0; ///< items answered with an error
};

/// Submits the specs of a batch body. An error of the body itself (not an
/// array, empty, more than the book's max_batch) rejects the whole batch
/// before anything is submitted.
api_result<batch_outcome> submit_batch(task_book_state& book,
                                       const nlohmann::json& body,
                                       time_point now, interned by = {});

} // namespace outrigger::scheduling
