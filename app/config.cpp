#include "app/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace outrigger::app {

namespace {

// Adds `--name` with the environment variable OUTRIGGER_NAME.
template <class T>
CLI::Option* opt(CLI::App& cmd, const std::string& name, T& value,
                 const std::string& help) {
  std::string env = "OUTRIGGER_";
  for (char c : name)
    env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return cmd.add_option("--" + name, value, help)
    ->envname(env)
    ->capture_default_str();
}

CLI::Option* flag(CLI::App& cmd, const std::string& name, bool& value,
                  const std::string& help) {
  std::string env = "OUTRIGGER_";
  for (char c : name)
    env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return cmd.add_flag("--" + name, value, help)->envname(env);
}

} // namespace

void add_serve_options(CLI::App& cmd, serve_settings& s) {
  // The file itself is read by with_config_file() before parsing.
  cmd
    .add_option("--config", s.config_file,
                "config file: `name = value` lines (TOML subset)")
    ->envname("OUTRIGGER_CONFIG");
  auto cluster = std::string{"Cluster"};
  opt(cmd, "master", s.master,
      "masters: host:port list, http(s):// URLs or zk://hosts/path")
    ->group(cluster);
  flag(cmd, "dev", s.dev,
       "run an embedded simulated master with exec agents on loopback")
    ->group(cluster);
  opt(cmd, "dev-agents", s.dev_agents, "agents of the --dev cluster")
    ->group(cluster);
  opt(cmd, "framework-name", s.framework_name, "FrameworkInfo.name")
    ->group(cluster);
  opt(cmd, "user", s.user, "FrameworkInfo.user (default: current user)")
    ->group(cluster);
  opt(cmd, "roles", s.roles, "roles to subscribe with")
    ->delimiter(',')
    ->group(cluster);
  opt(cmd, "failover-timeout", s.failover_timeout,
      "seconds the master keeps tasks while outrigger is away")
    ->group(cluster);
  opt(cmd, "on-removed", s.on_removed,
      "when the master removed the framework: new (subscribe anew) or stop")
    ->check(CLI::IsMember({"new", "stop"}))
    ->group(cluster);
  opt(cmd, "credentials-file", s.credentials_file,
      "Mesos principal and secret (else OUTRIGGER_MESOS_PRINCIPAL/_SECRET)")
    ->group(cluster);
  flag(cmd, "https", s.https, "https for masters written without a scheme")
    ->group(cluster);
  opt(cmd, "tls-ca-file", s.tls_ca_file, "PEM file of trusted CAs")
    ->group(cluster);
  flag(cmd, "tls-insecure", s.tls_insecure,
       "do not verify the master's certificate (logged)")
    ->group(cluster);
  opt(cmd, "zk-credentials-file", s.zk_credentials_file,
      "ZooKeeper digest credentials (user password)")
    ->group(cluster);
  opt(cmd, "master-outage-timeout", s.master_outage_timeout,
      "seconds without a subscription before exiting with status 3 (0: "
      "never)")
    ->group(cluster);
  opt(cmd, "max-reconnect", s.max_reconnect,
      "deprecated: failed attempts against one leader before exiting with "
      "status 3 (0: no limit)")
    ->group(cluster);
  opt(cmd, "backoff-min", s.backoff_min, "first reconnect delay, seconds")
    ->group(cluster);
  opt(cmd, "backoff-max", s.backoff_max, "longest reconnect delay, seconds")
    ->group(cluster);
  opt(cmd, "max-missed-heartbeats", s.max_missed_heartbeats,
      "silent heartbeat periods before the stream is replaced")
    ->group(cluster);

  auto ha = std::string{"High availability"};
  opt(cmd, "ha", s.ha,
      "zk://host:port[,host:port]/path: run as one of several replicas; "
      "the leader is elected and the state kept in ZooKeeper")
    ->group(ha);
  opt(cmd, "ha-session-timeout", s.ha_session_timeout,
      "ZooKeeper session timeout of --ha, seconds (a dead leader is "
      "replaced after about this long)")
    ->group(ha);

  auto sched = std::string{"Scheduling"};
  opt(cmd, "data-dir", s.data_dir,
      "journal directory (framework id, tasks, results)")
    ->group(sched);
  opt(cmd, "strategy", s.strategy, "placement: first-fit (pack) or spread")
    ->check(CLI::IsMember({"first-fit", "spread"}))
    ->group(sched);
  opt(cmd, "refuse-seconds", s.refuse_seconds, "filter sent with declines")
    ->group(sched);
  opt(cmd, "offer-hold-seconds", s.offer_hold_seconds,
      "an unused offer is declined after this")
    ->group(sched);
  opt(cmd, "max-tasks-per-offer", s.max_tasks_per_offer, "0: no limit")
    ->group(sched);
  opt(cmd, "max-launches-per-pass", s.max_launches_per_pass, "0: no limit")
    ->group(sched);
  opt(cmd, "default-cpus", s.default_cpus, "cpus of a task that names none")
    ->group(sched);
  opt(cmd, "default-mem", s.default_mem, "mem (MiB) of a task that names none")
    ->group(sched);
  opt(cmd, "default-disk", s.default_disk, "disk (MiB) of a task")
    ->group(sched);
  opt(cmd, "default-max-attempts", s.default_max_attempts,
      "attempts of a task without a retry policy")
    ->group(sched);
  opt(cmd, "default-role", s.default_role, "role of a task that names none")
    ->group(sched);
  opt(cmd, "max-results", s.max_results, "results kept for readers")
    ->group(sched);
  opt(cmd, "result-stderr-tail-bytes", s.result_stderr_tail_bytes,
      "stderr bytes fetched into unsuccessful results (0: off)")
    ->group(sched);
  opt(cmd, "max-terminal-tasks", s.max_terminal_tasks,
      "finished tasks kept for queries and key idempotency")
    ->group(sched);
  opt(cmd, "reconcile-batch", s.reconcile_batch,
      "tasks per explicit RECONCILE call")
    ->group(sched);
  opt(cmd, "reconcile-interval", s.reconcile_interval,
      "seconds between implicit reconciliations")
    ->group(sched);
  opt(cmd, "fsync", s.fsync, "fsync the journal on commit (true/false)")
    ->group(sched);

  auto api = std::string{"API"};
  opt(cmd, "listen", s.listen, "address:port of the HTTP API")->group(api);
  opt(cmd, "api-token-file", s.api_token_file,
      "one admin bearer token (else OUTRIGGER_API_TOKEN)")
    ->group(api);
  opt(cmd, "api-tokens-file", s.api_tokens_file,
      "named tokens, one `name scope token` line each (read|submit|admin)")
    ->group(api);
  flag(cmd, "allow-unauthenticated", s.allow_unauthenticated,
       "serve without a token on a non-loopback address (warned)")
    ->group(api);
  flag(cmd, "protect-reads", s.protect_reads,
       "require a token (scope read) for GET requests too")
    ->group(api);
  opt(cmd, "audit-log", s.audit_log,
      "audit trail of mutating requests, JSON lines (default: the log)")
    ->group(api);
  opt(cmd, "tls-cert", s.tls_cert, "PEM certificate chain: serve HTTPS")
    ->group(api);
  opt(cmd, "tls-key", s.tls_key, "PEM private key of --tls-cert")->group(api);
  opt(cmd, "tls-client-ca", s.tls_client_ca,
      "PEM CAs of client certificates: mutual TLS")
    ->group(api);
  opt(cmd, "advertise-url", s.advertise_url,
      "URL users reach the API and dashboard at (FrameworkInfo.webui_url)")
    ->group(api);
  opt(cmd, "max-body-bytes", s.max_body_bytes, "largest request body")
    ->group(api);
  opt(cmd, "max-connections", s.max_connections, "open API connections")
    ->group(api);
  opt(cmd, "max-requests-per-second", s.max_requests_per_second,
      "API requests per second (token bucket); more get 429")
    ->group(api);

  auto proc = std::string{"Process"};
  opt(cmd, "log-level", s.log_level, "debug, info, warn, error")
    ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
    ->group(proc);
  opt(cmd, "log-format", s.log_format, "text or json (JSON lines)")
    ->check(CLI::IsMember({"text", "json"}))
    ->group(proc);
  opt(cmd, "shutdown-timeout", s.shutdown_timeout,
      "seconds SIGTERM may take before the process exits anyway")
    ->group(proc);
}

namespace {

std::string trim(const std::string& text) {
  auto b = text.find_first_not_of(" \t\r");
  auto e = text.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : text.substr(b, e - b + 1);
}

// A TOML value as command-line text: "str" → str, [a, b] → a,b.
std::optional<std::string> value_text(const std::string& raw) {
  auto v = trim(raw);
  if (v.empty())
    return std::nullopt;
  if (v.front() == '"' || v.front() == '\'') {
    auto close = v.find(v.front(), 1);
    if (close == std::string::npos)
      return std::nullopt;
    auto rest = trim(v.substr(close + 1));
    if (!rest.empty() && rest.front() != '#')
      return std::nullopt;
    return v.substr(1, close - 1);
  }
  if (v.front() == '[') {
    auto close = v.find(']');
    if (close == std::string::npos)
      return std::nullopt;
    std::string out;
    std::stringstream items{v.substr(1, close - 1)};
    std::string item;
    while (std::getline(items, item, ',')) {
      auto t = value_text(item);
      if (!t)
        return std::nullopt;
      out += (out.empty() ? "" : ",") + *t;
    }
    return out;
  }
  auto hash = v.find('#');
  return trim(v.substr(0, hash));
}

} // namespace

std::string with_config_file(CLI::App& serve, std::vector<std::string>& args) {
  auto at = std::find(args.begin(), args.end(), serve.get_name());
  if (at == args.end())
    return {};
  std::string path;
  for (auto i = at; i != args.end(); ++i) {
    if (*i == "--config" && i + 1 != args.end())
      path = *(i + 1);
    else if (i->rfind("--config=", 0) == 0)
      path = i->substr(9);
  }
  if (path.empty())
    if (auto* env = std::getenv("OUTRIGGER_CONFIG"))
      path = env;
  if (path.empty())
    return {};
  std::ifstream in{path};
  if (!in)
    return "--config: cannot read " + path;
  std::stringstream text;
  text << in.rdbuf();
  return apply_config_text(serve, text.str(), path, args);
}

std::string apply_config_text(CLI::App& serve, const std::string& text,
                              const std::string& path,
                              std::vector<std::string>& args) {
  auto at = std::find(args.begin(), args.end(), serve.get_name());
  if (at == args.end())
    return {};
  std::istringstream in{text};
  std::string line;
  int n = 0;
  std::vector<std::string> extra;
  while (std::getline(in, line)) {
    ++n;
    auto t = trim(line);
    if (t.empty() || t.front() == '#' || t == "[serve]")
      continue;
    auto where = path + " line " + std::to_string(n) + ": ";
    auto eq = t.find('=');
    if (eq == std::string::npos)
      return "--config: " + where + "expected name = value";
    auto name = trim(t.substr(0, eq));
    std::replace(name.begin(), name.end(), '_', '-');
    auto value = value_text(t.substr(eq + 1));
    if (!value)
      return "--config: " + where + "bad value for " + name;
    auto* opt = serve.get_option_no_throw("--" + name);
    if (!opt || name == "config")
      return "--config: " + where + "unknown setting \"" + name + "\"";
    // Precedence: flags, then OUTRIGGER_* variables, then the file.
    bool flagged = std::any_of(at, args.end(), [&](const std::string& a) {
      return a == "--" + name || a.rfind("--" + name + "=", 0) == 0;
    });
    auto env = opt->get_envname();
    if (flagged || (!env.empty() && std::getenv(env.c_str())))
      continue;
    extra.push_back("--" + name + "=" + *value);
  }
  // After the subcommand's own arguments, before a "--" if there is one.
  auto dashes = std::find(at, args.end(), std::string{"--"});
  args.insert(dashes, extra.begin(), extra.end());
  return {};
}

std::optional<std::pair<std::string, std::uint16_t>>
listen_endpoint(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return std::nullopt;
  auto host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto port = std::stoul(digits);
  if (port > 65535)
    return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1")
    return true;
  // 127.0.0.0/8 in dotted form.
  return host.rfind("127.", 0) == 0 &&
         host.find_first_not_of("0123456789.") == std::string::npos;
}

std::optional<std::string> advertised_host(const std::string& url) {
  std::string rest;
  for (auto scheme : {"http://", "https://"})
    if (url.rfind(scheme, 0) == 0)
      rest = url.substr(std::string{scheme}.size());
  if (rest.empty())
    return std::nullopt;
  for (char c : url)
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(c))
      return std::nullopt;
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string::npos)
    return std::nullopt; // no credentials in an advertised address
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos)
      return std::nullopt;
    host = authority.substr(1, close - 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  if (host.empty())
    return std::nullopt;
  return host;
}

std::string validate(const serve_settings& s) {
  if (!s.advertise_url.empty() && !advertised_host(s.advertise_url))
    return "--advertise-url: \"" + s.advertise_url +
           "\" is not an http(s)://host[:port][/path] URL";
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!s.dev && s.master.empty())
    return "--master: required (or --dev)";
  if (s.roles.empty())
    return "--roles: at least one role";
  if (!positive(s.failover_timeout))
    return "--failover-timeout: must be > 0 seconds";
  if (!(s.master_outage_timeout >= 0) ||
      !std::isfinite(s.master_outage_timeout))
    return "--master-outage-timeout: must be >= 0 seconds";
  if (!positive(s.backoff_min))
    return "--backoff-min: must be > 0 seconds";
  if (!(s.backoff_max >= s.backoff_min))
    return "--backoff-max: must be >= --backoff-min";
  if (s.max_missed_heartbeats == 0)
    return "--max-missed-heartbeats: must be >= 1";
  if (!s.ha.empty()) {
    if (!s.ha.starts_with("zk://") || s.ha.find('/', 5) == std::string::npos)
      return "--ha: expected zk://host:port[,host:port]/path, got \"" + s.ha +
             "\"";
    if (s.dev)
      return "--ha and --dev: the --dev cluster belongs to one process; "
             "run outrigger-sim for replicas to share";
    if (s.advertise_url.empty())
      return "--advertise-url: required with --ha (standbys forward "
             "requests to the leader at its advertised URL)";
    if (!(s.ha_session_timeout >= 1 && s.ha_session_timeout <= 600))
      return "--ha-session-timeout: must be 1..600 seconds";
  }
  if (s.data_dir.empty() && !s.dev && s.ha.empty())
    return "--data-dir: required";
  if (!(s.refuse_seconds >= 0) || !std::isfinite(s.refuse_seconds))
    return "--refuse-seconds: must be >= 0";
  if (!positive(s.offer_hold_seconds))
    return "--offer-hold-seconds: must be > 0";
  if (!positive(s.default_cpus))
    return "--default-cpus: must be > 0";
  if (!positive(s.default_mem))
    return "--default-mem: must be > 0";
  if (std::find(s.roles.begin(), s.roles.end(), s.default_role) ==
      s.roles.end())
    return "--default-role: \"" + s.default_role +
           "\" is not one of --roles (its tasks would never get offers)";
  if (!(s.default_disk >= 0))
    return "--default-disk: must be >= 0";
  if (s.default_max_attempts == 0)
    return "--default-max-attempts: must be >= 1";
  if (s.max_results == 0)
    return "--max-results: must be >= 1";
  if (s.result_stderr_tail_bytes > 65536)
    return "--result-stderr-tail-bytes: at most 65536 (one agent read)";
  if (s.max_terminal_tasks == 0)
    return "--max-terminal-tasks: must be >= 1";
  if (s.reconcile_batch == 0)
    return "--reconcile-batch: must be >= 1";
  if (!positive(s.reconcile_interval))
    return "--reconcile-interval: must be > 0 seconds";
  if (!listen_endpoint(s.listen))
    return "--listen: expected address:port, got \"" + s.listen + "\"";
  if (s.tls_cert.empty() != s.tls_key.empty())
    return "--tls-cert and --tls-key: give both or neither";
  if (!s.tls_client_ca.empty() && s.tls_cert.empty())
    return "--tls-client-ca: needs --tls-cert and --tls-key";
  if (s.max_body_bytes < 1024)
    return "--max-body-bytes: must be >= 1024";
  if (s.max_connections == 0)
    return "--max-connections: must be >= 1";
  if (!positive(s.max_requests_per_second))
    return "--max-requests-per-second: must be > 0";
  if (!positive(s.shutdown_timeout))
    return "--shutdown-timeout: must be > 0 seconds";
  if (s.dev_agents == 0 || s.dev_agents > 64)
    return "--dev-agents: must be 1..64";
  return {};
}

} // namespace outrigger::app
