#pragma once
// The pieces of the client subcommands (cli.cpp): where the API is, one
// call with its error printing, output lines, the submission body from
// flags, and waiting for tasks to end.

#include "app/http_client.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace outrigger::app {

/// Where the API is and how to authenticate, and how to print.
struct client_settings {
  /// The API, the request timeout (seconds) and the bearer token: set by
  /// resolve_client (cli_config.hpp) from the flags below, the
  /// environment and client.conf. The token is never printed.
  std::string api = "http://127.0.0.1:8080";
  int timeout = 30;
  std::string token;
  /// As given on the command line (empty / 0: not given).
  std::string api_flag, token_file_flag;
  int timeout_flag = 0;
  /// --brief, and -o (empty: automatic).
  bool brief = false;
  std::string output;
  std::string ca_file;     ///< --ca-file: CAs that sign an https:// API
  bool insecure = false;   ///< --insecure: no certificate check
  std::string client_cert; ///< --client-cert (mutual TLS)
  std::string client_key;  ///< --client-key
};

/// Adds --api, --token-file (alias --api-token-file), --timeout and the TLS
/// options (--ca-file, --insecure, --client-cert, --client-key) to `cmd`.
void add_client_options(CLI::App& cmd, client_settings& c);

/// The TLS settings of `c` for http_call.
client_tls tls_of(const client_settings& c);

/// Adds -o/--output (json|table|wide|ids|brief) to `cmd`.
void add_output_option(CLI::App& cmd, client_settings& c);

/// The action of a client command: resolves the settings (flags, the
/// environment, client.conf) and runs `body`; a configuration error is
/// printed and gives exit status 4.
std::function<int()> client_action(std::shared_ptr<client_settings> c,
                                   std::function<int()> body);

/// Prints why `r` failed (unreachable, or the API's error body) and
/// returns the exit status: 2 when unreachable, 1 when refused.
int report_failure(const client_response& r);

/// Sends one request with `c`'s API, token, timeout (plus `extra_seconds`)
/// and TLS settings; the response as it came, nothing printed.
client_response call_raw(const client_settings& c, const std::string& method,
                         const std::string& target,
                         const std::string& body = "", int extra_seconds = 0);

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

} // namespace outrigger::app
