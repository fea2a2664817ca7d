// sim::exec_runtime: real subprocesses, reported like the Mesos command
// executor reports them (design.md §M11; wording from
// src/launcher/executor.cpp and src/common/status_utils.hpp).

#include "sim/exec_runtime.hpp"
#include "sim/io_thread.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <thread>

using namespace outrigger;
using namespace outrigger::test;
using namespace std::chrono_literals;
using protocol::task_state;

namespace {

struct report {
  std::string agent, framework, task;
  task_state state;
  std::string message;
  std::optional<protocol::status_reason> reason;
};

// Records reports; touched on the io thread only.
struct recorder : sim::task_listener {
  std::vector<report> reports;
  void on_task_state(const protocol::AgentID& agent,
                     const protocol::FrameworkID& framework,
                     const protocol::TaskID& task, task_state state,
                     std::string message,
                     std::optional<protocol::status_reason> reason) override {
    reports.push_back({agent.value, framework.value, task.value, state,
                       std::move(message), reason});
  }
};

struct exec_fixture {
  temp_dir dir{"outrigger-exec"};
  sim::io_thread io;
  recorder listener;
  std::unique_ptr<sim::exec_runtime> runtime;
  protocol::AgentID agent{"agent-S0"};
  protocol::FrameworkID framework{"fw-0000"};

  explicit exec_fixture(sim::exec_options options = {}) {
    options.work_dir = dir.path() / "work";
    io.call([&] {
      runtime =
        std::make_unique<sim::exec_runtime>(io.context(), listener, options);
    });
  }
  ~exec_fixture() {
    io.call([&] { runtime.reset(); });
  }

  static protocol::TaskInfo shell_task(std::string id, std::string command) {
    protocol::TaskInfo task;
    task.name = id;
    task.task_id.value = std::move(id);
    task.command.emplace();
    task.command->value = std::move(command);
    return task;
  }

  void launch(const protocol::TaskInfo& task,
              std::optional<protocol::FrameworkID> fw = std::nullopt) {
    io.call([&] { runtime->launch(agent, fw.value_or(framework), task); });
  }

  void kill(const std::string& task, std::chrono::milliseconds grace,
            bool killing_state) {
    io.call([&] {
      runtime->kill(agent, protocol::TaskID{task}, grace, killing_state);
    });
  }

  std::vector<report> of(const std::string& task) {
    std::vector<report> out;
    io.call([&] {
      for (auto& r : listener.reports)
        if (r.task == task)
          out.push_back(r);
    });
    return out;
  }

  std::vector<task_state> states(const std::string& task) {
    std::vector<task_state> out;
    for (auto& r : of(task))
      out.push_back(r.state);
    return out;
  }

  // Waits (bounded, generously) until `task` has a report in `state`.
  std::optional<report> wait_for(const std::string& task, task_state state,
                                 std::chrono::seconds limit = 30s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto& r : of(task))
        if (r.state == state)
          return r;
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  bool eventually(std::function<bool()> pred) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      bool ok = false;
      io.call([&] { ok = pred(); });
      if (ok)
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  std::string read(const std::string& task, const char* file) {
    auto path =
      runtime->sandbox(agent, framework, protocol::TaskID{task}) / file;
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  // Waits until the task's stdout contains `text` (the task is ready).
  bool wait_output(const std::string& task, const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (read(task, "stdout").find(text) != std::string::npos)
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
};

} // namespace

TEST_CASE("exec: a command that succeeds: STARTING, RUNNING, FINISHED") {
  exec_fixture f;
  f.launch(exec_fixture::shell_task("echo", "echo hello"));
  auto done = f.wait_for("echo", task_state::finished);
  REQUIRE(done);
  CHECK(done->message == "Command exited with status 0");
  CHECK_FALSE(done->reason);
  CHECK(done->agent == "agent-S0");
  CHECK(done->framework == "fw-0000");
  CHECK(f.states("echo") == std::vector{task_state::starting,
                                        task_state::running,
                                        task_state::finished});
  CHECK(f.read("echo", "stdout") == "hello\n");
  CHECK(f.read("echo", "stderr").empty());
  // The agent's layout, with runs/latest pointing at the run.
  auto latest =
    f.runtime->sandbox(f.agent, f.framework, protocol::TaskID{"echo"});
  CHECK(latest.string().find("/slaves/agent-S0/frameworks/fw-0000/executors/"
                             "echo/runs/latest") != std::string::npos);
  CHECK(std::filesystem::is_symlink(latest));
  CHECK(f.eventually([&] { return f.runtime->running() == 0; }));
}

TEST_CASE("exec: a failing command: TASK_FAILED with its exit status") {
  exec_fixture f;
  f.launch(exec_fixture::shell_task("three", "echo oops >&2; exit 3"));
  auto failed = f.wait_for("three", task_state::failed);
  REQUIRE(failed);
  CHECK(failed->message == "Command exited with status 3");
  CHECK(f.read("three", "stderr") == "oops\n");
  CHECK(f.states("three").size() == 3);
}

TEST_CASE("exec: argv form runs the program with exactly its arguments") {
  exec_fixture f;
  auto task = exec_fixture::shell_task("argv", "printf");
  task.command->shell = false;
  task.command->arguments = {"printf", "%s|%s", "a b", "$HOME"};
  f.launch(task);
  REQUIRE(f.wait_for("argv", task_state::finished));
  CHECK(f.read("argv", "stdout") == "a b|$HOME"); // no shell expansion

  auto missing = exec_fixture::shell_task("missing", "/nonexistent/program");
  missing.command->shell = false;
  f.launch(missing);
  auto failed = f.wait_for("missing", task_state::failed);
  REQUIRE(failed);
  CHECK(failed->message.find("Failed to launch") == 0);
  CHECK(failed->reason == protocol::status_reason::command_executor_failed);
}

TEST_CASE("exec: the environment, the sandbox as working directory") {
  exec_fixture f;
  auto task = exec_fixture::shell_task(
    "env", "printf '%s|%s|%s|%s|%s|' \"$FOO\" \"$MESOS_TASK_ID\" "
           "\"$MESOS_AGENT_ID\" \"$MESOS_FRAMEWORK_ID\" \"$MESOS_EXECUTOR_ID\";"
           " test \"$(pwd -P)\" = \"$(cd \"$MESOS_SANDBOX\" && pwd -P)\" && "
           "echo same-dir");
  task.command->environment.emplace();
  protocol::EnvironmentVariable foo;
  foo.name = "FOO";
  foo.value = "bar baz";
  protocol::EnvironmentVariable secret;
  secret.name = "SECRET";
  secret.type = protocol::env_variable_type::secret;
  task.command->environment->variables = {foo, secret};
  f.launch(task);
  REQUIRE(f.wait_for("env", task_state::finished));
  CHECK(f.read("env", "stdout") ==
        "bar baz|env|agent-S0|fw-0000|env|same-dir\n");
}

TEST_CASE("exec: kill sends TERM: KILLING when asked, then KILLED") {
  exec_fixture f;
  f.launch(exec_fixture::shell_task("sleeper", "sleep 100"));
  REQUIRE(f.wait_for("sleeper", task_state::running));
  auto start = std::chrono::steady_clock::now();
  f.kill("sleeper", 20s, true);
  auto killed = f.wait_for("sleeper", task_state::killed);
  REQUIRE(killed);
  CHECK(std::chrono::steady_clock::now() - start < 20s); // within the grace
  CHECK(killed->message == "Command terminated with signal Terminated");
  CHECK(f.states("sleeper") ==
        std::vector{task_state::starting, task_state::running,
                    task_state::killing, task_state::killed});

  // Without the TASK_KILLING_STATE capability there is no KILLING.
  f.launch(exec_fixture::shell_task("quiet", "sleep 100"));
  REQUIRE(f.wait_for("quiet", task_state::running));
  f.kill("quiet", 20s, false);
  REQUIRE(f.wait_for("quiet", task_state::killed));
  CHECK(f.states("quiet").size() == 3);

  // Kills of unknown or finished tasks are ignored.
  f.kill("sleeper", 1s, true);
  f.kill("nobody", 1s, true);
  CHECK(f.states("sleeper").size() == 4);
}

TEST_CASE("exec: a process that ignores TERM is killed after the grace") {
  exec_fixture f;
  f.launch(exec_fixture::shell_task(
    "stubborn", "trap '' TERM; echo ready; sleep 100; echo survived"));
  REQUIRE(f.wait_output("stubborn", "ready")); // the trap is in place
  auto start = std::chrono::steady_clock::now();
  f.kill("stubborn", 300ms, true);
  auto killed = f.wait_for("stubborn", task_state::killed);
  REQUIRE(killed);
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  CHECK(killed->message == "Command terminated with signal Killed");

  // A second kill may only shorten the grace.
  f.launch(exec_fixture::shell_task("stubborn2",
                                    "trap '' TERM; echo ready; sleep 100"));
  REQUIRE(f.wait_output("stubborn2", "ready"));
  f.kill("stubborn2", std::chrono::hours(1), true);
  f.kill("stubborn2", 100ms, true); // retried with a short grace
  f.kill("stubborn2", std::chrono::hours(2), true); // cannot lengthen it
  REQUIRE(f.wait_for("stubborn2", task_state::killed));
  CHECK(f.states("stubborn2").size() == 4); // one KILLING only
}

TEST_CASE("exec: what a task leaves behind in its group dies with it") {
  exec_fixture f;
  f.launch(exec_fixture::shell_task("orphan", "sleep 100 & echo $!"));
  REQUIRE(f.wait_for("orphan", task_state::finished));
  auto pid = std::stoi(f.read("orphan", "stdout"));
  auto gone = [pid] {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all{std::istreambuf_iterator<char>(stat), {}};
    // Gone, or a zombie waiting for init to reap it.
    return all.empty() || all.find(") Z ") != std::string::npos;
  };
  CHECK(f.eventually(gone));
}

TEST_CASE("exec: shutdown_framework kills its tasks without reports") {
  exec_fixture f;
  protocol::FrameworkID other{"fw-other"};
  f.launch(exec_fixture::shell_task("a1", "sleep 100"));
  f.launch(exec_fixture::shell_task("a2", "sleep 100"));
  f.launch(exec_fixture::shell_task("b1", "sleep 100"), other);
  for (auto* t : {"a1", "a2", "b1"})
    REQUIRE(f.wait_for(t, task_state::running));
  f.io.call([&] { f.runtime->shutdown_framework(f.agent, f.framework); });
  CHECK(f.eventually([&] { return f.runtime->running() == 1; }));
  f.io.call([] {}); // every report posted so far has been delivered
  CHECK(f.states("a1").size() == 2);
  CHECK(f.states("a2").size() == 2);
  CHECK(f.states("b1").size() == 2); // untouched
  f.kill("b1", 20s, false);
  CHECK(f.wait_for("b1", task_state::killed));
}

TEST_CASE("exec: max_completion_time fails the task") {
  exec_fixture f;
  auto task = exec_fixture::shell_task("slow", "sleep 100");
  task.max_completion_time = protocol::DurationInfo{200'000'000}; // 200 ms
  f.launch(task);
  auto failed = f.wait_for("slow", task_state::failed);
  REQUIRE(failed);
  CHECK(failed->reason == protocol::status_reason::max_completion_time_reached);
  CHECK(failed->message == "Command terminated with signal Terminated");
}

TEST_CASE("exec: bounded, and defensive about ids and executors") {
  sim::exec_options options;
  options.max_processes = 1;
  exec_fixture f{options};
  f.launch(exec_fixture::shell_task("first", "sleep 100"));
  f.launch(exec_fixture::shell_task("second", "true"));
  auto refused = f.wait_for("second", task_state::failed);
  REQUIRE(refused);
  CHECK(refused->reason == protocol::status_reason::container_launch_failed);

  f.launch(exec_fixture::shell_task("first", "true")); // id in use
  f.launch(exec_fixture::shell_task("../escape", "true"));
  protocol::TaskInfo no_command;
  no_command.task_id.value = "custom";
  no_command.executor.emplace();
  f.launch(no_command);
  REQUIRE(f.wait_for("../escape", task_state::failed));
  REQUIRE(f.wait_for("custom", task_state::failed));
  CHECK(f.states("first") ==
        std::vector{task_state::starting, task_state::running,
                    task_state::failed}); // the second launch refused
  CHECK(f.eventually([&] { return f.runtime->running() == 1; }));
}

TEST_CASE("exec: exits are noticed by polling where there are no pidfds") {
  sim::exec_options options;
  options.poll_exits = true;
  exec_fixture f{options};
  f.launch(exec_fixture::shell_task("polled", "echo polled; exit 4"));
  auto failed = f.wait_for("polled", task_state::failed);
  REQUIRE(failed);
  CHECK(failed->message == "Command exited with status 4");
  CHECK(f.read("polled", "stdout") == "polled\n");
  f.launch(exec_fixture::shell_task("polled-sleep", "sleep 100"));
  REQUIRE(f.wait_for("polled-sleep", task_state::running));
  f.kill("polled-sleep", 20s, true);
  REQUIRE(f.wait_for("polled-sleep", task_state::killed));
  CHECK(f.eventually([&] { return f.runtime->running() == 0; }));
}
