#pragma once
// The pieces of the client subcommands (cli.cpp): where the API is, one
// call with its error printing, output lines, the submission body from
// flags, and waiting for tasks to end.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <iosfwd>
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

/// The bearer token: the --api-token-file's first line, else
/// $OUTRIGGER_API_TOKEN, else "".
std::string token_of(const client_settings& c);

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

/// The submission body: `spec` (from --file, or empty) patched by the flags
/// of `s` (command, key, resources...); a random key when none is given.
/// Throws std::invalid_argument naming the bad flag.
nlohmann::json patched_spec(nlohmann::json spec, const submit_settings& s);

/// A fresh idempotency key ("cli-" and 16 hex digits).
std::string random_key();

/// The specs of `submit --file`: NDJSON (one spec per line; blank lines
/// skipped) or a single JSON object; "-" reads stdin. Each is patched by the
/// flags. Throws std::invalid_argument naming the line that is wrong, so
/// that nothing is submitted from a broken file.
std::vector<nlohmann::json> specs_of_file(const submit_settings& s,
                                          std::istream& stdin_stream);

/// Submits `specs` in batches of up to `batch` (POST {"tasks": [...]}) and
/// prints one line per task (its task, or its error on stderr). 0 when all
/// were accepted, 1 when one was refused, 2 when the API is unreachable
/// (what was not sent is said).
int submit_batches(const client_settings& c,
                   const std::vector<nlohmann::json>& specs, std::size_t batch);

/// Waits until the tasks `ids` (all when empty) have ended and prints them
/// (or every result); 0 when all FINISHED, 3 when one did not, 2 on timeout
/// or when the API is unreachable.
int wait_for(const client_settings& c, std::vector<std::uint64_t> ids,
             int timeout);

} // namespace outrigger::app
