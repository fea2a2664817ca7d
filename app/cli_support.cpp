#include "app/cli_support.hpp"

#include "app/cli_config.hpp"
#include "app/cli_output.hpp"
#include "app/http_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace outrigger::app {

std::string random_key() {
  std::random_device rd;
  std::mt19937_64 gen{(static_cast<std::uint64_t>(rd()) << 32) ^ rd()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "cli-%016llx",
                static_cast<unsigned long long>(gen()));
  return buf;
}

namespace {

nlohmann::json pairs(const std::vector<std::string>& items) {
  nlohmann::json out = nlohmann::json::object();
  for (auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("expected NAME=VALUE, got \"" + item + "\"");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

} // namespace

client_tls tls_of(const client_settings& c) {
  return {c.ca_file, c.insecure, c.client_cert, c.client_key};
}

void add_client_options(CLI::App& cmd, client_settings& c) {
  // No envname here: resolve_client applies flag > environment > file.
  cmd.add_option("--api", c.api_flag,
                 "URL of the outrigger API (else OUTRIGGER_API, client.conf, "
                 "http://127.0.0.1:8080)");
  cmd.add_option("--token-file,--api-token-file", c.token_file_flag,
                 "bearer token file (else OUTRIGGER_TOKEN_FILE, "
                 "OUTRIGGER_TOKEN, client.conf)");
  cmd
    .add_option("--timeout", c.timeout_flag,
                "seconds to wait for the API (default 30)")
    ->check(CLI::PositiveNumber);
  cmd.add_option("--ca-file", c.ca_file, "PEM CAs to trust for an https API")
    ->envname("OUTRIGGER_CA_FILE");
  cmd.add_flag("--insecure", c.insecure,
               "do not verify the https API's certificate");
  cmd
    .add_option("--client-cert", c.client_cert,
                "PEM client certificate (mutual TLS)")
    ->envname("OUTRIGGER_CLIENT_CERT");
  cmd.add_option("--client-key", c.client_key, "PEM key of --client-cert")
    ->envname("OUTRIGGER_CLIENT_KEY");
}

void add_output_option(CLI::App& cmd, client_settings& c) {
  cmd
    .add_option("-o,--output", c.output,
                "json, table, wide, ids or brief (default: table on a "
                "terminal, JSON on a pipe)")
    ->check(CLI::IsMember(output_names()));
}

std::function<int()> client_action(std::shared_ptr<client_settings> c,
                                   std::function<int()> body) {
  return [c, body = std::move(body)] {
    auto problem =
      resolve_client(*c, [](const char* name) { return std::getenv(name); });
    if (!problem.empty()) {
      std::cerr << "outrigger: " << problem << "\n";
      return 4;
    }
    return body();
  };
}

int report_failure(const client_response& r) {
  if (r.status == 0) {
    std::cerr << "outrigger: " << r.error << "\n";
    return 2;
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_discarded() && j.contains("error"))
    std::cerr << "outrigger: " << r.status << " "
              << j["error"].value("code", "") << ": "
              << j["error"].value("message", "") << "\n";
  else
    std::cerr << "outrigger: HTTP " << r.status << ": " << r.body << "\n";
  return 1;
}

client_response call_raw(const client_settings& c, const std::string& method,
                         const std::string& target, const std::string& body,
                         int extra_seconds) {
  return http_call(c.api, method, target, body, c.token,
                   std::chrono::seconds{c.timeout + extra_seconds},
                   "application/json", tls_of(c));
}

// Calls the API; prints errors; returns the parsed body or nullopt.
std::optional<nlohmann::json> call(const client_settings& c,
                                   const std::string& method,
                                   const std::string& target,
                                   const std::string& body, int& status,
                                   int extra_seconds) {
  auto r = call_raw(c, method, target, body, extra_seconds);
  if (r.status == 0 || r.status >= 400) {
    status = report_failure(r);
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << "outrigger: the API answered something that is not JSON\n";
    status = 2;
    return std::nullopt;
  }
  return j;
}

std::string task_line(const nlohmann::json& t) {
  std::string line = std::to_string(t.value("id", 0)) + "\t" +
                     t.value("key", "") + "\t" + t.value("state", "");
  if (t.contains("pending_reason"))
    line += "\t" + t["pending_reason"].get<std::string>();
  return line;
}

std::string result_line(const nlohmann::json& r) {
  std::string line = std::to_string(r.value("id", 0)) + "\t" +
                     r.value("key", "") + "\t" + r.value("state", "");
  if (r.contains("exit_status"))
    line += "\texit=" + std::to_string(r["exit_status"].get<int>());
  if (!r.value("message", "").empty())
    line += "\t" + r["message"].get<std::string>();
  return line;
}

nlohmann::json patched_spec(nlohmann::json spec, const submit_settings& s) {
  if (!s.shell.empty())
    spec["command"] = s.shell;
  else if (!s.argv.empty())
    spec["command"] = s.argv;
  if (!spec.contains("command"))
    throw std::invalid_argument(
      "no command: give it after --, with --shell or in --file");
  if (!s.key.empty())
    spec["key"] = s.key;
  else if (!spec.contains("key"))
    spec["key"] = random_key();
  auto& res = spec["resources"];
  if (!res.is_object())
    res = nlohmann::json::object();
  if (s.cpus)
    res["cpus"] = *s.cpus;
  if (s.mem)
    res["mem"] = *s.mem;
  if (s.disk)
    res["disk"] = *s.disk;
  if (s.gpus)
    res["gpus"] = *s.gpus;
  if (s.ports)
    res["ports"] = *s.ports;
  if (res.empty())
    spec.erase("resources");
  if (!s.image.empty())
    spec["container"] = {{"type", s.docker ? "DOCKER" : "MESOS"},
                         {"image", s.image}};
  if (!s.env.empty())
    spec["environment"] = pairs(s.env);
  if (!s.labels.empty())
    spec["labels"] = pairs(s.labels);
  if (!s.role.empty())
    spec["role"] = s.role;
  if (!s.queue.empty())
    spec["queue"] = s.queue;
  if (!s.user.empty())
    spec["user"] = s.user;
  if (s.priority)
    spec["priority"] = *s.priority;
  if (s.max_attempts)
    spec["retry"]["max_attempts"] = *s.max_attempts;
  if (!s.constraints.empty()) {
    auto list = nlohmann::json::array();
    for (auto& text : s.constraints) {
      nlohmann::json parts = nlohmann::json::array();
      std::size_t pos = 0;
      for (int i = 0; i < 2; ++i) {
        auto colon = text.find(':', pos);
        if (colon == std::string::npos)
          break;
        parts.push_back(text.substr(pos, colon - pos));
        pos = colon + 1;
      }
      parts.push_back(text.substr(pos));
      list.push_back(parts);
    }
    spec["constraints"] = list;
  }
  return spec;
}

} // namespace outrigger::app
