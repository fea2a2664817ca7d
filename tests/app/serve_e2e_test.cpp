// End to end over real sockets: `outrigger serve --dev` and the CLI, the
// API's error cases, restarts, SIGTERM.

#include "tests/app/service_fixture.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace outrigger::test {

TEST_CASE("the CLI runs a command on serve --dev and shows its result") {
  temp_dir dir{"or-e2e"};
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  std::vector<std::string> api{"--api", serve.url()};
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{outrigger_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, {}, 90s);
  };
  auto sub = cli({"submit", "--api", serve.url(), "--brief", "--key", "hello",
                  "--mem", "32", "--", "echo", "hello"});
  REQUIRE(sub.status == 0);
  CHECK(sub.out.rfind("1\thello\t", 0) == 0);
  auto fail = cli({"submit", "--api", serve.url(), "--brief", "--key", "bad",
                   "--mem", "32", "--max-attempts", "1", "--shell", "exit 7"});
  REQUIRE(fail.status == 0);
  auto wait = cli({"wait", "--api", serve.url(), "--for", "60"});
  CHECK(wait.status == 3); // one task failed
  CHECK(wait.out.find("hello\tFINISHED\texit=0") != std::string::npos);
  CHECK(wait.out.find("bad\tFAILED\texit=7") != std::string::npos);
  auto one = cli({"wait", "--api", serve.url(), "1"});
  CHECK(one.status == 0);
  auto get = cli({"get", "--api", serve.url(), "1"});
  REQUIRE(get.status == 0);
  auto task = nlohmann::json::parse(get.out);
  CHECK(task["state"] == "FINISHED");
  CHECK(task["attempts"][0]["exit_status"] == 0);
  auto list =
    cli({"list", "--api", serve.url(), "--brief", "--state", "failed"});
  CHECK(list.out == "2\tbad\tFAILED\n");
  auto results = cli({"results", "--api", serve.url(), "--brief"});
  CHECK(results.out.find("1\thello\tFINISHED") != std::string::npos);
  auto missing = cli({"get", "--api", serve.url(), "99"});
  CHECK(missing.status == 1);
  auto version = cli({"version"});
  CHECK(version.out.rfind("outrigger ", 0) == 0);
  // teardown asks first; "no" leaves the framework alone.
  auto td = run_program({outrigger_bin(), "teardown", "--api", serve.url()}, {},
                        30s, "no\n");
  CHECK(td.status == 1);
  CHECK(serve.call("GET", "/readyz").status == 200);
  serve.process().signal(SIGTERM);
  CHECK(serve.process().wait(20s) == 0);
}

TEST_CASE("API errors give the documented error and change nothing") {
  temp_dir dir{"or-e2e"};
  std::ofstream{dir.path() / "token"} << "s3cret-token\n";
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string(),
                       "--api-token-file", (dir.path() / "token").string(),
                       "--max-body-bytes", "2048"},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  const std::string token = "s3cret-token";
  auto post = [&](const std::string& body, const std::string& tok) {
    return serve.call("POST", "/v1/tasks", body, tok);
  };
  auto expect_error = [](const api_answer& a, unsigned status,
                         const std::string& code,
                         const std::string& field = {}) {
    CHECK(a.status == status);
    REQUIRE(a.body.is_object());
    CHECK(a.body["error"]["code"] == code);
    CHECK_FALSE(a.body["error"]["message"].get<std::string>().empty());
    if (!field.empty())
      CHECK(a.body["error"]["field"] == field);
  };
  SUBCASE("authentication") {
    expect_error(post(task_body("k", "true"), ""), 401, "unauthenticated");
    expect_error(post(task_body("k", "true"), "wrong-token"), 401,
                 "unauthenticated");
    expect_error(serve.call("DELETE", "/v1/tasks/1", "", "nope"), 401,
                 "unauthenticated");
    // Reads stay open by default; the token never shows in any answer.
    auto list = serve.call("GET", "/v1/tasks");
    CHECK(list.status == 200);
    CHECK(list.body.dump().find(token) == std::string::npos);
  }
  SUBCASE("bodies") {
    expect_error(post("{not json", token), 400, "invalid_argument");
    expect_error(post(R"({"key":"k","command":"true","memory":5})", token), 400,
                 "invalid_argument", "memory");
    expect_error(post(R"({"key":"k"})", token), 400, "invalid_argument",
                 "command");
    expect_error(
      post(R"({"key":"k","command":"true","resources":{"cpus":-1}})", token),
      400, "invalid_argument", "resources.cpus");
    expect_error(post(task_body("k", std::string(4096, 'x')), token), 413,
                 "payload_too_large");
    auto r = app::http_call(serve.url(), "POST", "/v1/tasks",
                            task_body("k", "true"), token, 30s, "text/plain");
    CHECK(r.status == 415);
  }
  SUBCASE("routes and parameters") {
    expect_error(serve.call("GET", "/v1/tasks/999"), 404, "not_found");
    expect_error(serve.call("DELETE", "/v1/tasks/999", "", token), 404,
                 "not_found");
    expect_error(serve.call("GET", "/v1/nothing"), 404, "not_found");
    CHECK(serve.call("PUT", "/v1/tasks", "", token).status == 405);
    expect_error(serve.call("GET", "/v1/tasks?limit=abc"), 400,
                 "invalid_argument", "limit");
    expect_error(serve.call("GET", "/v1/tasks?state=SLEEPING"), 400,
                 "invalid_argument", "state");
    expect_error(serve.call("GET", "/v1/results?wait=600"), 400,
                 "invalid_argument", "wait");
  }
  // None of it created a task.
  auto list = serve.call("GET", "/v1/tasks");
  REQUIRE(list.status == 200);
  CHECK(list.body["tasks"].empty());
  // And a good request still works (201, then 200 for the same key).
  auto created = post(task_body("good", "true"), token);
  CHECK(created.status == 201);
  auto again = post(task_body("good", "false"), token);
  CHECK(again.status == 200);
  CHECK(again.body["id"] == created.body["id"]);
}

TEST_CASE("a batch is answered item by item and submit --file sends NDJSON") {
  temp_dir dir{"or-e2e"};
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  auto spec = [](const std::string& key, double cpus = 0.1) {
    return nlohmann::json{{"key", key},
                          {"command", "true"},
                          {"resources", {{"cpus", cpus}, {"mem", 32}}}};
  };
  nlohmann::json batch{{"tasks", {spec("a"), spec("a"), spec("c", -1)}}};
  auto a = serve.call("POST", "/v1/tasks", batch.dump());
  REQUIRE(a.status == 200);
  auto& items = a.body["tasks"];
  REQUIRE(items.size() == 3);
  CHECK(items[0]["status"] == 201);
  CHECK(items[0]["task"]["key"] == "a");
  CHECK(items[1]["status"] == 200); // the same key: the same task
  CHECK(items[1]["task"]["id"] == items[0]["task"]["id"]);
  CHECK(items[2]["status"] == 400);
  CHECK(items[2]["error"]["field"] == "tasks[2].resources.cpus");
  // Over the limit: the whole batch is refused, nothing is created.
  nlohmann::json big{{"tasks", nlohmann::json::array()}};
  for (int i = 0; i < 1001; ++i)
    big["tasks"].push_back(spec("big-" + std::to_string(i)));
  auto refused = serve.call("POST", "/v1/tasks", big.dump());
  CHECK(refused.status == 400);
  CHECK(refused.body["error"]["field"] == "tasks");
  CHECK(serve.call("GET", "/v1/tasks").body["tasks"].size() == 1);

  auto cli = [&](std::vector<std::string> args, std::string input = {}) {
    std::vector<std::string> argv{outrigger_bin(), "submit", "--api",
                                  serve.url(), "--brief"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, {}, 90s, input);
  };
  auto file = (dir.path() / "tasks.ndjson").string();
  std::ofstream{file} << spec("f1").dump() << "\n\n"
                      << spec("f2").dump() << "\n"
                      << R"({"key":"f3","command":"true"})"
                      << "\n";
  // --mem patches every spec of the file; batches of two.
  auto sent = cli({"--file", file, "--mem", "64", "--batch-size", "2"});
  INFO(sent.err);
  CHECK(sent.status == 0);
  CHECK(sent.out.find("\tf1\tQUEUED") != std::string::npos);
  CHECK(sent.out.find("\tf3\tQUEUED") != std::string::npos);
  auto f3 = serve.call("GET", "/v1/tasks?key=f3").body["tasks"];
  REQUIRE(f3.size() == 1);
  CHECK(f3[0]["spec"]["resources"]["mem"] == 64);
  // A broken line: named, and nothing of the file is submitted.
  auto broken = cli({"--file", "-"}, spec("g1").dump() + "\n{oops\n");
  CHECK(broken.status == 1);
  CHECK(broken.err.find("stdin line 2") != std::string::npos);
  CHECK(serve.call("GET", "/v1/tasks?key=g").body["tasks"].empty());
  // From stdin; a refused item makes the exit status 1, the others run.
  auto piped =
    cli({"--file", "-"}, spec("g1").dump() + "\n" + spec("g2", -1).dump());
  CHECK(piped.status == 1);
  CHECK(piped.out.find("\tg1\t") != std::string::npos);
  CHECK(piped.err.find("task 2 (g2): invalid_argument: resources.cpus") !=
        std::string::npos);
  auto wait = run_program(
    {outrigger_bin(), "wait", "--api", serve.url(), "--for", "60"}, {}, 90s);
  CHECK(wait.status == 0);
  CHECK(wait.out.find("g1\tFINISHED") != std::string::npos);
}

TEST_CASE("a restart of serve keeps tasks and results") {
  temp_dir dir{"or-e2e"};
  auto data = (dir.path() / "data").string();
  nlohmann::json results_before;
  {
    serve_process serve{{"--dev", "--data-dir", data},
                        dir.path() / "serve1.log"};
    REQUIRE(serve.up());
    for (int i = 0; i < 3; ++i)
      REQUIRE(
        serve
          .call("POST", "/v1/tasks",
                task_body("r" + std::to_string(i), "echo " + std::to_string(i)))
          .status == 201);
    REQUIRE(serve.all_terminal());
    results_before = serve.call("GET", "/v1/results").body;
    REQUIRE(results_before["results"].size() == 3);
    serve.process().signal(SIGTERM);
    REQUIRE(serve.process().wait(20s) == 0);
  }
  serve_process serve{{"--dev", "--data-dir", data}, dir.path() / "serve2.log"};
  REQUIRE(serve.up());
  auto list = serve.call("GET", "/v1/tasks");
  REQUIRE(list.body["tasks"].size() == 3);
  for (auto& t : list.body["tasks"])
    CHECK(t["state"] == "FINISHED");
  CHECK(serve.call("GET", "/v1/results").body == results_before);
  auto again = serve.call("POST", "/v1/tasks", task_body("r1", "echo 1"));
  CHECK(again.status == 200);
  CHECK(again.body["id"] == 2);
}

TEST_CASE("SIGTERM leaves the framework registered with the master") {
  temp_dir dir{"or-e2e"};
  sim_process sim{
    {"--agents", "1", "--mode", "synthetic", "--synthetic-duration", "100-300"},
    dir.path() / "sim.log"};
  REQUIRE(sim.up());
  serve_process serve{{"--master", sim.url(), "--data-dir",
                       (dir.path() / "data").string(), "--advertise-url",
                       "https://sched.example.com:8443/"},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(serve.eventually(
    "/readyz", [](const api_answer& a) { return a.status == 200; }));
  REQUIRE(serve.call("POST", "/v1/tasks", task_body("t", "true")).status ==
          201);
  REQUIRE(serve.all_terminal());
  // The dashboard's address reaches the master (its web UI links to it).
  auto subscribed = sim.state();
  REQUIRE(subscribed["frameworks"].size() == 1);
  CHECK(subscribed["frameworks"][0]["webui_url"] ==
        "https://sched.example.com:8443/");
  CHECK(subscribed["frameworks"][0]["hostname"] == "sched.example.com");
  // The service's own activity counters: one launch and one finish.
  CHECK(serve.eventually("/v1/stats", [](const api_answer& a) {
    std::uint64_t launches = 0, finishes = 0;
    for (auto& i : a.body["intervals"]) {
      launches += i["launches"].get<std::uint64_t>();
      finishes += i["finishes"].get<std::uint64_t>();
    }
    return a.status == 200 && a.body["intervals"].size() == 90 &&
           launches == 1 && finishes == 1;
  }));
  serve.process().signal(SIGTERM);
  CHECK(serve.process().wait(20s) == 0);
  auto state = sim.state();
  REQUIRE(state["frameworks"].size() == 1);
  auto& fw = state["frameworks"][0];
  CHECK(fw["connected"] == false);
  CHECK(fw["name"] == "outrigger");
  CHECK(state["completed_frameworks"].empty());
}

} // namespace outrigger::test

namespace outrigger::test {

TEST_CASE("a start that fails after the actors are up exits instead of "
          "hanging") {
  temp_dir dir{"or-e2e"};
  // Hold a port so that the API cannot listen on it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto busy = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  child_process serve{{outrigger_bin(), "serve", "--master", "127.0.0.1:9",
                       "--data-dir", (dir.path() / "data").string(), "--listen",
                       busy},
                      {},
                      dir.path() / "serve.log"};
  CHECK(serve.wait(30s) == 1);
  ::close(fd);
}

} // namespace outrigger::test
