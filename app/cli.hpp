#pragma once
// The client subcommands of `outrigger` (submit, get, list, kill, results,
// wait, teardown): thin clients of the HTTP API for shells and scripts.
// They print JSON (or one line per item with --brief) and exit 0 on
// success, 1 when the API refused the request, 2 when it is unreachable or
// a waited-for task did not finish.

#include <CLI/CLI.hpp>

#include <functional>

namespace outrigger::app {

/// Adds the client subcommands to `app`; each sets `run` to its action
/// when it is the one selected.
void add_client_commands(CLI::App& app, std::function<int()>& run);

} // namespace outrigger::app
