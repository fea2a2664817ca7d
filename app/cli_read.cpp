// `outrigger list` and `outrigger results`: aligned tables on a terminal,
// the API's JSON on a pipe (as before), or what -o asks for.

#include "app/cli_commands.hpp"

#include <iostream>

namespace outrigger::app {

namespace {

output_format format_of(const client_settings& c, bool tty) {
  auto asked =
    c.output.empty() ? output_format::automatic : *parse_output(c.output);
  return effective(asked, c.brief, tty);
}

/// Asks for each queued task of `tasks` on its own: a page does not say
/// why a task waits (the book asks the matcher only for GET
/// /v1/tasks/{id}).
void add_pending_reasons(const client_settings& c, nlohmann::json& tasks) {
  for (auto& t : tasks) {
    if (t.value("state", "") != "QUEUED")
      continue;
    int status = 0;
    auto path = "/v1/tasks/" + std::to_string(t.value("id", 0));
    if (auto one = call(c, "GET", path, "", status))
      t = std::move(*one);
  }
}

struct list_query {
  std::string state, key;
  unsigned limit = 100;
  std::uint64_t cursor = 0;
};

struct results_query {
  std::uint64_t after = 0;
  unsigned limit = 100;
  unsigned wait = 0;
  bool follow = false;
};

} // namespace

void print_tasks(const nlohmann::json& doc, const nlohmann::json& tasks,
                 output_format f) {
  auto term = stdout_terminal();
  switch (f) {
    case output_format::json:
    case output_format::automatic:
      std::cout << doc.dump(2) << "\n";
      break;
    case output_format::ids:
      for (auto& t : tasks)
        std::cout << t.value("id", 0) << "\n";
      break;
    case output_format::brief:
      for (auto& t : tasks)
        std::cout << task_line(t) << "\n";
      break;
    case output_format::table:
    case output_format::wide: {
      bool wide = f == output_format::wide;
      std::cout << render(
        task_table(tasks, wide, std::chrono::system_clock::now()),
        wide ? 0 : term.width, term.colour);
      break;
    }
  }
}

void add_read_commands(CLI::App& app, std::function<int()>& run,
                       std::shared_ptr<client_settings> cs) {
  // -- list
  auto list = app.add_subcommand("list", "list tasks (a table on a terminal, "
                                         "JSON on a pipe)");
  add_client_options(*list, *cs);
  add_output_option(*list, *cs);
  auto lq = std::make_shared<list_query>();
  list->add_option("--state", lq->state, "e.g. queued, running");
  list->add_option("--key", lq->key, "key prefix");
  list->add_option("--limit", lq->limit)->capture_default_str();
  list->add_option("--cursor", lq->cursor, "from the previous page");
  list->add_flag("--brief", cs->brief, "one line per task (-o brief)");
  list->callback([&run, cs, lq] {
    run = client_action(cs, [cs, lq] {
      int status = 0;
      auto target = "/v1/tasks?limit=" + std::to_string(lq->limit) +
                    "&cursor=" + std::to_string(lq->cursor);
      if (!lq->state.empty())
        target += "&state=" + lq->state;
      if (!lq->key.empty())
        target += "&key=" + lq->key;
      auto page = call(*cs, "GET", target, "", status);
      if (!page)
        return status;
      auto f = format_of(*cs, stdout_terminal().tty);
      auto& tasks = (*page)["tasks"];
      if (f == output_format::brief || f == output_format::table ||
          f == output_format::wide)
        add_pending_reasons(*cs, tasks);
      print_tasks(*page, tasks, f);
      if (f == output_format::table && !(*page)["next"].is_null())
        std::cerr << "(more: --cursor " << (*page)["next"].dump() << ")\n";
      return 0;
    });
  });

  // -- results
  auto res = app.add_subcommand("results", "read the results log (a table on "
                                           "a terminal, JSON on a pipe)");
  add_client_options(*res, *cs);
  add_output_option(*res, *cs);
  auto rq = std::make_shared<results_query>();
  res->add_option("--after", rq->after, "cursor (0: from the start)");
  res->add_option("--limit", rq->limit)->capture_default_str();
  res->add_option("--wait", rq->wait, "long-poll seconds (max 60)");
  res->add_flag("--follow", rq->follow, "keep reading (Ctrl-C stops)");
  res->add_flag("--brief", cs->brief, "one line per result (-o brief)");
  res->callback([&run, cs, rq] {
    run = client_action(cs, [cs, rq] {
      int status = 0;
      auto after = rq->after;
      auto term = stdout_terminal();
      auto f = format_of(*cs, term.tty);
      bool header = true;
      do {
        unsigned wait = rq->follow ? 30 : rq->wait;
        auto page = call(*cs, "GET",
                         "/v1/results?after=" + std::to_string(after) +
                           "&limit=" + std::to_string(rq->limit) +
                           "&wait=" + std::to_string(wait),
                         "", status, static_cast<int>(wait));
        if (!page)
          return status;
        auto& results = (*page)["results"];
        if (f == output_format::brief) {
          for (auto& r : results)
            std::cout << result_line(r) << "\n";
        } else if (f == output_format::ids) {
          for (auto& r : results)
            std::cout << r.value("id", 0) << "\n";
        } else if (f == output_format::table || f == output_format::wide) {
          bool wide = f == output_format::wide;
          auto text = render(
            result_table(results, wide, std::chrono::system_clock::now()),
            wide ? 0 : term.width, term.colour);
          // Following: the header once, then only rows.
          if (!header || (rq->follow && results.empty()))
            text = text.substr(text.find('\n') + 1);
          if (!(rq->follow && results.empty()))
            header = false;
          std::cout << text;
        } else {
          std::cout << page->dump(2) << "\n";
        }
        std::cout.flush();
        after = (*page)["next"].get<std::uint64_t>();
      } while (rq->follow);
      return 0;
    });
  });
}

} // namespace outrigger::app
