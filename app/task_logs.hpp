#pragma once
// Task output through the API: GET /v1/tasks/{id}/logs (a page of an
// attempt's stdout or stderr, optionally long-polling for more) and GET
// /v1/tasks/{id}/files/{path} (any sandbox file, or a directory listing),
// read from the agent's /files endpoints (docs/api.yaml). Also the actor
// that fetches stderr tails for the task book's results.
//
// The sandbox is found from the attempt's agent address (kept from the
// offer), the framework id and the executor id: the agent's virtual path
// `/frameworks/<fw>/executors/<executor>/runs/latest` (attached by every
// Mesos agent, src/slave/slave.cpp; each attempt has its own task id, so
// `latest` is that attempt's run).

#include "actors/messages.hpp"
#include "app/api.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace outrigger::app {

class sandbox_reader;

/// Largest `length` of one logs request (larger: 400).
constexpr std::int64_t max_log_page = 1 << 20;

/// The agent path of a file in attempt `where`'s sandbox ("stdout",
/// "stderr", "sub/dir/file"; "" for the sandbox directory itself).
std::string sandbox_path(const sandbox_ref& where, const std::string& file);

/// GET /v1/tasks/{id}/logs.
void task_logs(const std::shared_ptr<const api_context>& c, http_request& req,
               std::uint64_t id, const responder& done);

/// GET /v1/tasks/{id}/files/{path}.
void task_files(const std::shared_ptr<const api_context>& c, http_request& req,
                std::uint64_t id, const responder& done);

/// Spawns the actor that reads the last `bytes` of stderr for the book (0:
/// it answers "" at once).
stderr_tail_actor spawn_tail_fetcher(caf::actor_system& sys,
                                     std::shared_ptr<sandbox_reader> reader,
                                     std::shared_ptr<service_metrics> metrics,
                                     std::size_t bytes);

} // namespace outrigger::app
