#include "sim/sandbox.hpp"

#include <cstdio>
#include <map>
#include <random>

extern char** environ;

namespace outrigger::sim {

bool path_safe(std::string_view id) {
  return !id.empty() && id != "." && id != ".." &&
         id.find_first_of("/\\") == std::string_view::npos;
}

std::filesystem::path task_runs_dir(const std::filesystem::path& work_dir,
                                    const std::string& agent,
                                    const std::string& framework,
                                    const std::string& task) {
  return work_dir / "slaves" / agent / "frameworks" / framework / "executors" /
         task / "runs";
}

namespace {

// A random UUID-shaped name, like the agent's container ids.
std::string run_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  auto a = rng(), b = rng();
  char buf[40];
  std::snprintf(
    buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
    static_cast<unsigned>(a >> 32), static_cast<unsigned>(a >> 16) & 0xffff,
    static_cast<unsigned>(a) & 0xffff, static_cast<unsigned>(b >> 48),
    static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

} // namespace

std::filesystem::path create_run_dir(const std::filesystem::path& runs,
                                     std::error_code& ec) {
  auto run = runs / run_id();
  std::filesystem::create_directories(run, ec);
  if (!ec) {
    // A relaunch of the same task id gets a new run; `latest` follows it.
    std::filesystem::remove(runs / "latest", ec);
    std::filesystem::create_directory_symlink(run.filename(), runs / "latest",
                                              ec);
  }
  return ec ? std::filesystem::path{} : run;
}

std::vector<std::string>
task_environment(bool inherit, const std::string& agent,
                 const std::string& framework, const std::string& task,
                 const protocol::CommandInfo& command,
                 const std::filesystem::path& sandbox) {
  std::map<std::string, std::string> env;
  if (inherit)
    for (char** e = environ; e && *e; ++e) {
      std::string_view entry{*e};
      auto eq = entry.find('=');
      if (eq != std::string_view::npos && eq > 0)
        env[std::string{entry.substr(0, eq)}] = entry.substr(eq + 1);
    }
  env["MESOS_SANDBOX"] = sandbox.string();
  env["MESOS_DIRECTORY"] = sandbox.string();
  env["MESOS_TASK_ID"] = task;
  env["MESOS_EXECUTOR_ID"] = task; // the command executor's id is the task's
  env["MESOS_AGENT_ID"] = agent;
  env["MESOS_SLAVE_ID"] = agent;
  env["MESOS_FRAMEWORK_ID"] = framework;
  if (command.environment)
    for (auto& var : command.environment->variables) {
      bool plain = !var.type || *var.type == protocol::env_variable_type::value;
      if (plain && var.value)
        env[var.name] = *var.value;
    }
  std::vector<std::string> out;
  out.reserve(env.size());
  for (auto& [name, value] : env)
    out.push_back(name + "=" + value);
  return out;
}

} // namespace outrigger::sim
