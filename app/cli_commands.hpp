#pragma once
// The client subcommands, one adder per file (cli.cpp calls them all):
// each adds its subcommand to `app` and sets `run` when it is chosen.

#include "app/cli_output.hpp"
#include "app/cli_support.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>

namespace outrigger::app {

/// `list` and `results` (cli_read.cpp).
void add_read_commands(CLI::App& app, std::function<int()>& run,
                       std::shared_ptr<client_settings> cs);

/// `wait` (cli_wait.cpp).
void add_wait_command(CLI::App& app, std::function<int()>& run,
                      std::shared_ptr<client_settings> cs);

/// `top` (cli_top.cpp).
void add_top_command(CLI::App& app, std::function<int()>& run,
                     std::shared_ptr<client_settings> cs);

/// `completion bash|zsh|fish` (cli_completion.cpp): generated from `app`
/// when it runs, so every subcommand and option added by then is in it.
void add_completion_command(CLI::App& app, std::function<int()>& run);

/// The completion script for `shell` ("bash", "zsh" or "fish") of `app`.
std::string completion_script(const CLI::App& app, const std::string& shell);

/// Prints tasks in format `f` (not automatic): `doc` is what the API
/// answered (printed as is for json), `tasks` the tasks in it.
void print_tasks(const nlohmann::json& doc, const nlohmann::json& tasks,
                 output_format f);

} // namespace outrigger::app
