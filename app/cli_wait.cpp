// `outrigger wait`: follows the tasks until they have ended. On a terminal
// it redraws one status line (at most 4 times a second) and ends with a
// summary; on a pipe it prints the historic result lines. Exit status: 0
// when every task FINISHED, 3 when one ended otherwise or --for ran out, 4
// on a usage, configuration or connection problem.

#include "app/cli_commands.hpp"
#include "app/cli_logs.hpp"
#include "app/cli_progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

namespace outrigger::app {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Options of `wait` (a struct so that more, e.g. --logs, slot in).
struct wait_settings {
  std::vector<std::uint64_t> ids;
  int for_seconds = 600;
  bool quiet = false;
  bool logs = false; ///< --logs: then each failed task's stderr tail
};

/// What the waiting found at the end.
struct wait_outcome {
  wait_counts counts;
  /// Results (all tasks) or tasks (given ids), in order.
  std::vector<nlohmann::json> items;
  bool timed_out = false;
};

unsigned stderr_width() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

/// The live status line on stderr (a no-op when not live).
class status_display {
public:
  explicit status_display(bool live) : live_(live) {}
  ~status_display() { clear(); }
  void draw(const std::string& line) {
    if (!live_)
      return;
    std::cerr << "\r" << line << "\x1b[K" << std::flush;
    shown_ = true;
  }
  void clear() {
    if (shown_)
      std::cerr << "\r\x1b[K" << std::flush;
    shown_ = false;
  }
  bool live() const { return live_; }

private:
  bool live_;
  bool shown_ = false;
};

/// Every result of the log (paged); nullopt when the API failed.
std::optional<std::vector<nlohmann::json>>
all_results(const client_settings& c) {
  std::vector<nlohmann::json> out;
  std::uint64_t cursor = 0;
  for (;;) {
    int status = 0;
    auto page =
      call(c, "GET", "/v1/results?limit=1000&after=" + std::to_string(cursor),
           "", status);
    if (!page)
      return std::nullopt;
    if ((*page)["results"].empty())
      return out;
    for (auto& r : (*page)["results"])
      out.push_back(std::move(r));
    cursor = (*page)["next"].get<std::uint64_t>();
  }
}

/// The most common pending reason among a few of the oldest queued tasks
/// (a page does not carry reasons: each is asked for, at most 5).
std::string sampled_reason(const client_settings& c) {
  int status = 0;
  auto page = call(c, "GET", "/v1/tasks?state=queued&limit=5", "", status);
  if (!page)
    return {};
  std::vector<std::string> reasons;
  for (auto& t : (*page)["tasks"]) {
    auto one = call(c, "GET", "/v1/tasks/" + std::to_string(t.value("id", 0)),
                    "", status);
    if (one)
      reasons.push_back(one->value("pending_reason", ""));
  }
  return most_common(reasons);
}

/// Prints what the wait found in format `f`; the exit status.
int report(const wait_outcome& o, output_format f, bool by_id, double seconds,
           bool quiet) {
  auto term = stdout_terminal();
  std::vector<nlohmann::json> failures;
  for (auto& item : o.items)
    if (item.value("state", "") != "FINISHED")
      failures.push_back(item);
  int code =
    (o.counts.failed > 0 || o.timed_out || o.counts.ended < o.counts.total) ? 3
                                                                            : 0;
  auto summary = [&] {
    return summary_text(o.counts, seconds, failures, 50, term.colour);
  };
  auto now = std::chrono::system_clock::now();
  nlohmann::json items(o.items);
  switch (f) {
    case output_format::json: {
      nlohmann::json doc{{"counts", o.counts.by_state},
                         {by_id ? "tasks" : "results", items},
                         {"timed_out", o.timed_out}};
      std::cout << doc.dump(2) << "\n";
      break;
    }
    case output_format::ids:
      for (auto& item : o.items)
        std::cout << item.value("id", 0) << "\n";
      break;
    case output_format::brief:
      for (auto& item : o.items)
        std::cout << (by_id ? task_line(item) : result_line(item)) << "\n";
      if (!quiet)
        std::cerr << summary();
      break;
    case output_format::table:
    case output_format::wide: {
      bool wide = f == output_format::wide;
      auto t =
        by_id ? task_table(items, wide, now) : result_table(items, wide, now);
      std::cout << render(t, wide ? 0 : term.width, term.colour) << summary();
      break;
    }
    case output_format::automatic:
      std::cout << summary();
      break;
  }
  return code;
}

int wait_for(const client_settings& c, const wait_settings& w) {
  auto start = clock::now();
  auto deadline = start + std::chrono::seconds{w.for_seconds};
  bool by_id = !w.ids.empty();
  auto tty = ::isatty(STDOUT_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
  auto asked =
    c.output.empty() ? output_format::automatic : *parse_output(c.output);
  // Automatic: the summary on a terminal, the result lines on a pipe.
  auto f = asked != output_format::automatic ? asked
           : c.brief || !tty                 ? output_format::brief
                                             : output_format::automatic;
  status_display display{tty && !w.quiet};
  rate_meter meter;
  std::map<std::uint64_t, nlohmann::json> known;
  std::string reason;
  auto reason_checked = start - 1h;
  wait_outcome o;
  for (;;) {
    auto round = clock::now();
    int status = 0;
    // The cursor first: a result that lands during the checks below then
    // ends the long poll at once.
    auto fw = call(c, "GET", "/v1/framework", "", status);
    if (!fw)
      return 4;
    wait_counts counts;
    if (!by_id) {
      counts = counts_of_framework((*fw)["tasks"]);
    } else {
      std::vector<std::string> reasons;
      for (auto id : w.ids) {
        auto& t = known[id];
        if (t.is_null() || !terminal_state(t.value("state", ""))) {
          auto one =
            call(c, "GET", "/v1/tasks/" + std::to_string(id), "", status);
          if (!one)
            return 4;
          t = std::move(*one);
        }
        counts.add(t.value("state", ""));
        reasons.push_back(t.value("pending_reason", ""));
      }
      reason = most_common(reasons);
    }
    meter.sample(round, counts.ended);
    bool done = counts.ended == counts.total;
    bool late = !done && round > deadline;
    if (done || late) {
      display.clear();
      o.counts = counts;
      o.timed_out = late;
      if (by_id) {
        for (auto id : w.ids)
          o.items.push_back(known[id]);
      } else {
        auto results = all_results(c);
        if (!results)
          return 4;
        o.items = std::move(*results);
      }
      if (late)
        std::cerr << "outrigger: " << counts.total - counts.ended << " of "
                  << counts.total << " tasks had not ended after "
                  << w.for_seconds << " s\n";
      auto seconds = std::chrono::duration<double>(clock::now() - start);
      return report(o, f, by_id, seconds.count(), w.quiet);
    }
    if (display.live()) {
      if (!by_id && counts.queued > 0 && round - reason_checked >= 2s) {
        reason = sampled_reason(c);
        reason_checked = round;
      }
      display.draw(status_line(counts, meter.rate(),
                               meter.eta(counts.total - counts.ended), reason,
                               stderr_width()));
    }
    // Sleep until a result arrives (long poll): 1 s on a terminal so that
    // the rate and ETA move, 5 s otherwise; rounds at most 4 a second.
    auto after = (*fw)["results_cursor"].get<std::uint64_t>();
    int wait = display.live() ? 1 : 5;
    call(c, "GET",
         "/v1/results?limit=1&wait=" + std::to_string(wait) +
           "&after=" + std::to_string(after),
         "", status, wait);
    std::this_thread::sleep_until(round + 250ms);
  }
}

} // namespace

void add_wait_command(CLI::App& app, std::function<int()>& run,
                      std::shared_ptr<client_settings> cs) {
  auto wait = app.add_subcommand(
    "wait", "wait until the given tasks (default: all) have ended; a live "
            "status line on a terminal, then a summary; exit 0 when all "
            "FINISHED, 3 when one did not (or --for ran out), 4 on a usage "
            "or connection problem");
  add_client_options(*wait, *cs);
  add_output_option(*wait, *cs);
  auto ws = std::make_shared<wait_settings>();
  wait->add_option("ids", ws->ids, "task ids");
  wait->add_option("--for", ws->for_seconds, "give up after this many seconds")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  wait->add_flag("-q,--quiet", ws->quiet,
                 "no status line and, on a pipe, no summary on stderr");
  wait->add_flag("--brief", cs->brief, "one line per task");
  wait->add_flag("--logs", ws->logs,
                 "then print each failed task's stderr tail (from its result)");
  wait->callback([&run, cs, ws] {
    run = client_action(cs, [cs, ws] {
      auto code = wait_for(*cs, *ws);
      if (ws->logs && (code == 0 || code == 3))
        print_failed_tails(*cs, ws->ids);
      return code;
    });
  });
}

} // namespace outrigger::app
