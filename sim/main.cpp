// outrigger-sim: a simulated Mesos cluster (masters, agents, optional
// ZooKeeper election) speaking the v1 scheduler API on loopback ports, with
// an admin API for faults. See docs/simulator.md.
//
// On start it prints one line per master, then the admin URL, then "ready":
//   outrigger-sim: master 1 listening on http://127.0.0.1:5050 (leader)
//   outrigger-sim: master 2 listening on http://127.0.0.1:5051 (standby)
//   outrigger-sim: admin listening on http://127.0.0.1:41234
//   outrigger-sim: ready
// SIGTERM or SIGINT stops it: connections close, exec tasks are killed.

#include "sim/cluster.hpp"
#include "sim/credentials.hpp"
#include "sim/machine.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <pthread.h>

namespace {

using namespace outrigger;
using std::chrono::milliseconds;

milliseconds seconds_to_ms(double s) {
  return milliseconds(static_cast<std::int64_t>(s * 1000.0 + 0.5));
}

// "1000" or "500-3000" (milliseconds) → [min, max].
std::pair<milliseconds, milliseconds>
parse_duration_range(const std::string& s) {
  auto dash = s.find('-');
  try {
    std::size_t used = 0;
    auto lo = std::stoll(s.substr(0, dash), &used);
    if (used != s.substr(0, dash).size() || lo < 0)
      throw std::invalid_argument(s);
    auto hi = lo;
    if (dash != std::string::npos) {
      auto rest = s.substr(dash + 1);
      hi = std::stoll(rest, &used);
      if (used != rest.size() || hi < lo)
        throw std::invalid_argument(s);
    }
    return {milliseconds(lo), milliseconds(hi)};
  } catch (const std::exception&) {
    throw std::invalid_argument(
      "expected MS or MIN-MAX in milliseconds, got '" + s + "'");
  }
}

struct settings {
  std::size_t masters = 1;
  std::string address = "127.0.0.1";
  std::string hostname = "localhost";
  int port = 5050;
  std::vector<int> ports;
  std::string zk;
  double zk_session_timeout = 10;
  std::size_t agents = 1;
  std::string resources;
  std::string attributes;
  int agent_port = 0;
  bool no_agent_files = false;
  std::string mode = "synthetic";
  bool agents_from_cores = false;
  std::string synthetic_duration = "1000";
  double failure_rate = 0;
  std::uint64_t seed = 1;
  std::string work_dir;
  double heartbeat = 15;
  double allocation = 1;
  double reregistration = 1;
  double recovery = 0;
  std::string tls_cert, tls_key;
  std::string credentials;
  int admin_port = 0;
  std::string log_level = "info";
};

void add_options(CLI::App& app, settings& s) {
  app.add_option("--masters", s.masters, "Number of masters")
    ->check(CLI::Range(1, 64))
    ->capture_default_str();
  app.add_option("--address", s.address, "Address every server binds")
    ->capture_default_str();
  app
    .add_option("--hostname", s.hostname,
                "MasterInfo.hostname: the host of 307 Locations")
    ->capture_default_str();
  app
    .add_option("--port", s.port,
                "Port of master 1; master N gets port+N-1 (0: ephemeral)")
    ->check(CLI::Range(0, 65535))
    ->capture_default_str();
  app.add_option("--ports", s.ports, "Ports of the masters, one each")
    ->delimiter(',')
    ->check(CLI::Range(0, 65535));
  app.add_option("--zk", s.zk,
                 "Elect the leader in ZooKeeper, e.g. "
                 "zk://127.0.0.1:2181/mesos (default: master 1 leads)");
  app
    .add_option("--zk-session-timeout", s.zk_session_timeout,
                "ZooKeeper session timeout, seconds")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--agents", s.agents, "Number of agents")
    ->check(CLI::Range(0, 100000))
    ->capture_default_str();
  app.add_option("--resources", s.resources,
                 "Agent resources in mesos-agent syntax, e.g. "
                 "'cpus:4;mem:8192;disk:10000;ports:[31000-32000]' (default: "
                 "this machine's for exec agents, cpus:2;mem:2048;disk:4096;"
                 "ports:[31000-32000] for synthetic ones)");
  app.add_option("--attributes", s.attributes,
                 "Agent attributes, e.g. 'rack:r1;zone:a'");
  app
    .add_option("--agent-port", s.agent_port,
                "Port the first agent listens on (its /files/* endpoints) and "
                "reports; agent N gets port+N-1 (0: ephemeral ports)")
    ->check(CLI::Range(0, 65535))
    ->capture_default_str();
  app.add_flag("--no-agent-files", s.no_agent_files,
               "Agents serve no /files/* endpoints: their ports are only "
               "numbers in offers (cheaper with thousands of agents)");
  app
    .add_option("--mode", s.mode,
                "exec: tasks run as local processes; synthetic: they only "
                "pretend, on the simulated clock")
    ->check(CLI::IsMember({"exec", "synthetic"}))
    ->capture_default_str();
  app.add_flag("--agents-from-cores", s.agents_from_cores,
               "Size agents to this machine (the default for exec agents "
               "without --resources)");
  app
    .add_option("--synthetic-duration", s.synthetic_duration,
                "Synthetic task run time in ms: MS or MIN-MAX")
    ->check([](const std::string& v) {
      try {
        parse_duration_range(v);
        return std::string{};
      } catch (const std::exception& e) {
        return std::string{e.what()};
      }
    })
    ->capture_default_str();
  app
    .add_option("--synthetic-failure-rate", s.failure_rate,
                "Probability that a synthetic task ends TASK_FAILED")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  app.add_option("--seed", s.seed, "Seed of every random choice")
    ->capture_default_str();
  app.add_option("--work-dir", s.work_dir,
                 "Sandboxes of exec tasks (default: a temporary directory, "
                 "removed at exit)");
  app
    .add_option("--heartbeat-interval", s.heartbeat,
                "Seconds between HEARTBEATs (Mesos: 15, fixed)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app
    .add_option("--allocation-interval", s.allocation,
                "Seconds between allocation runs (--allocation_interval)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app
    .add_option("--agent-reregistration-delay", s.reregistration,
                "Seconds agents take to re-register after a failover")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  app
    .add_option("--recovery-time", s.recovery,
                "Seconds a newly elected master answers 503 \"Master has "
                "not finished recovery\" (about 0.8 on a real cluster)")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  auto cert = app
                .add_option("--tls-cert", s.tls_cert,
                            "PEM certificate (chain): serve HTTPS")
                ->check(CLI::ExistingFile);
  auto key = app.add_option("--tls-key", s.tls_key, "PEM private key")
               ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  app
    .add_option("--credentials", s.credentials,
                "Mesos --credentials JSON file; turns on HTTP basic "
                "authentication of frameworks (--authenticate_http_"
                "frameworks)")
    ->check(CLI::ExistingFile);
  app
    .add_option("--admin-port", s.admin_port,
                "Port of the admin API (/sim/...); 0: ephemeral, -1: none")
    ->check(CLI::Range(-1, 65535))
    ->capture_default_str();
  app
    .add_option("--log-level", s.log_level,
                "error: problems only; info: also masters starting, dying "
                "and leading; debug: also every request")
    ->check(CLI::IsMember({"error", "info", "debug"}))
    ->capture_default_str();
}

// Builds the cluster's options; throws CLI errors for bad combinations.
sim::cluster_options options_of(const settings& s,
                                const std::string& work_dir) {
  sim::cluster_options o;
  o.masters = s.masters;
  o.address = s.address;
  o.hostname = s.hostname;
  for (std::size_t i = 0; i < s.masters; ++i)
    o.ports.push_back(i < s.ports.size()
                        ? static_cast<std::uint16_t>(s.ports[i])
                        : static_cast<std::uint16_t>(
                            s.port == 0 ? 0 : s.port + static_cast<int>(i)));
  if (!s.zk.empty())
    o.zk = s.zk;
  o.zk_session_timeout = seconds_to_ms(s.zk_session_timeout);
  o.master.seed = s.seed;
  o.master.heartbeat_interval = seconds_to_ms(s.heartbeat);
  o.master.allocation_interval = seconds_to_ms(s.allocation);
  o.master.agent_reregistration_delay = seconds_to_ms(s.reregistration);
  o.recovery_time = seconds_to_ms(s.recovery);
  auto [lo, hi] = parse_duration_range(s.synthetic_duration);
  o.master.synthetic.min_duration = lo;
  o.master.synthetic.max_duration = hi;
  o.master.synthetic.failure_probability = s.failure_rate;
  o.master.synthetic.seed = s.seed;
  if (!s.credentials.empty()) {
    o.master.authenticate_http_frameworks = true;
    o.master.credentials = sim::read_credentials(s.credentials);
  }
  if (!s.tls_cert.empty())
    o.server.tls = sim::tls_files{s.tls_cert, s.tls_key};
  o.work_dir = work_dir;
  o.agent_http = !s.no_agent_files;
  if (s.admin_port >= 0)
    o.admin_port = static_cast<std::uint16_t>(s.admin_port);
  o.log_requests = s.log_level == "debug";
  return o;
}

std::mutex log_mutex;

void log_line(std::string_view line) {
  std::lock_guard lock{log_mutex};
  std::cerr << line << std::endl;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"outrigger-sim: a simulated Mesos master cluster speaking the "
               "v1 scheduler HTTP API, with agents and an admin API for "
               "faults (docs/simulator.md)",
               "outrigger-sim"};
  settings s;
  add_options(app, s);
  CLI11_PARSE(app, argc, argv);

  // SIGTERM and SIGINT are taken by sigwait below; every thread inherits the
  // mask (subprocesses get a clean one, sim/process.cpp).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  bool exec = s.mode == "exec";
  std::filesystem::path work_dir = s.work_dir;
  bool own_work_dir = false;
  try {
    if (work_dir.empty() && exec) {
      auto pattern =
        (std::filesystem::temp_directory_path() / "outrigger-sim-XXXXXX")
          .string();
      if (mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("cannot create a temporary work directory");
      work_dir = pattern;
      own_work_dir = true;
    }
    auto options = options_of(s, work_dir.string());
    options.log = [&](std::string_view line) {
      bool info = line.rfind("outrigger-sim: ", 0) == 0;
      if (s.log_level != "error" || !info)
        log_line(line);
    };

    std::optional<sim::cluster> cluster;
    cluster.emplace(std::move(options));
    if (!s.zk.empty() && !cluster->wait_for_leader(std::chrono::seconds(30)))
      log_line("outrigger-sim: no leader elected in ZooKeeper within 30 s");

    sim::agent_spec spec;
    spec.port = static_cast<std::uint16_t>(s.agent_port);
    spec.attributes = s.attributes;
    if (!s.resources.empty())
      spec.resources = s.resources;
    else if (exec || s.agents_from_cores)
      spec.resources = sim::machine_resources(work_dir);
    if (s.agents > 0)
      cluster->add_agents(s.agents, spec,
                          exec ? sim::agent_mode::exec
                               : sim::agent_mode::synthetic);

    auto leader = cluster->leader();
    for (std::size_t i = 0; i < cluster->size(); ++i)
      std::printf("outrigger-sim: master %zu listening on %s (%s)\n", i + 1,
                  cluster->url(i).c_str(), leader == i ? "leader" : "standby");
    if (auto admin = cluster->admin_port())
      std::printf("outrigger-sim: admin listening on %s://%s:%u\n",
                  s.tls_cert.empty() ? "http" : "https", s.address.c_str(),
                  static_cast<unsigned>(*admin));
    std::printf("outrigger-sim: ready (%zu %s agents: %s)\n", s.agents,
                s.mode.c_str(), spec.resources.c_str());
    std::fflush(stdout);

    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::printf("outrigger-sim: stopping (%s)\n",
                signal == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    cluster.reset(); // closes connections, kills exec tasks
  } catch (const std::exception& e) {
    log_line(std::string{"outrigger-sim: "} + e.what());
    if (own_work_dir) {
      std::error_code ec;
      std::filesystem::remove_all(work_dir, ec);
    }
    return 1;
  }
  if (own_work_dir) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir, ec);
  }
  return 0;
}
