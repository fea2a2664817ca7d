#include "app/cli.hpp"

#include "app/http_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace outrigger::app {

namespace {

/// Where the API is and how to authenticate.
struct client_settings {
  std::string api = "http://127.0.0.1:8080";
  std::string token_file;
  int timeout = 30;
  bool brief = false;
};

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
                                   int extra_seconds = 0) {
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

std::string random_key() {
  std::random_device rd;
  std::mt19937_64 gen{(static_cast<std::uint64_t>(rd()) << 32) ^ rd()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "cli-%016llx",
                static_cast<unsigned long long>(gen()));
  return buf;
}

/// Options of `submit`.
struct submit_settings {
  std::string key, shell, file, image, role, queue, user;
  bool docker = false;
  std::optional<double> cpus, mem, disk, gpus;
  std::optional<unsigned> ports, max_attempts;
  std::optional<int> priority;
  std::vector<std::string> env, labels, constraints, argv;
};

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

nlohmann::json spec_of(const submit_settings& s) {
  nlohmann::json spec = nlohmann::json::object();
  if (!s.file.empty()) {
    std::ifstream in{s.file};
    if (!in)
      throw std::invalid_argument("--file: cannot read " + s.file);
    spec = nlohmann::json::parse(in, nullptr, false);
    if (spec.is_discarded() || !spec.is_object())
      throw std::invalid_argument("--file: " + s.file +
                                  " is not a JSON object");
  }
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

bool terminal(const std::string& state) {
  static const char* states[] = {"FINISHED", "FAILED",  "KILLED", "ERROR",
                                 "LOST",     "DROPPED", "GONE"};
  for (auto* s : states)
    if (state == s)
      return true;
  return false;
}

// Waits until every task in `ids` (all tasks when empty) is terminal.
int wait_for(const client_settings& c, std::vector<std::uint64_t> ids,
             int timeout) {
  int status = 0;
  auto deadline =
    std::chrono::steady_clock::now() + std::chrono::seconds{timeout};
  std::uint64_t cursor = 0;
  for (;;) {
    bool done = true;
    std::vector<nlohmann::json> finals;
    if (ids.empty()) {
      auto f = call(c, "GET", "/v1/framework", "", status);
      if (!f)
        return status;
      for (auto& [state, n] : (*f)["tasks"].items())
        if (!terminal(state) && n.get<std::uint64_t>() > 0)
          done = false;
    } else {
      for (auto id : ids) {
        auto t = call(c, "GET", "/v1/tasks/" + std::to_string(id), "", status);
        if (!t)
          return status;
        if (!terminal((*t)["state"]))
          done = false;
        else
          finals.push_back(*t);
      }
    }
    if (done) {
      int code = 0;
      if (ids.empty()) {
        for (;;) {
          auto page = call(
            c, "GET", "/v1/results?limit=1000&after=" + std::to_string(cursor),
            "", status);
          if (!page)
            return status;
          for (auto& r : (*page)["results"]) {
            std::cout << result_line(r) << "\n";
            if (r["state"] != "FINISHED")
              code = 3;
          }
          if ((*page)["results"].empty())
            break;
          cursor = (*page)["next"].get<std::uint64_t>();
        }
      } else {
        for (auto& t : finals) {
          std::cout << task_line(t) << "\n";
          if (t["state"] != "FINISHED")
            code = 3;
        }
      }
      return code;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "outrigger: tasks still running after " << timeout << " s\n";
      return 2;
    }
    // Sleep until a result arrives (long poll), at most 5 s.
    auto last = call(c, "GET", "/v1/framework", "", status);
    auto after = last ? (*last)["results_cursor"].get<std::uint64_t>() : 0;
    call(c, "GET", "/v1/results?limit=1&wait=5&after=" + std::to_string(after),
         "", status, 5);
    status = 0;
  }
}

} // namespace

void add_client_commands(CLI::App& app, std::function<int()>& run) {
  auto cs = std::make_shared<client_settings>();

  // -- submit
  auto sub = app.add_subcommand("submit", "submit a task: outrigger submit "
                                          "[options] -- command args...");
  auto ss = std::make_shared<submit_settings>();
  add_client_options(*sub, *cs);
  sub->add_option("--key", ss->key, "idempotency key (default: random)");
  sub->add_option("--shell", ss->shell, "command as one shell string");
  sub->add_option("--file", ss->file, "JSON task spec to start from");
  sub->add_option("--cpus", ss->cpus);
  sub->add_option("--mem", ss->mem, "MiB");
  sub->add_option("--disk", ss->disk, "MiB");
  sub->add_option("--gpus", ss->gpus);
  sub->add_option("--ports", ss->ports, "number of host ports");
  sub->add_option("--image", ss->image, "container image");
  sub->add_flag("--docker", ss->docker, "Docker containerizer for --image");
  sub->add_option("--env", ss->env, "NAME=VALUE (repeatable)");
  sub->add_option("--label", ss->labels, "NAME=VALUE (repeatable)");
  sub->add_option("--role", ss->role);
  sub->add_option("--queue", ss->queue);
  sub->add_option("--user", ss->user);
  sub->add_option("--priority", ss->priority, "higher runs first");
  sub->add_option("--max-attempts", ss->max_attempts);
  sub->add_option("--constraint", ss->constraints,
                  "FIELD:OP[:VALUE], e.g. hostname:UNIQUE (repeatable)");
  sub->add_flag("--brief", cs->brief, "one line instead of JSON");
  sub->add_option("command", ss->argv, "the command and its arguments");
  sub->callback([&run, cs, ss] {
    run = [cs, ss] {
      int status = 0;
      nlohmann::json spec;
      try {
        spec = spec_of(*ss);
      } catch (const std::exception& e) {
        std::cerr << "outrigger: " << e.what() << "\n";
        return 1;
      }
      auto t = call(*cs, "POST", "/v1/tasks", spec.dump(), status);
      if (t)
        print(*cs, *t, task_line);
      return status;
    };
  });

  // -- get, kill
  for (auto [name, method, help] :
       {std::tuple{"get", "GET", "show a task"},
        std::tuple{"kill", "DELETE", "kill a task"}}) {
    auto cmd = app.add_subcommand(name, help);
    add_client_options(*cmd, *cs);
    auto id = std::make_shared<std::uint64_t>();
    cmd->add_option("id", *id, "task id")->required();
    cmd->add_flag("--brief", cs->brief, "one line instead of JSON");
    std::string m = method;
    cmd->callback([&run, cs, id, m] {
      run = [cs, id, m] {
        int status = 0;
        auto t = call(*cs, m, "/v1/tasks/" + std::to_string(*id), "", status);
        if (t)
          print(*cs, *t, task_line);
        return status;
      };
    });
  }

  // -- list
  auto list = app.add_subcommand("list", "list tasks");
  add_client_options(*list, *cs);
  auto lq = std::make_shared<
    std::tuple<std::string, std::string, unsigned, std::uint64_t>>("", "", 100,
                                                                   0);
  list->add_option("--state", std::get<0>(*lq), "e.g. queued, running");
  list->add_option("--key", std::get<1>(*lq), "key prefix");
  list->add_option("--limit", std::get<2>(*lq))->capture_default_str();
  list->add_option("--cursor", std::get<3>(*lq), "from the previous page");
  list->add_flag("--brief", cs->brief, "one line per task");
  list->callback([&run, cs, lq] {
    run = [cs, lq] {
      int status = 0;
      auto target = "/v1/tasks?limit=" + std::to_string(std::get<2>(*lq)) +
                    "&cursor=" + std::to_string(std::get<3>(*lq));
      if (!std::get<0>(*lq).empty())
        target += "&state=" + std::get<0>(*lq);
      if (!std::get<1>(*lq).empty())
        target += "&key=" + std::get<1>(*lq);
      auto page = call(*cs, "GET", target, "", status);
      if (!page)
        return status;
      if (!cs->brief) {
        std::cout << page->dump(2) << "\n";
        return 0;
      }
      for (auto& t : (*page)["tasks"])
        std::cout << task_line(t) << "\n";
      return 0;
    };
  });

  // -- results
  auto res = app.add_subcommand("results", "read the results log");
  add_client_options(*res, *cs);
  auto rq =
    std::make_shared<std::tuple<std::uint64_t, unsigned, unsigned, bool>>(
      0, 100, 0, false);
  res->add_option("--after", std::get<0>(*rq), "cursor (0: from the start)");
  res->add_option("--limit", std::get<1>(*rq))->capture_default_str();
  res->add_option("--wait", std::get<2>(*rq), "long-poll seconds (max 60)");
  res->add_flag("--follow", std::get<3>(*rq), "keep reading (Ctrl-C stops)");
  res->add_flag("--brief", cs->brief, "one line per result");
  res->callback([&run, cs, rq] {
    run = [cs, rq] {
      int status = 0;
      auto after = std::get<0>(*rq);
      do {
        unsigned wait = std::get<3>(*rq) ? 30 : std::get<2>(*rq);
        auto page = call(*cs, "GET",
                         "/v1/results?after=" + std::to_string(after) +
                           "&limit=" + std::to_string(std::get<1>(*rq)) +
                           "&wait=" + std::to_string(wait),
                         "", status, static_cast<int>(wait));
        if (!page)
          return status;
        if (cs->brief)
          for (auto& r : (*page)["results"])
            std::cout << result_line(r) << "\n";
        else
          std::cout << page->dump(2) << "\n";
        std::cout.flush();
        after = (*page)["next"].get<std::uint64_t>();
      } while (std::get<3>(*rq));
      return 0;
    };
  });

  // -- wait
  auto wait = app.add_subcommand(
    "wait", "wait until the given tasks (default: all) have ended; prints "
            "their results; exit 3 when one did not finish");
  add_client_options(*wait, *cs);
  auto wq = std::make_shared<std::pair<std::vector<std::uint64_t>, int>>(
    std::vector<std::uint64_t>{}, 600);
  wait->add_option("ids", wq->first, "task ids");
  wait->add_option("--for", wq->second, "give up after this many seconds")
    ->capture_default_str();
  wait->callback([&run, cs, wq] {
    run = [cs, wq] { return wait_for(*cs, wq->first, wq->second); };
  });

  // -- teardown
  auto td = app.add_subcommand(
    "teardown", "tear the framework down: Mesos kills every task of it");
  add_client_options(*td, *cs);
  auto yes = std::make_shared<bool>(false);
  td->add_flag("--yes", *yes, "do not ask for confirmation");
  td->callback([&run, cs, yes] {
    run = [cs, yes] {
      if (!*yes) {
        std::cerr << "Tear down the framework at " << cs->api
                  << "? Mesos kills all of its tasks. Type 'yes': ";
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "yes") {
          std::cerr << "outrigger: not torn down\n";
          return 1;
        }
      }
      int status = 0;
      auto r = call(*cs, "DELETE", "/v1/framework", "", status);
      if (r)
        std::cout << r->dump() << "\n";
      return status;
    };
  });
}

} // namespace outrigger::app
