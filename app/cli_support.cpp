#include "app/cli_support.hpp"

#include "app/http_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace outrigger::app {

std::string token_of(const client_settings& c) {
  if (!c.token_file.empty()) {
    std::ifstream in{c.token_file};
    std::string t;
    std::getline(in, t);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
      t.pop_back();
    return t;
  }
  if (auto* env = std::getenv("OUTRIGGER_API_TOKEN"))
    return env;
  return {};
}

namespace {} // namespace

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

bool terminal(const std::string& state) {
  static const char* states[] = {"FINISHED", "FAILED",  "KILLED", "ERROR",
                                 "LOST",     "DROPPED", "GONE"};
  for (auto* s : states)
    if (state == s)
      return true;
  return false;
}

} // namespace

void add_client_options(CLI::App& cmd, client_settings& c) {
  cmd.add_option("--api", c.api, "URL of the outrigger API")
    ->envname("OUTRIGGER_API")
    ->capture_default_str();
  cmd
    .add_option("--api-token-file", c.token_file,
                "bearer token file (else OUTRIGGER_API_TOKEN)")
    ->envname("OUTRIGGER_API_TOKEN_FILE");
  cmd.add_option("--timeout", c.timeout, "seconds to wait for the API")
    ->capture_default_str();
}

// Calls the API; prints errors; returns the parsed body or nullopt.
std::optional<nlohmann::json> call(const client_settings& c,
                                   const std::string& method,
                                   const std::string& target,
                                   const std::string& body, int& status,
                                   int extra_seconds) {
  auto r = http_call(c.api, method, target, body, token_of(c),
                     std::chrono::seconds{c.timeout + extra_seconds});
  if (r.status == 0) {
    std::cerr << "outrigger: " << r.error << "\n";
    status = 2;
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status >= 400) {
    if (!j.is_discarded() && j.contains("error"))
      std::cerr << "outrigger: " << r.status << " "
                << j["error"].value("code", "") << ": "
                << j["error"].value("message", "") << "\n";
    else
      std::cerr << "outrigger: HTTP " << r.status << ": " << r.body << "\n";
    status = 1;
    return std::nullopt;
  }
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

void print(const client_settings& c, const nlohmann::json& j,
           std::string (*line)(const nlohmann::json&)) {
  if (c.brief)
    std::cout << line(j) << "\n";
  else
    std::cout << j.dump(2) << "\n";
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

// Waits until every task in `ids` (all tasks when empty) is terminal.
namespace {

// Prints every result of the log; 3 when one is not FINISHED.
int print_all_results(const client_settings& c, int& status) {
  int code = 0;
  std::uint64_t cursor = 0;
  for (;;) {
    auto page =
      call(c, "GET", "/v1/results?limit=1000&after=" + std::to_string(cursor),
           "", status);
    if (!page)
      return status;
    if ((*page)["results"].empty())
      return code;
    for (auto& r : (*page)["results"]) {
      std::cout << result_line(r) << "\n";
      if (r["state"] != "FINISHED")
        code = 3;
    }
    cursor = (*page)["next"].get<std::uint64_t>();
  }
}

} // namespace

int wait_for(const client_settings& c, std::vector<std::uint64_t> ids,
             int timeout) {
  auto deadline =
    std::chrono::steady_clock::now() + std::chrono::seconds{timeout};
  for (;;) {
    int status = 0;
    // The cursor first: a result that lands during the checks below then
    // ends the long poll at once.
    auto f = call(c, "GET", "/v1/framework", "", status);
    if (!f)
      return status;
    bool done = true;
    std::vector<nlohmann::json> finals;
    if (ids.empty()) {
      for (auto& [state, n] : (*f)["tasks"].items())
        done &= terminal(state) || n.get<std::uint64_t>() == 0;
    }
    for (auto id : ids) {
      auto t = call(c, "GET", "/v1/tasks/" + std::to_string(id), "", status);
      if (!t)
        return status;
      done &= terminal((*t)["state"]);
      finals.push_back(std::move(*t));
    }
    if (done && ids.empty())
      return print_all_results(c, status);
    if (done) {
      int code = 0;
      for (auto& t : finals) {
        std::cout << task_line(t) << "\n";
        if (t["state"] != "FINISHED")
          code = 3;
      }
      return code;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "outrigger: tasks still running after " << timeout << " s\n";
      return 2;
    }
    // Sleep until a result arrives (long poll), at most 5 s.
    auto after = (*f)["results_cursor"].get<std::uint64_t>();
    call(c, "GET", "/v1/results?limit=1&wait=5&after=" + std::to_string(after),
         "", status, 5);
  }
}

} // namespace outrigger::app
