// outrigger: the scheduler service (`serve`) and its command-line clients.
// See README.md and docs/configuration.md.

#include "app/cli.hpp"
#include "app/config.hpp"
#include "app/serve.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#ifndef OUTRIGGER_VERSION
#define OUTRIGGER_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"outrigger: a Mesos framework scheduler with an HTTP API",
               "outrigger"};
  app.require_subcommand(1);
  std::function<int()> run;

  outrigger::app::serve_settings settings;
  auto serve = app.add_subcommand("serve", "run the scheduler service");
  outrigger::app::add_serve_options(*serve, settings);
  serve->callback([&] {
    run = [&] {
      return outrigger::app::run_serve(settings, OUTRIGGER_VERSION);
    };
  });

  outrigger::app::add_client_commands(app, run);

  auto version = app.add_subcommand("version", "print the version");
  version->callback([&] {
    run = [] {
      std::cout << "outrigger " << OUTRIGGER_VERSION << "\n";
      return 0;
    };
  });

  std::vector<std::string> args(argv, argv + argc);
  if (auto problem = outrigger::app::with_config_file(*serve, args);
      !problem.empty()) {
    std::cerr << "outrigger: " << problem << "\n";
    return 4;
  }
  std::vector<char*> cargs;
  for (auto& a : args)
    cargs.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e);
    // Configuration errors stop the start with status 4 (not CLI11's 1xx).
    return e.get_exit_code() == 0 ? 0 : (code == 0 ? 0 : 4);
  }
  return run ? run() : 0;
}
