#pragma once
// The client subcommands of `outrigger` (submit, get, list, kill, results,
// wait, top, teardown, completion): thin clients of the HTTP API for people
// and scripts. On a terminal they print tables and summaries; on a pipe the
// API's JSON (or one line per item with --brief), as -o asks. Exit
// statuses: 0 success, 1 the API refused the request, 2 it is unreachable,
// 4 a usage or configuration error; `wait`: 0 all FINISHED, 3 one did not,
// 4 usage, configuration or connection (README "Exit statuses").

#include <CLI/CLI.hpp>

#include <functional>

namespace outrigger::app {

/// Adds the client subcommands to `app`; each sets `run` to its action
/// when it is the one selected.
void add_client_commands(CLI::App& app, std::function<int()>& run);

} // namespace outrigger::app
