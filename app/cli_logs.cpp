// `outrigger logs` and the stderr tails of `outrigger wait --logs`.

#include "app/cli_logs.hpp"

#include "app/http_client.hpp"

#include <cstdio>
#include <iostream>

namespace outrigger::app {

namespace {

std::int64_t number(const client_response& r, const std::string& name) {
  try {
    return std::stoll(r.header(name));
  } catch (const std::exception&) {
    return 0;
  }
}

} // namespace

// Where the last `lines` lines of the file start: reads ever larger windows
// from the end (up to 1 MiB, the largest page) until they hold that many
// line ends or reach the start. Prints nothing; 0 and sets `offset` and
// `attempt`, or the exit status of a failed read.
int tail_offset(const client_settings& c, std::uint64_t id, const char* stream,
                std::uint64_t lines, std::int64_t& offset,
                std::uint32_t& attempt) {
  std::int64_t window = 64 * 1024;
  for (;;) {
    auto target = "/v1/tasks/" + std::to_string(id) + "/logs?stream=" + stream +
                  "&offset=-" + std::to_string(window) +
                  "&length=" + std::to_string(window) +
                  (attempt ? "&attempt=" + std::to_string(attempt) : "");
    auto r = call_raw(c, "GET", target);
    if (r.status != 200)
      return report_failure(r);
    if (auto a = number(r, "X-Log-Attempt"); a > 0)
      attempt = static_cast<std::uint32_t>(a);
    auto start = number(r, "X-Log-Offset");
    const auto& b = r.body;
    // A last line without its newline counts as a line too.
    std::size_t end = b.size();
    if (end > 0 && b[end - 1] == '\n')
      --end;
    std::uint64_t seen = 0;
    std::size_t cut = std::string::npos;
    for (std::size_t i = end; i-- > 0;)
      if (b[i] == '\n' && ++seen == lines) {
        cut = i + 1;
        break;
      }
    if (lines == 0)
      cut = b.size();
    if (cut != std::string::npos || start == 0 || window >= (1 << 20)) {
      offset =
        start + static_cast<std::int64_t>(cut == std::string::npos ? 0 : cut);
      return 0;
    }
    window *= 4;
  }
}

int print_logs(const client_settings& c, const logs_settings& s) {
  auto stream = s.stderr_stream ? "stderr" : "stdout";
  std::int64_t offset = 0;
  std::uint32_t attempt = s.attempt;
  if (s.tail)
    if (auto code = tail_offset(c, s.id, stream, *s.tail, offset, attempt))
      return code;
  bool follow_now = false;
  for (;;) {
    auto target = "/v1/tasks/" + std::to_string(s.id) +
                  "/logs?stream=" + stream +
                  "&offset=" + std::to_string(offset) + "&length=1048576" +
                  (attempt ? "&attempt=" + std::to_string(attempt) : "") +
                  (follow_now ? "&follow=true" : "");
    auto r = call_raw(c, "GET", target, "", follow_now ? 35 : 0);
    if (r.status != 200)
      return report_failure(r);
    // The bytes exactly as they are: binary-safe, nothing added.
    if (!r.body.empty()) {
      std::fwrite(r.body.data(), 1, r.body.size(), stdout);
      std::fflush(stdout);
    }
    auto next = number(r, "X-Log-Next-Offset");
    auto size = number(r, "X-Log-Size");
    bool complete = r.header("X-Log-Complete") == "true";
    if (auto a = number(r, "X-Log-Attempt"); a > 0)
      attempt = static_cast<std::uint32_t>(a); // stay on this attempt
    offset = next;
    if (complete)
      return 0;
    if (next < size && !r.body.empty())
      continue; // more pages of what is there already
    if (!s.follow)
      return 0;
    follow_now = true;
  }
}

int print_failed_tails(const client_settings& c,
                       const std::vector<std::uint64_t>& ids) {
  std::vector<nlohmann::json> failed;
  if (!ids.empty()) {
    for (auto id : ids) {
      auto r = call_raw(c, "GET", "/v1/tasks/" + std::to_string(id));
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      if (r.status != 200 || j.is_discarded())
        continue;
      if (j.value("state", "") != "FINISHED" && !j["attempts"].empty()) {
        auto a = j["attempts"].back();
        a["id"] = id;
        a["state"] = j.value("state", "");
        failed.push_back(std::move(a));
      }
    }
  } else {
    std::uint64_t after = 0;
    for (;;) {
      auto r = call_raw(
        c, "GET", "/v1/results?limit=1000&after=" + std::to_string(after));
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      if (r.status != 200 || j.is_discarded() || j["results"].empty())
        break;
      for (auto& res : j["results"])
        if (res.value("state", "") != "FINISHED")
          failed.push_back(res);
      after = j["next"].get<std::uint64_t>();
    }
  }
  for (auto& f : failed) {
    std::cout << "--- task " << f.value("id", std::uint64_t{0}) << " "
              << f.value("state", "");
    if (f.contains("exit_status"))
      std::cout << " exit=" << f["exit_status"].get<int>();
    std::cout << ": stderr tail ---\n";
    auto tail = f.value("stderr_tail", "");
    std::cout << tail;
    if (!tail.empty() && tail.back() != '\n')
      std::cout << "\n";
  }
  std::cout.flush();
  return 0;
}

void add_logs_command(CLI::App& app, std::function<int()>& run,
                      const std::shared_ptr<client_settings>& cs) {
  auto cmd = app.add_subcommand(
    "logs", "print a task's stdout (or --stderr) from its agent, bytes "
            "exactly as written");
  add_client_options(*cmd, *cs);
  auto ls = std::make_shared<logs_settings>();
  cmd->add_option("id", ls->id, "task id")->required();
  cmd->add_flag("--stderr", ls->stderr_stream, "stderr instead of stdout");
  cmd->add_option("--attempt", ls->attempt,
                  "attempt number (default: the "
                  "latest)");
  cmd->add_flag("--follow,-f", ls->follow,
                "keep printing new output until the attempt ends");
  cmd->add_option("--tail", ls->tail, "start with the last N lines");
  cmd->callback([&run, cs, ls] {
    run = client_action(cs, [cs, ls] { return print_logs(*cs, *ls); });
  });
}

} // namespace outrigger::app
