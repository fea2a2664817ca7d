#pragma once
// `outrigger serve` and `outrigger-sim` as child processes on loopback, and
// a JSON client of the API, for the end-to-end tests. Waits are bounded and
// for outcomes only (never "sleep and hope").

#include "app/http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace outrigger::test {

using namespace std::chrono_literals;

/// Path of the outrigger binary under test.
inline std::string outrigger_bin() {
  return OUTRIGGER_BIN;
}

/// Path of the simulator binary.
inline std::string sim_bin() {
  return OUTRIGGER_SIM_BIN;
}

/// An answer of the API.
struct api_answer {
  unsigned status = 0;
  nlohmann::json body;
};

/// `outrigger serve` with the given extra arguments on an ephemeral port.
class serve_process {
public:
  serve_process(std::vector<std::string> args, const std::filesystem::path& log,
                std::vector<std::string> env = {}) {
    std::vector<std::string> argv{outrigger_bin(), "serve", "--listen",
                                  "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    proc_ = std::make_unique<child_process>(argv, env, log);
    auto line = proc_->wait_for_line("API listening on", 30s);
    if (line)
      port_ = port_in(*line);
  }

  /// True when the API came up.
  bool up() const { return port_ != 0; }

  /// "http://127.0.0.1:<port>".
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

  /// One request; the body parsed as JSON (null when it is not JSON).
  api_answer call(const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& token = {}) const {
    auto r = app::http_call(url(), method, target, body, token, 30s);
    api_answer a{r.status, nlohmann::json::parse(r.body, nullptr, false)};
    if (a.body.is_discarded())
      a.body = nullptr;
    return a;
  }

  /// Polls `pred` on GET `target` until true (at most `limit`).
  bool eventually(const std::string& target,
                  const std::function<bool(const api_answer&)>& pred,
                  std::chrono::milliseconds limit = 60s) const {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred(call("GET", target)))
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  /// True once no task is queued, launching or running.
  bool all_terminal(std::chrono::milliseconds limit = 60s) const {
    return eventually(
      "/v1/framework",
      [](const api_answer& a) {
        if (a.status != 200)
          return false;
        for (auto& [state, n] : a.body["tasks"].items())
          if (state != "FINISHED" && state != "FAILED" && state != "KILLED" &&
              state != "ERROR" && state != "LOST" && state != "DROPPED" &&
              state != "GONE" && n.get<int>() > 0)
            return false;
        return true;
      },
      limit);
  }

  child_process& process() { return *proc_; }

private:
  std::unique_ptr<child_process> proc_;
  std::uint16_t port_ = 0;
};

/// `outrigger-sim` with synthetic agents.
class sim_process {
public:
  sim_process(std::vector<std::string> args, const std::filesystem::path& log) {
    std::vector<std::string> argv{sim_bin(), "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    proc_ =
      std::make_unique<child_process>(argv, std::vector<std::string>{}, log);
    if (auto line = proc_->wait_for_line("master 1 listening on", 30s))
      port_ = port_in(*line);
    proc_->wait_for_line("ready", 30s);
  }
  bool up() const { return port_ != 0; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  /// GET /master/state.
  nlohmann::json state() const {
    auto r = app::http_call(url(), "GET", "/master/state", "", "", 30s);
    return nlohmann::json::parse(r.body, nullptr, false);
  }

private:
  std::unique_ptr<child_process> proc_;
  std::uint16_t port_ = 0;
};

/// A task spec with a key and a shell command.
inline std::string task_body(const std::string& key, const std::string& cmd,
                             double mem = 32) {
  return nlohmann::json{{"key", key},
                        {"command", cmd},
                        {"resources", {{"cpus", 0.1}, {"mem", mem}}}}
    .dump();
}

} // namespace outrigger::test
