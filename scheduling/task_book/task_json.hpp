#pragma once
// The JSON views of tasks and results that the API serves (GET /v1/tasks,
// /v1/results). Times are RFC 3339 in UTC with milliseconds; a time that
// never happened is left out.

#include "scheduling/task_book/task.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace outrigger::scheduling {

/// "2026-11-22T10:04:05.123Z".
std::string rfc3339(time_point t);

/// A task with its spec, state, attempts and (when queued) why it is still
/// pending.
nlohmann::json task_to_json(const task_record& task,
                            std::string_view pending_reason = {});

/// One entry of the results log.
nlohmann::json result_to_json(const task_result& result);

} // namespace outrigger::scheduling
