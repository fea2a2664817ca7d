// `outrigger logs` and the stderr tails of `outrigger wait --logs`.

#include "app/cli_logs.hpp"

#include "app/http_client.hpp"

#include <cstdio>
#include <iostream>

namespace outrigger::app {

namespace {

// Prints an API error; 1 for a refusal, 2 when unreachable.
int report(const client_response& r) {
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
    std::cerr << "outrigger: HTTP " << r.status << "\n";
  return 1;
}

std::int64_t number(const client_response& r, const std::string& name) {
  try {
    return std::stoll(r.header(name));
  } catch (const std::exception&) {
    return 0;
  }
}

} // namespace

int print_logs(const client_settings& c, const logs_settings& s) {
  auto stream = s.stderr_stream ? "stderr" : "stdout";
  std::int64_t offset = s.tail ? -static_cast<std::int64_t>(*s.tail) : 0;
  std::uint32_t attempt = s.attempt;
  bool follow_now = false;
  for (;;) {
    auto target = "/v1/tasks/" + std::to_string(s.id) +
                  "/logs?stream=" + stream +
                  "&offset=" + std::to_string(offset) + "&length=1048576" +
                  (attempt ? "&attempt=" + std::to_string(attempt) : "") +
                  (follow_now ? "&follow=true" : "");
    auto r = http_call(c.api, "GET", target, "", token_of(c),
                       std::chrono::seconds{c.timeout + (follow_now ? 35 : 0)});
    if (r.status != 200)
      return report(r);
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
      auto r = http_call(c.api, "GET", "/v1/tasks/" + std::to_string(id), "",
                         token_of(c), std::chrono::seconds{c.timeout});
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
      auto r = http_call(
        c.api, "GET", "/v1/results?limit=1000&after=" + std::to_string(after),
        "", token_of(c), std::chrono::seconds{c.timeout});
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
  cmd->add_option("--tail", ls->tail, "start this many bytes before the end");
  cmd->callback(
    [&run, cs, ls] { run = [cs, ls] { return print_logs(*cs, *ls); }; });
}

} // namespace outrigger::app
