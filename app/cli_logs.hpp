#pragma once
// `outrigger logs ID [--stderr] [--attempt N] [--follow] [--tail N]`:
// a task's output from GET /v1/tasks/{id}/logs, written to stdout byte for
// byte; and the stderr tails `outrigger wait --logs` prints.

#include "app/cli_support.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace outrigger::app {

/// Options of `logs`.
struct logs_settings {
  std::uint64_t id = 0;
  bool stderr_stream = false;
  std::uint32_t attempt = 0; ///< 0: the latest
  bool follow = false;
  std::optional<std::uint64_t> tail; ///< the last N lines
};

/// Prints the output; 0 on success, 1 when refused, 2 when unreachable.
int print_logs(const client_settings& c, const logs_settings& s);

/// Prints the stderr tail of each task among `ids` (every result when
/// empty) that did not finish; always 0.
int print_failed_tails(const client_settings& c,
                       const std::vector<std::uint64_t>& ids);

/// Adds the `logs` subcommand.
void add_logs_command(CLI::App& app, std::function<int()>& run,
                      const std::shared_ptr<client_settings>& cs);

} // namespace outrigger::app
