// `outrigger top`: a full-screen view of the service refreshed every
// second, with plain ANSI escapes (alternate screen, cursor home) and the
// terminal in raw mode (termios) so that `q` quits at once.

#include "app/cli_top.hpp"

#include "app/cli_commands.hpp"
#include "app/cli_progress.hpp"

#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>

namespace outrigger::app {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_stop_signal(int) {
  stop_requested = 1;
}

std::string cut_line(const std::string& s, unsigned width) {
  if (width == 0)
    return s;
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++cols > width)
      return s.substr(0, i);
  return s;
}

std::string rate_or_dash(std::optional<double> r) {
  if (!r)
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f/s", *r);
  return buf;
}

/// The terminal in raw mode on the alternate screen, restored on scope
/// exit (also after Ctrl-C: the handler only sets a flag).
class screen {
public:
  screen() {
    ok_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (ok_) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
    std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;
  }
  ~screen() {
    std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
    if (ok_)
      ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  screen(const screen&) = delete;
  screen& operator=(const screen&) = delete;

  /// Waits up to a second for a key; true when it asks to quit.
  bool quit_within_a_second() {
    fd_set in;
    FD_ZERO(&in);
    FD_SET(STDIN_FILENO, &in);
    timeval tv{1, 0};
    if (::select(STDIN_FILENO + 1, &in, nullptr, nullptr, &tv) <= 0)
      return stop_requested != 0;
    char buf[64];
    auto n = ::read(STDIN_FILENO, buf, sizeof buf);
    for (ssize_t i = 0; i < n; ++i)
      if (buf[i] == 'q' || buf[i] == 'Q')
        return true;
    return stop_requested != 0;
  }

private:
  bool ok_ = false;
  termios saved_{};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::string utc_clock() {
  auto t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S UTC", &tm);
  return buf;
}

int run_top(const client_settings& c) {
  if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDOUT_FILENO) != 1) {
    std::cerr << "outrigger: top needs a terminal (use list, results or "
                 "wait on a pipe)\n";
    return 4;
  }
  stop_requested = 0;
  screen scr;
  rate_meter launches{std::chrono::seconds{10}};
  rate_meter finishes{std::chrono::seconds{10}};
  // Errors of the calls would scribble over the screen: they show in it.
  std::ostringstream swallowed;
  auto* old_err = std::cerr.rdbuf(swallowed.rdbuf());
  for (;;) {
    top_view v;
    v.api = c.api;
    v.clock = utc_clock();
    int status = 0;
    swallowed.str({});
    if (auto fw = call(c, "GET", "/v1/framework", "", status)) {
      v.framework = std::move(*fw);
      auto counts = counts_of_framework(v.framework["tasks"]);
      auto now = std::chrono::steady_clock::now();
      launches.sample(now, counts.total - counts.queued);
      finishes.sample(now, counts.ended);
      v.launch_rate = launches.rate();
      v.finish_rate = finishes.rate();
      if (counts.queued > 0) {
        auto page =
          call(c, "GET", "/v1/tasks?state=queued&limit=1", "", status);
        if (page && !(*page)["tasks"].empty()) {
          auto id = (*page)["tasks"][0].value("id", 0);
          if (auto one =
                call(c, "GET", "/v1/tasks/" + std::to_string(id), "", status)) {
            v.oldest_pending = std::move(*one);
            v.oldest_age =
              short_age(parse_time(v.oldest_pending.value("submitted_at", "")),
                        std::chrono::system_clock::now());
          }
        }
      }
    } else {
      v.error = swallowed.str();
      while (!v.error.empty() && v.error.back() == '\n')
        v.error.pop_back();
    }
    winsize ws{};
    unsigned width = 80, height = 24;
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
      width = ws.ws_col;
      height = ws.ws_row;
    }
    std::string frame = "\x1b[H";
    auto lines = top_lines(v, width);
    for (std::size_t i = 0; i < lines.size() && i + 1 < height; ++i)
      frame += lines[i] + "\x1b[K\r\n";
    frame += "\x1b[J";
    std::cout << frame << std::flush;
    if (scr.quit_within_a_second())
      break;
  }
  std::cerr.rdbuf(old_err);
  return 0;
}

} // namespace

std::vector<std::string> top_lines(const top_view& v, unsigned width) {
  std::vector<std::string> out;
  out.push_back("outrigger top  " + v.api + "  " + v.clock + "  (q quits)");
  out.emplace_back();
  if (v.framework.is_null()) {
    out.push_back("API unreachable: " + v.error);
    out.push_back("retrying every second");
  } else {
    auto& f = v.framework;
    auto id = f.value("framework_id", "");
    out.push_back("Framework  " +
                  (id.empty() ? std::string{"(none yet)"} : id));
    out.push_back("Master     " + f.value("leader", std::string{"-"}) + "  " +
                  (f.value("connected", false) ? "connected" : "disconnected") +
                  " (" + f.value("phase", "") + ")" +
                  (f.value("reconciling", false) ? "  reconciling" : ""));
    out.push_back("Offers     " + std::to_string(f.value("offers_held", 0)) +
                  " held   " + std::to_string(f.value("pending", 0)) +
                  " tasks waiting for offers");
    out.emplace_back();
    auto counts = counts_of_framework(f["tasks"]);
    out.push_back("Tasks      " + std::to_string(counts.total) + " total  " +
                  std::to_string(counts.queued) + " queued  " +
                  std::to_string(counts.running) + " running  " +
                  std::to_string(counts.ended) + " ended (" +
                  std::to_string(counts.failed) + " not finished)");
    // Every state with tasks, in the lifecycle order of the API.
    static const char* order[] = {
      "QUEUED",  "LAUNCHING",   "STAGING",  "STARTING", "RUNNING",
      "KILLING", "UNREACHABLE", "FINISHED", "FAILED",   "KILLED",
      "ERROR",   "LOST",        "DROPPED",  "GONE"};
    for (auto* s : order)
      if (auto it = counts.by_state.find(s); it != counts.by_state.end()) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%-11s %8llu", s,
                      static_cast<unsigned long long>(it->second));
        out.push_back(std::string{"  "} + buf);
      }
    out.emplace_back();
    out.push_back("Rates      launch " + rate_or_dash(v.launch_rate) +
                  "   finish " + rate_or_dash(v.finish_rate));
    out.emplace_back();
    if (v.oldest_pending.is_null()) {
      out.push_back("Oldest pending  none");
    } else {
      auto& t = v.oldest_pending;
      out.push_back("Oldest pending  #" + std::to_string(t.value("id", 0)) +
                    " " + t.value("key", "") + "  waiting " + v.oldest_age);
      auto reason = outcome_of(t);
      out.push_back("  " +
                    (reason.empty() ? std::string{"(no reason yet)"} : reason));
    }
  }
  for (auto& l : out)
    l = cut_line(l, width);
  return out;
}

void add_top_command(CLI::App& app, std::function<int()>& run,
                     std::shared_ptr<client_settings> cs) {
  auto top = app.add_subcommand(
    "top", "a full-screen view refreshed every second: the framework, tasks "
           "by state, rates, the oldest pending task; q quits");
  add_client_options(*top, *cs);
  top->callback(
    [&run, cs] { run = client_action(cs, [cs] { return run_top(*cs); }); });
}

} // namespace outrigger::app
