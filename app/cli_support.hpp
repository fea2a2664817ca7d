#pragma once
// The pieces of the client subcommands (cli.cpp): where the API is, one
// call with its error printing, output lines, the submission body from
// flags, and waiting for tasks to end.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outrigger::app {

/// Where the API is and how to authenticate.
struct client_settings {
  std::string api = "http://127.0.0.1:8080";
  std::string token_file;
  int timeout = 30;
  bool brief = false;
};

/// Adds --api, --api-token-file and --timeout to `cmd`.
void add_client_options(CLI::App& cmd, client_settings& c);

/// Calls the API; prints an error (and sets `status` to 1 for a refusal,
/// 2 when unreachable) or returns the parsed body.
std::optional<nlohmann::json> call(const client_settings& c,
                                   const std::string& method,
                                   const std::string& target,
                                   const std::string& body, int& status,
                                   int extra_seconds = 0);

/// "id<TAB>key<TAB>STATE[<TAB>pending reason]".
std::string task_line(const nlohmann::json& t);

/// "id<TAB>key<TAB>STATE[<TAB>exit=N][<TAB>message]".
std::string result_line(const nlohmann::json& r);

/// Prints `j` as indented JSON, or as one line with --brief.
void print(const client_settings& c, const nlohmann::json& j,
           std::string (*line)(const nlohmann::json&));

/// Options of `submit`.
struct submit_settings {
  std::string key, shell, file, image, role, queue, user;
  bool docker = false;
  std::optional<double> cpus, mem, disk, gpus;
  std::optional<unsigned> ports, max_attempts;
  std::optional<int> priority;
  std::vector<std::string> env, labels, constraints, argv;
};

/// The submission body (--file patched by the flags; a random key when none
/// is given). Throws std::invalid_argument naming the bad flag.
nlohmann::json spec_of(const submit_settings& s);

/// Waits until the tasks `ids` (all when empty) have ended and prints them
/// (or every result); 0 when all FINISHED, 3 when one did not, 2 on timeout
/// or when the API is unreachable.
int wait_for(const client_settings& c, std::vector<std::uint64_t> ids,
             int timeout);

} // namespace outrigger::app
