#include "app/cli.hpp"

#include "app/cli_logs.hpp"
#include "app/cli_support.hpp"

#include <iostream>
#include <memory>
#include <tuple>

namespace outrigger::app {

void add_client_commands(CLI::App& app, std::function<int()>& run) {
  auto cs = std::make_shared<client_settings>();

  // -- submit
  auto sub = app.add_subcommand("submit", "submit a task: outrigger submit "
                                          "[options] -- command args...");
  auto ss = std::make_shared<submit_settings>();
  add_client_options(*sub, *cs);
  sub->add_option("--key", ss->key, "idempotency key (default: random)");
  sub->add_option("--shell", ss->shell, "command as one shell string");
  sub->add_option("--file", ss->file,
                  "task specs: one JSON object to start from, or NDJSON (one "
                  "spec per line, sent in batches); - reads stdin");
  auto batch_size = std::make_shared<std::size_t>(1000);
  sub
    ->add_option("--batch-size", *batch_size,
                 "specs per request with --file (the server takes ≤ 1000)")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000));
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
  sub->callback([&run, cs, ss, batch_size] {
    run = [cs, ss, batch_size] {
      int status = 0;
      std::vector<nlohmann::json> specs;
      try {
        if (ss->file.empty())
          specs.push_back(patched_spec(nlohmann::json::object(), *ss));
        else
          specs = specs_of_file(*ss, std::cin);
      } catch (const std::exception& e) {
        std::cerr << "outrigger: " << e.what() << "\n";
        return 1;
      }
      if (specs.size() > 1)
        return submit_batches(*cs, specs, *batch_size);
      auto t = call(*cs, "POST", "/v1/tasks", specs[0].dump(), status);
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
      for (auto& t : (*page)["tasks"]) {
        // A page does not say why a task waits (the book asks the matcher
        // only for GET /v1/tasks/{id}): ask for each queued task.
        if (t.value("state", "") == "QUEUED") {
          int one_status = 0;
          auto path = "/v1/tasks/" + std::to_string(t.value("id", 0));
          if (auto one = call(*cs, "GET", path, "", one_status))
            t = std::move(*one);
        }
        std::cout << task_line(t) << "\n";
      }
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
  auto wait_logs = std::make_shared<bool>(false);
  wait->add_flag("--logs", *wait_logs,
                 "then print each failed task's stderr tail");
  wait->callback([&run, cs, wq, wait_logs] {
    run = [cs, wq, wait_logs] {
      auto code = wait_for(*cs, wq->first, wq->second);
      if (*wait_logs && (code == 0 || code == 3))
        print_failed_tails(*cs, wq->first);
      return code;
    };
  });

  // -- logs
  add_logs_command(app, run, cs);

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
