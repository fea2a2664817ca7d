// End to end: task output read from the agents' sandboxes — `outrigger
// logs`, GET /v1/tasks/{id}/logs and /files, stderr tails in results and
// `wait --logs` — under `serve --dev` and against a separate outrigger-sim
// with exec agents.

#include "tests/app/service_fixture.hpp"

#include "app/http_client.hpp"

namespace outrigger::test {

namespace {

app::client_response raw_get(const serve_process& serve,
                             const std::string& target) {
  return app::http_call(serve.url(), "GET", target, "", "", 60s);
}

// The issue's scenario, then the API's edges.
void check_logs(serve_process& serve) {
  auto cli = [&](std::vector<std::string> args) {
    // The subcommand, --api, then the rest (which may end with `-- cmd`).
    std::vector<std::string> argv{outrigger_bin(), args.at(0), "--api",
                                  serve.url()};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return run_program(argv, {}, 120s);
  };
  auto sub =
    cli({"submit", "--brief", "--key", "one", "--mem", "32", "--max-attempts",
         "1", "--", "sh", "-c", "echo hello; echo oops >&2; exit 3"});
  REQUIRE(sub.status == 0);
  CHECK(cli({"wait", "1", "--for", "90"}).status == 3);

  auto out = cli({"logs", "1"});
  CHECK(out.status == 0);
  CHECK(out.out == "hello\n");
  auto err = cli({"logs", "1", "--stderr"});
  CHECK(err.status == 0);
  CHECK(err.out.find("oops\n") != std::string::npos);

  auto results = serve.call("GET", "/v1/results?after=0");
  REQUIRE(results.status == 200);
  REQUIRE(results.body["results"].size() == 1);
  auto& r = results.body["results"][0];
  CHECK(r["exit_status"] == 3);
  CHECK(r["state"] == "FAILED");
  CHECK(r.value("stderr_tail", "").find("oops") != std::string::npos);
  auto task = serve.call("GET", "/v1/tasks/1");
  CHECK(task.body["attempts"][0].value("stderr_tail", "").find("oops") !=
        std::string::npos);
  auto wl = cli({"wait", "1", "--logs"});
  CHECK(wl.status == 3);
  CHECK(wl.out.find("oops") != std::string::npos);

  // Pages: headers, negative offsets, bounds.
  auto page = raw_get(serve, "/v1/tasks/1/logs");
  CHECK(page.status == 200);
  CHECK(page.body == "hello\n");
  CHECK(page.header("Content-Type") == "application/octet-stream");
  CHECK(page.header("X-Log-Offset") == "0");
  CHECK(page.header("X-Log-Next-Offset") == "6");
  CHECK(page.header("X-Log-Size") == "6");
  CHECK(page.header("X-Log-Complete") == "true");
  auto end = raw_get(serve, "/v1/tasks/1/logs?offset=-4");
  CHECK(end.body == "llo\n");
  CHECK(end.header("X-Log-Offset") == "2");
  auto part = raw_get(serve, "/v1/tasks/1/logs?offset=1&length=3");
  CHECK(part.body == "ell");
  CHECK(part.header("X-Log-Complete") == "false");
  CHECK(raw_get(serve, "/v1/tasks/1/logs?length=2000000").status == 400);
  CHECK(raw_get(serve, "/v1/tasks/1/logs?stream=both").status == 400);
  CHECK(raw_get(serve, "/v1/tasks/99/logs").status == 404);
  CHECK(raw_get(serve, "/v1/tasks/1/logs?attempt=5").status == 404);
  CHECK(cli({"logs", "99"}).status == 1);

  // Sandbox files.
  auto listing = serve.call("GET", "/v1/tasks/1/files/");
  CHECK(listing.status == 200);
  CHECK(listing.body.dump().find("/stdout") != std::string::npos);
  auto file = raw_get(serve, "/v1/tasks/1/files/stdout");
  CHECK(file.status == 200);
  CHECK(file.body == "hello\n");
  CHECK(raw_get(serve, "/v1/tasks/1/files/nope").status == 404);
  CHECK(raw_get(serve, "/v1/tasks/1/files/../x").status == 400);

  // Never launched: more cpus than any agent has.
  REQUIRE(
    serve
      .call(
        "POST", "/v1/tasks",
        R"({"key":"big","command":"true","resources":{"cpus":900,"mem":32}})")
      .status == 201);
  CHECK(raw_get(serve, "/v1/tasks/2/logs").status == 409);
  CHECK(serve.call("DELETE", "/v1/tasks/2").status == 200);

  // Bytes exactly: not UTF-8, a NUL, no newline at the end.
  REQUIRE(cli({"submit", "--key", "bin", "--mem", "32", "--shell",
               "printf 'a\\377\\000b'"})
            .status == 0);
  CHECK(cli({"wait", "3", "--for", "90"}).status == 0);
  auto bin = cli({"logs", "3"});
  CHECK(bin.out == std::string("a\xff\0b", 4));

  // --follow streams a task that prints a line a second until it ends.
  REQUIRE(cli({"submit", "--key", "slow", "--mem", "32", "--shell",
               "for i in 1 2 3; do echo line$i; sleep 1; done"})
            .status == 0);
  REQUIRE(serve.eventually("/v1/tasks/4", [](const api_answer& a) {
    return a.body.value("state", "") == "RUNNING";
  }));
  auto follow = cli({"logs", "4", "--follow"});
  CHECK(follow.status == 0);
  CHECK(follow.out == "line1\nline2\nline3\n");
  // --tail counts lines, like tail -n.
  CHECK(cli({"logs", "4", "--tail", "1"}).out == "line3\n");
  CHECK(cli({"logs", "4", "--tail", "2"}).out == "line2\nline3\n");
  CHECK(cli({"logs", "4", "--tail", "9"}).out == "line1\nline2\nline3\n");
  CHECK(cli({"logs", "4", "--tail", "0"}).out.empty());
}

} // namespace

TEST_CASE("task output under serve --dev: logs, files, stderr tails") {
  temp_dir dir{"or-logs"};
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(serve.eventually(
    "/readyz", [](const api_answer& a) { return a.status == 200; }));
  check_logs(serve);
}

TEST_CASE("task output against outrigger-sim with exec agents") {
  temp_dir dir{"or-logs-sim"};
  sim_process sim{{"--agents", "1", "--mode", "exec", "--resources",
                   "cpus:4;mem:4096;disk:4096;ports:[31000-32000]",
                   "--work-dir", (dir.path() / "agents").string()},
                  dir.path() / "sim.log"};
  REQUIRE(sim.up());
  serve_process serve{
    {"--master", sim.url(), "--data-dir", (dir.path() / "data").string()},
    dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(serve.eventually(
    "/readyz", [](const api_answer& a) { return a.status == 200; }));
  check_logs(serve);
  // The sandbox is gone (agent GC): 410 with the reason.
  std::filesystem::remove_all(dir.path() / "agents" / "slaves");
  auto gone = raw_get(serve, "/v1/tasks/1/logs");
  CHECK(gone.status == 410);
  CHECK(gone.body.find("no longer has") != std::string::npos);
}

TEST_CASE("synthetic agents serve a generated stdout") {
  temp_dir dir{"or-logs-syn"};
  sim_process sim{
    {"--agents", "1", "--mode", "synthetic", "--synthetic-duration", "100"},
    dir.path() / "sim.log"};
  REQUIRE(sim.up());
  serve_process serve{
    {"--master", sim.url(), "--data-dir", (dir.path() / "data").string()},
    dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(
    serve.call("POST", "/v1/tasks", task_body("s", "echo pretend")).status ==
    201);
  REQUIRE(serve.all_terminal());
  auto page = raw_get(serve, "/v1/tasks/1/logs");
  CHECK(page.status == 200);
  CHECK(page.body.find("synthetic task or-1-1") != std::string::npos);
  CHECK(page.body.find("echo pretend") != std::string::npos);
  CHECK(page.header("X-Log-Complete") == "true");
}

} // namespace outrigger::test
