#pragma once
// Settings of `outrigger serve`: flags, OUTRIGGER_* environment variables
// and an optional config file (`--config`, `name = value` lines), in that
// order of precedence. Every setting is documented in
// docs/configuration.md with its default. Secrets (the Mesos principal and
// secret, the API token) only come from files or the environment.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace outrigger::app {

/// Everything `serve` can be told.
struct serve_settings {
  // -- the cluster --
  std::string master = "127.0.0.1:5050"; ///< list or zk://
  bool dev = false;           ///< embedded simulated master (exec agents)
  std::size_t dev_agents = 1; ///< agents of the --dev cluster
  std::string framework_name = "outrigger";
  std::string user;                        ///< default: the current user
  std::vector<std::string> roles = {"*"};  ///< roles subscribed
  double failover_timeout = 7 * 24 * 3600; ///< seconds
  std::string on_removed = "new";          ///< new | stop
  std::string credentials_file;            ///< principal + secret
  bool https = false;
  std::string tls_ca_file;
  bool tls_insecure = false;
  std::string zk_credentials_file; ///< ZooKeeper digest user:password
  /// Seconds without a subscription before exiting with status 3; 0: never.
  double master_outage_timeout = 180;
  /// Deprecated: consecutive failed attempts against one leader before
  /// exiting with status 3; 0 (default): no count limit.
  unsigned max_reconnect = 0;
  double backoff_min = 1;  ///< seconds
  double backoff_max = 60; ///< seconds
  unsigned max_missed_heartbeats = 3;
  // -- high availability --
  /// zk://hosts/path: replicas elect a leader there and keep the state
  /// there (instead of --data-dir); empty: one process, journal on disk.
  std::string ha;
  double ha_session_timeout = 10; ///< ZooKeeper session timeout, seconds
  // -- scheduling --
  std::string data_dir = "/var/lib/outrigger";
  std::string strategy = "first-fit"; ///< first-fit | spread
  double refuse_seconds = 5;
  double offer_hold_seconds = 2;
  std::uint32_t max_tasks_per_offer = 0;
  std::uint32_t max_launches_per_pass = 0;
  double default_cpus = 1;
  double default_mem = 256;
  double default_disk = 0;
  std::uint16_t default_max_attempts = 3;
  std::string default_role = "*";
  std::size_t max_results = 100'000;
  /// Bytes of stderr kept with results that did not succeed (0: none).
  std::size_t result_stderr_tail_bytes = 4096;
  std::size_t max_terminal_tasks = 200'000;
  std::size_t reconcile_batch = 1000;
  double reconcile_interval = 900; ///< implicit reconciliation, seconds
  bool fsync = true;
  // -- the API --
  std::string listen = "127.0.0.1:8080";
  std::string api_token_file;         ///< one admin bearer token
  std::string api_tokens_file;        ///< `name scope token` lines
  bool allow_unauthenticated = false; ///< no token off loopback (warned)
  bool protect_reads = false;         ///< a token is needed for GETs too
  std::string audit_log;              ///< audit trail file; empty: the log
  std::string tls_cert;               ///< the API speaks HTTPS with this chain
  std::string tls_key;
  std::string tls_client_ca; ///< mutual TLS: clients need a cert
  /// The URL users reach the service at (FrameworkInfo.webui_url and
  /// hostname); empty: not advertised.
  std::string advertise_url;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_connections = 256;
  double max_requests_per_second = 20000;
  // -- the process --
  std::string log_level = "info";
  std::string log_format = "text"; ///< text | json
  double shutdown_timeout = 10;    ///< seconds
  std::string config_file;         ///< read by with_config_file()
};

/// Adds the `serve` options (with their OUTRIGGER_* variables) to `cmd`.
void add_serve_options(CLI::App& cmd, serve_settings& s);

/// Appends the settings of the config file (`--config FILE` after the
/// subcommand, or OUTRIGGER_CONFIG) to `args` as `--name=value` for every
/// setting not given by flag or environment. Returns an error naming the
/// file and line ("unknown setting", "bad value"), empty when fine.
std::string with_config_file(CLI::App& serve, std::vector<std::string>& args);

/// The lines of a config file (`text`, read from `path`, which only names it
/// in messages) applied to `args` as with_config_file() does: the settings
/// become `--name=value` arguments after `serve`'s own. "" or an error naming
/// the line.
std::string apply_config_text(CLI::App& serve, const std::string& text,
                              const std::string& path,
                              std::vector<std::string>& args);

/// The address and port of a `--listen` value ("127.0.0.1:8080",
/// "[::1]:8080"); nullopt when it is not address:port.
std::optional<std::pair<std::string, std::uint16_t>>
listen_endpoint(const std::string& listen);

/// True when `host` (of --listen) is a loopback address: 127.0.0.0/8, ::1
/// or "localhost".
bool is_loopback(const std::string& host);
/// The host of an --advertise-url value ("https://sched.example.com:8443/"
/// gives "sched.example.com"); nullopt unless it is an absolute http(s)
/// URL with a host and without whitespace.
std::optional<std::string> advertised_host(const std::string& url);

/// Checks the settings that CLI11 cannot (ranges, combinations); the
/// message names the setting ("--backoff-max: must be >= --backoff-min").
/// Empty when valid.
std::string validate(const serve_settings& s);

} // namespace outrigger::app
