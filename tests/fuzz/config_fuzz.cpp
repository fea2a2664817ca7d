// libFuzzer target for the config file of `outrigger serve` (`--config`):
// the text goes through apply_config_text (what with_config_file does after
// reading the file), then the resulting arguments through CLI11 with every
// serve option and their checks, then validate().
//
// For every input it checks that
//  - nothing but a CLI::ParseError escapes (main turns that into exit 4);
//  - a rejected file gets a message that names the file ("--config: ...");
//  - an accepted file only adds `--name=value` arguments after "serve".
// Run: see tests/fuzz/README.md.

#include "app/config.hpp"

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace outrigger::app;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "config_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The file is the only source: no OUTRIGGER_* variable may override it.
  for (auto* name : {"OUTRIGGER_CONFIG", "OUTRIGGER_MASTER", "OUTRIGGER_LISTEN",
                     "OUTRIGGER_DATA_DIR"})
    ::unsetenv(name);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  CLI::App app{"config_fuzz", "outrigger"};
  app.require_subcommand(1);
  serve_settings settings;
  auto* serve = app.add_subcommand("serve", "run the scheduler service");
  add_serve_options(*serve, settings);

  std::vector<std::string> args{"outrigger", "serve"};
  auto problem = apply_config_text(*serve, text, "fuzz.conf", args);
  if (!problem.empty()) {
    if (problem.rfind("--config: fuzz.conf line ", 0) != 0)
      fail("an error that does not name the file and line", problem);
    return 0;
  }
  for (std::size_t i = 2; i < args.size(); ++i)
    if (args[i].rfind("--", 0) != 0 || args[i].find('=') == std::string::npos)
      fail("an added argument is not --name=value", args[i]);

  std::vector<char*> cargs;
  for (auto& a : args)
    cargs.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError&) {
    return 0; // exit 4 with CLI11's message
  }
  (void)validate(settings);
  return 0;
}
