// The CLI as people use it, end to end against `serve --dev`: on a
// terminal (tmux: fixed size, send-keys, capture-pane) `wait` redraws one
// status line and ends with a summary, `list` shows why a task waits, `top`
// draws its screen and quits on q; on a pipe -o json parses; the exit
// statuses; client.conf; the bash completion. Waits are for conditions
// with generous deadlines, never timed assertions.

#include "tests/app/service_fixture.hpp"

#include <fstream>

namespace outrigger::test {

namespace {

/// A tmux server of its own (socket in a temporary directory) running one
/// command in a detached session of a fixed size.
class tmux_session {
public:
  tmux_session(const std::filesystem::path& dir, const std::string& command,
               std::vector<std::string> env = {})
    : socket_((dir / "tmux.sock").string()) {
    env.push_back("TERM=xterm-256color");
    env.push_back("NO_COLOR=");
    auto r = run_program({"/usr/bin/tmux", "-u", "-S", socket_, "-f",
                          "/dev/null", "new-session", "-d", "-x", "200", "-y",
                          "50", "-s", "t", command},
                         env, 30s);
    started_ = r.status == 0;
    if (!started_)
      MESSAGE("tmux new-session failed: " << r.err);
  }
  ~tmux_session() {
    run_program({"/usr/bin/tmux", "-S", socket_, "kill-server"}, {}, 30s);
  }
  bool started() const { return started_; }

  /// The visible text of the pane (with its colour escapes if `escapes`).
  std::string screen(bool escapes = false) const {
    std::vector<std::string> argv{
      "/usr/bin/tmux", "-S", socket_, "capture-pane", "-p", "-t", "t"};
    if (escapes)
      argv.push_back("-e");
    return run_program(argv, {}, 30s).out;
  }

  /// Sends keys (tmux send-keys syntax).
  void keys(const std::string& k) const {
    run_program({"/usr/bin/tmux", "-S", socket_, "send-keys", "-t", "t", k}, {},
                30s);
  }

  /// Polls the screen until `pred` holds (at most `limit`); the last
  /// screen seen is in `last`.
  bool until(const std::function<bool(const std::string&)>& pred,
             std::string& last, std::chrono::milliseconds limit = 120s) const {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      last = screen();
      if (pred(last))
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

private:
  std::string socket_;
  bool started_ = false;
};

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos;
       p = text.find(needle, p + 1))
    ++n;
  return n;
}

nlohmann::json spec(const std::string& key, const std::string& cmd,
                    double mem = 32) {
  return {{"key", key},
          {"command", cmd},
          {"resources", {{"cpus", 0.01}, {"mem", mem}}},
          {"retry", {{"max_attempts", 1}}}};
}

} // namespace

TEST_CASE("wait on a terminal redraws one status line and ends with a "
          "summary") {
  temp_dir dir{"or-tty"};
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  // 160 quick tasks (one fails), then 2 x 20 held until their gate file
  // exists: the line must show 160/200, then 180/200, then the summary.
  auto gate_a = (dir.path() / "gate-a").string();
  auto gate_b = (dir.path() / "gate-b").string();
  nlohmann::json batch{{"tasks", nlohmann::json::array()}};
  for (int i = 0; i < 160; ++i)
    batch["tasks"].push_back(i == 7 ? spec("q7", "echo oops >&2; exit 3")
                                    : spec("q" + std::to_string(i), "true"));
  for (auto& [gate, name] : {std::pair{gate_a, "a"}, std::pair{gate_b, "b"}})
    for (int i = 0; i < 20; ++i)
      batch["tasks"].push_back(
        spec(std::string{name} + std::to_string(i),
             "while [ ! -e " + gate + " ]; do sleep 0.5; done"));
  REQUIRE(serve.call("POST", "/v1/tasks", batch.dump()).status == 200);

  tmux_session tmux{dir.path(),
                    outrigger_bin() + " wait --api " + serve.url() +
                      "; echo EXIT=$?; sleep 600",
                    {"XDG_CONFIG_HOME=" + dir.path().string()}};
  REQUIRE(tmux.started());
  std::string screen;
  auto has = [](const std::string& s) {
    return [s](const std::string& text) {
      return text.find(s) != std::string::npos;
    };
  };
  INFO(screen);
  REQUIRE(tmux.until(has("160/200 done"), screen));
  CHECK(screen.find("1 failed") != std::string::npos);
  CHECK(screen.find("40 ") != std::string::npos); // running or queued
  std::ofstream{gate_a} << "open\n";
  REQUIRE(tmux.until(has("180/200 done"), screen));
  // Redrawn in place: one status line on the screen, never a second.
  CHECK(count_of(screen, "/200 done") == 1);
  std::ofstream{gate_b} << "open\n";
  REQUIRE(tmux.until(has("EXIT="), screen));
  CHECK(screen.find("EXIT=3") != std::string::npos);
  CHECK(screen.find("200 tasks: 199 FINISHED, 1 FAILED") != std::string::npos);
  CHECK(screen.find("Did not finish:") != std::string::npos);
  CHECK(screen.find("q7  FAILED  exit=3") != std::string::npos);
  CHECK(count_of(screen, "/200 done") == 0); // cleared before the summary
}

TEST_CASE("list on a terminal shows why a task waits, -o json parses, top "
          "draws and quits") {
  temp_dir dir{"or-tty"};
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(
    serve.call("POST", "/v1/tasks", spec("small", "true").dump()).status ==
    201);
  REQUIRE(serve.call("POST", "/v1/tasks", spec("huge", "true", 4000000).dump())
            .status == 201);
  REQUIRE(serve.eventually("/v1/tasks/2", [](const api_answer& a) {
    return a.body.contains("pending_reason");
  }));
  REQUIRE(serve.eventually("/v1/tasks/1", [](const api_answer& a) {
    return a.body.value("state", "") == "FINISHED";
  }));
  // The config file says where the API is: no --api below.
  std::filesystem::create_directories(dir.path() / "outrigger");
  std::ofstream{dir.path() / "outrigger" / "client.conf"}
    << "# test\napi = " << serve.url() << "\n";
  std::vector<std::string> env{"XDG_CONFIG_HOME=" + dir.path().string()};

  {
    tmux_session tmux{dir.path(),
                      outrigger_bin() + " list; echo EXIT=$?; NO_COLOR=1 " +
                        outrigger_bin() + " list; sleep 600",
                      env};
    REQUIRE(tmux.started());
    std::string screen;
    INFO(screen);
    REQUIRE(tmux.until(
      [](const std::string& s) { return s.find("EXIT=") != std::string::npos; },
      screen));
    CHECK(screen.find("EXIT=0") != std::string::npos);
    CHECK(screen.find("ID  KEY    STATE     ATTEMPTS  AGE  AGENT      "
                      "REASON") != std::string::npos);
    CHECK(screen.find("huge   QUEUED") != std::string::npos);
    CHECK(screen.find("no offer has mem") != std::string::npos);
    CHECK(screen.find("small  FINISHED") != std::string::npos);
    // Coloured on a terminal, but not with NO_COLOR (the second table).
    REQUIRE(tmux.until(
      [](const std::string& s) { return count_of(s, "small  FINISHED") == 2; },
      screen));
    auto coloured = tmux.screen(true);
    auto exit_at = coloured.find("EXIT=0");
    REQUIRE(exit_at != std::string::npos);
    CHECK(coloured.substr(0, exit_at).find("\x1b[32mFINISHED") !=
          std::string::npos);
    CHECK(coloured.substr(exit_at).find("\x1b[") == std::string::npos);
  }

  // On a pipe: JSON, as before, or what -o asks for.
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{outrigger_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, env, 90s);
  };
  auto list = cli({"list", "-o", "json"});
  REQUIRE(list.status == 0);
  CHECK(nlohmann::json::parse(list.out)["tasks"].size() == 2);
  auto piped = cli({"list"});
  CHECK(nlohmann::json::parse(piped.out)["tasks"].size() == 2);
  auto results = cli({"results", "-o", "json"});
  CHECK(nlohmann::json::parse(results.out)["results"].size() == 1);
  auto get = cli({"get", "2", "-o", "json"});
  CHECK(nlohmann::json::parse(get.out)["state"] == "QUEUED");
  CHECK(cli({"list", "-o", "ids"}).out == "1\n2\n");
  auto table = cli({"list", "-o", "table"});
  CHECK(table.out.find("no offer has mem ≥ ") != std::string::npos);
  auto one = cli({"wait", "1", "-o", "json"});
  CHECK(one.status == 0);
  CHECK(nlohmann::json::parse(one.out)["counts"]["FINISHED"] == 1);
  // The impossible task does not end: --for runs out, exit status 3.
  auto late = cli({"wait", "2", "--for", "1"});
  CHECK(late.status == 3);
  CHECK(late.err.find("1 of 1 tasks had not ended after 1 s") !=
        std::string::npos);
  // The environment beats the file, the flag beats the environment.
  env.push_back("OUTRIGGER_API=http://127.0.0.1:9");
  CHECK(cli({"wait", "1"}).status == 4);
  CHECK(cli({"wait", "1", "--api", serve.url()}).status == 0);

  // top: the framework, the counts and the oldest pending task; q quits.
  tmux_session top{dir.path(), outrigger_bin() + " top --api " + serve.url() +
                                 "; echo EXIT=$?; sleep 600"};
  REQUIRE(top.started());
  std::string screen;
  INFO(screen);
  REQUIRE(top.until(
    [](const std::string& s) {
      return s.find("Oldest pending  #2 huge") != std::string::npos;
    },
    screen));
  CHECK(screen.find("2 total  1 queued  0 running  1 ended") !=
        std::string::npos);
  CHECK(screen.find("no offer has mem") != std::string::npos);
  top.keys("q");
  REQUIRE(top.until(
    [](const std::string& s) { return s.find("EXIT=") != std::string::npos; },
    screen));
  CHECK(screen.find("EXIT=0") != std::string::npos);
  CHECK(screen.find("Oldest pending") == std::string::npos); // screen left
}

TEST_CASE("wait and the configuration fail with status 4 and say why") {
  temp_dir dir{"or-tty"};
  std::filesystem::create_directories(dir.path() / "outrigger");
  std::ofstream{dir.path() / "outrigger" / "client.conf"}
    << "api = http://127.0.0.1:9\ntimeout: 5\n";
  auto conf = (dir.path() / "outrigger" / "client.conf").string();
  std::vector<std::string> env{"XDG_CONFIG_HOME=" + dir.path().string()};
  auto bad = run_program({outrigger_bin(), "wait"}, env, 60s);
  CHECK(bad.status == 4);
  CHECK(bad.err == "outrigger: " + conf +
                     " line 2: expected key = value, got \"timeout: 5\"\n");
  std::ofstream{conf} << "api = http://127.0.0.1:9\n";
  auto down = run_program({outrigger_bin(), "wait"}, env, 60s);
  CHECK(down.status == 4);
  CHECK(down.err.find("cannot reach the outrigger API at "
                      "http://127.0.0.1:9") != std::string::npos);
  auto usage = run_program({outrigger_bin(), "wait", "--for", "x"}, env, 60s);
  CHECK(usage.status == 4);
  auto token = run_program(
    {outrigger_bin(), "list", "--token-file", (dir.path() / "nope").string()},
    env, 60s);
  CHECK(token.status == 4);
  CHECK(token.err.find("cannot read the token file") != std::string::npos);
}

TEST_CASE("the completion scripts are generated from the commands and load") {
  auto bash = run_program(
    {"/bin/bash", "-c",
     "source <(" + outrigger_bin() +
       " completion bash) && complete -p outrigger && "
       "COMP_WORDS=(outrigger su); COMP_CWORD=1; _outrigger; "
       "echo \"one:${COMPREPLY[*]}\"; "
       "COMP_WORDS=(outrigger list -o ''); COMP_CWORD=3; _outrigger; "
       "echo \"formats:${COMPREPLY[*]}\"; "
       "COMP_WORDS=(outrigger wait --q); COMP_CWORD=2; _outrigger; "
       "echo \"wait:${COMPREPLY[*]}\"; "
       "COMP_WORDS=(outrigger wait --brief ''); COMP_CWORD=3; _outrigger; "
       "echo \"after-flag:${COMPREPLY[*]}\""},
    {}, 60s);
  INFO(bash.err);
  CHECK(bash.status == 0);
  CHECK(bash.out.find("complete -F _outrigger outrigger") != std::string::npos);
  CHECK(bash.out.find("one:submit\n") != std::string::npos);
  CHECK(bash.out.find("formats:json table wide ids brief\n") !=
        std::string::npos);
  CHECK(bash.out.find("wait:--quiet\n") != std::string::npos);
  // After a flag (no value), options are offered again.
  CHECK(bash.out.find("after-flag:--help -h --api") != std::string::npos);
  for (std::string shell : {"zsh", "fish"}) {
    auto s = run_program({outrigger_bin(), "completion", shell}, {}, 60s);
    CHECK(s.status == 0);
    CHECK(s.out.find("top") != std::string::npos);
    bool names_option = s.out.find("--token-file") != std::string::npos ||
                        s.out.find("-l token-file") != std::string::npos;
    CHECK(names_option);
  }
  CHECK(run_program({outrigger_bin(), "completion", "tcsh"}, {}, 60s).status ==
        4);
}

} // namespace outrigger::test
