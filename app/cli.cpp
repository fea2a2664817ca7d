#include "app/cli.hpp"

#include "app/cli_commands.hpp"
#include "app/cli_logs.hpp"
#include "app/cli_support.hpp"

#include <iostream>
#include <memory>
#include <tuple>

namespace outrigger::app {

void add_client_commands(CLI::App& app, std::function<int()>& run) {
  auto cs = std::make_shared<client_settings>();
  // One task printed as -o asks: automatic is JSON (as before), or the
  // line of --brief.
  auto print_one = [](const client_settings& c, const nlohmann::json& t) {
    auto asked =
      c.output.empty() ? output_format::automatic : *parse_output(c.output);
    auto f = effective(asked, c.brief, false);
    print_tasks(t, nlohmann::json::array({t}), f);
  };

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
  add_output_option(*sub, *cs);
  sub->add_option("command", ss->argv, "the command and its arguments");
  sub->callback([&run, cs, ss, batch_size, print_one] {
    run = client_action(cs, [cs, ss, batch_size, print_one] {
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
        print_one(*cs, *t);
      return status;
    });
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
    add_output_option(*cmd, *cs);
    std::string m = method;
    cmd->callback([&run, cs, id, m, print_one] {
      run = client_action(cs, [cs, id, m, print_one] {
        int status = 0;
        auto t = call(*cs, m, "/v1/tasks/" + std::to_string(*id), "", status);
        if (!t)
          return status;
        auto term = stdout_terminal();
        // `get` on a terminal: a readable summary; -o json the document.
        if (m == "GET" && term.tty && cs->output.empty() && !cs->brief)
          std::cout << task_summary(*t, term.colour,
                                    std::chrono::system_clock::now());
        else
          print_one(*cs, *t);
        return status;
      });
    });
  }

  add_read_commands(app, run, cs);
  add_wait_command(app, run, cs);
  add_top_command(app, run, cs);

  // -- logs
  add_logs_command(app, run, cs);

  // -- teardown
  auto td = app.add_subcommand(
    "teardown", "tear the framework down: Mesos kills every task of it");
  add_client_options(*td, *cs);
  auto yes = std::make_shared<bool>(false);
  td->add_flag("--yes", *yes, "do not ask for confirmation");
  td->callback([&run, cs, yes] {
    run = client_action(cs, [cs, yes] {
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
    });
  });

  add_completion_command(app, run);
}

} // namespace outrigger::app
