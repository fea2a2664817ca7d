// Secure by default, end to end over real sockets: no open API off
// loopback, scoped tokens per route, the audit trail, hardening of the
// data directory and secret files, and TLS (with a CA made by the test).

#include "tests/app/service_fixture.hpp"
#include "tests/support/tls_cert.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace outrigger::test {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in{p};
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// Writes a secret file readable by its owner only.
void write_secret(const std::filesystem::path& p, const std::string& text) {
  std::ofstream{p} << text;
  std::filesystem::permissions(p, std::filesystem::perms(0600));
}

// The audit lines of a file, parsed.
std::vector<nlohmann::json> audit_lines(const std::filesystem::path& p) {
  std::vector<nlohmann::json> out;
  std::istringstream in{slurp(p)};
  std::string line;
  while (std::getline(in, line))
    out.push_back(nlohmann::json::parse(line));
  return out;
}

// Trusts the CAs of `ca_file` (no client certificate).
app::client_tls trusting(const std::filesystem::path& ca_file) {
  app::client_tls tls;
  tls.ca_file = ca_file.string();
  return tls;
}

run_result cli(std::vector<std::string> args) {
  std::vector<std::string> argv{outrigger_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, {}, 60s);
}

const std::string reader = "read-token-0123456789";
const std::string ci = "ci-submit-token-0123456789";
const std::string other = "other-submit-token-0123456789";
const std::string root = "admin-token-0123456789abcdef";

} // namespace

TEST_CASE("serve refuses a non-loopback address without a token") {
  temp_dir dir{"or-sec"};
  auto r =
    run_program({outrigger_bin(), "serve", "--listen", "0.0.0.0:0", "--master",
                 "127.0.0.1:1", "--data-dir", (dir.path() / "data").string()},
                {}, 30s);
  CHECK(r.status == 4);
  CHECK(r.err.find("--api-token-file") != std::string::npos);
  CHECK(r.err.find("--allow-unauthenticated") != std::string::npos);
  CHECK(r.err.find("0.0.0.0") != std::string::npos);
  // Nothing was created: it stopped before the data directory.
  CHECK(!std::filesystem::exists(dir.path() / "data"));
}

TEST_CASE("--allow-unauthenticated warns at start and shows in the framework") {
  temp_dir dir{"or-sec"};
  serve_process serve{{"--dev", "--allow-unauthenticated", "--data-dir",
                       (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  CHECK(slurp(dir.path() / "serve.log").find("--allow-unauthenticated") !=
        std::string::npos);
  auto fw = serve.call("GET", "/v1/framework");
  REQUIRE(fw.status == 200);
  CHECK(fw.body["api"]["allow_unauthenticated"] == true);
  CHECK(fw.body["api"]["authentication"] == "none");
  CHECK(fw.body["api"].contains("warning"));
}

TEST_CASE("a world-readable Mesos secret file is refused") {
  temp_dir dir{"or-sec"};
  auto creds = dir.path() / "creds";
  std::ofstream{creds} << "principal-x hunter2-secret\n";
  std::filesystem::permissions(creds, std::filesystem::perms(0644));
  auto r =
    run_program({outrigger_bin(), "serve", "--listen", "127.0.0.1:0",
                 "--master", "127.0.0.1:1", "--credentials-file",
                 creds.string(), "--data-dir", (dir.path() / "data").string()},
                {}, 30s);
  CHECK(r.status == 4);
  CHECK(r.err.find("chmod 600 " + creds.string()) != std::string::npos);
  CHECK(r.err.find("hunter2-secret") == std::string::npos);
}

TEST_CASE("scoped tokens per route, submitters, the audit trail") {
  temp_dir dir{"or-sec"};
  auto tokens = dir.path() / "tokens";
  write_secret(tokens, "# name scope token\nviewer read " + reader +
                         "\nci submit " + ci + "\nother submit " + other +
                         "\nops admin " + root + "\n");
  auto audit = dir.path() / "audit.jsonl";
  auto data = dir.path() / "data";
  serve_process serve{{"--dev", "--api-tokens-file", tokens.string(),
                       "--protect-reads", "--audit-log", audit.string(),
                       "--data-dir", data.string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  // Open routes stay open.
  CHECK(serve.call("GET", "/healthz").status == 200);
  // read: no token 401, read scope 200.
  auto anon = serve.call("GET", "/v1/tasks");
  CHECK(anon.status == 401);
  CHECK(!anon.body["error"].value("request_id", "").empty());
  CHECK(serve.call("GET", "/v1/tasks", "", "wrong-token-0123456789").status ==
        401);
  CHECK(serve.call("GET", "/v1/tasks", "", reader).status == 200);
  CHECK(serve.call("GET", "/v1/framework", "", reader).status == 200);
  // submit: read scope is refused naming the missing scope.
  auto body = task_body("sleeper", "sleep 300");
  auto refused = serve.call("POST", "/v1/tasks", body, reader);
  CHECK(refused.status == 403);
  CHECK(refused.body["error"]["code"] == "permission_denied");
  CHECK(refused.body["error"]["message"].get<std::string>().find(
          "needs scope submit") != std::string::npos);
  CHECK(!refused.body["error"].value("request_id", "").empty());
  auto sub = serve.call("POST", "/v1/tasks", body, ci);
  REQUIRE(sub.status == 201);
  auto id = sub.body["id"].get<std::uint64_t>();
  CHECK(sub.body["submitted_by"] == "ci");
  auto got = serve.call("GET", "/v1/tasks/" + std::to_string(id), "", reader);
  CHECK(got.body["submitted_by"] == "ci");
  auto batch = serve.call("POST", "/v1/tasks",
                          R"({"tasks":[)" + task_body("b1", "sleep 300") + "," +
                            task_body("b2", "sleep 300") + "]}",
                          other);
  REQUIRE(batch.status == 200);
  auto b1 = batch.body["tasks"][0]["task"]["id"].get<std::uint64_t>();
  auto b2 = batch.body["tasks"][1]["task"]["id"].get<std::uint64_t>();
  // kill: read refused, another submitter refused, the owner and admin may.
  auto path = "/v1/tasks/" + std::to_string(id);
  CHECK(serve.call("DELETE", path, "", reader).status == 403);
  auto not_mine = serve.call("DELETE", path, "", other);
  CHECK(not_mine.status == 403);
  CHECK(not_mine.body["error"]["message"].get<std::string>().find(
          "only its own tasks") != std::string::npos);
  CHECK(serve.call("DELETE", path, "", ci).status == 200);
  CHECK(
    serve.call("DELETE", "/v1/tasks/" + std::to_string(b1), "", root).status ==
    200);
  CHECK(
    serve.call("DELETE", "/v1/tasks/" + std::to_string(b2), "", other).status ==
    200);
  // teardown: admin only.
  auto td = serve.call("DELETE", "/v1/framework", "", ci);
  CHECK(td.status == 403);
  CHECK(td.body["error"]["message"].get<std::string>().find(
          "needs scope admin") != std::string::npos);
  // The CLI sends its token file and shows the refusal.
  auto ci_file = dir.path() / "ci-token";
  write_secret(ci_file, ci + "\n");
  auto list = cli({"list", "--api", serve.url(), "--api-token-file",
                   ci_file.string(), "--brief"});
  CHECK(list.status == 0);
  auto teardown =
    run_program({outrigger_bin(), "teardown", "--api", serve.url(),
                 "--api-token-file", ci_file.string(), "--yes"},
                {}, 30s, "yes\n");
  CHECK(teardown.status == 1);
  CHECK(teardown.err.find("needs scope admin") != std::string::npos);

  // The audit trail: one line per mutating request, names not tokens.
  auto lines = audit_lines(audit);
  auto find = [&](const std::string& action, const std::string& caller,
                  const std::string& outcome) -> const nlohmann::json* {
    for (auto& l : lines)
      if (l["action"] == action && l["caller"] == caller &&
          l["outcome"] == outcome)
        return &l;
    return nullptr;
  };
  auto* submitted = find("submit", "ci", "ok");
  REQUIRE(submitted);
  CHECK((*submitted)["task_ids"] == nlohmann::json::array({id}));
  CHECK((*submitted)["status"] == 201);
  CHECK((*submitted)["client"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK(!(*submitted)["request_id"].get<std::string>().empty());
  auto* batched = find("submit", "other", "ok");
  REQUIRE(batched);
  CHECK((*batched)["task_ids"] == nlohmann::json::array({b1, b2}));
  auto* killed = find("kill", "ci", "ok");
  REQUIRE(killed);
  CHECK((*killed)["task_ids"] == nlohmann::json::array({id}));
  CHECK(find("kill", "other", "permission_denied"));
  CHECK(find("kill", "viewer", "permission_denied"));
  CHECK(find("submit", "viewer", "permission_denied"));
  CHECK(find("teardown", "ci", "permission_denied"));
  CHECK(find("kill", "ops", "ok"));
  auto text = slurp(audit) + slurp(dir.path() / "serve.log");
  for (auto& t : {reader, ci, other, root})
    CHECK(text.find(t) == std::string::npos); // never a token
  CHECK(mode_of(audit) == 0600);
  // The journal: the directory 0700, its files 0600.
  CHECK(mode_of(data) == 0700);
  for (auto& f : std::filesystem::directory_iterator(data))
    CHECK(mode_of(f.path()) == 0600);

  // SIGHUP reloads the tokens file: a new token works, a removed one not.
  const std::string fresh = "fresh-read-token-0123456789";
  write_secret(tokens, "viewer2 read " + fresh + "\nops admin " + root + "\n");
  serve.process().signal(SIGHUP);
  CHECK(serve.eventually("/healthz", [&](const api_answer&) {
    return serve.call("GET", "/v1/tasks", "", fresh).status == 200;
  }));
  CHECK(serve.call("GET", "/v1/tasks", "", reader).status == 401);
  CHECK(serve.call("GET", "/readyz").status != 0); // still serving
  serve.process().signal(SIGTERM);
  CHECK(serve.process().wait(20s) == 0);
}

TEST_CASE("TLS on the API: CLI with --ca-file, refused without, reloaded") {
  temp_dir dir{"or-tls"};
  auto ca = make_self_signed_cert(dir.path(), "localhost", "server");
  auto cert = dir.path() / "api.crt";
  auto key = dir.path() / "api.key";
  std::filesystem::copy_file(ca.certificate, cert);
  std::filesystem::copy_file(ca.private_key, key);
  serve_process serve{{"--dev", "--tls-cert", cert.string(), "--tls-key",
                       key.string(), "--data-dir",
                       (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  auto https = "https://127.0.0.1:" + std::to_string(port_in(serve.url()));
  auto ok = cli({"list", "--api", https, "--ca-file", ca.certificate.string()});
  CHECK(ok.status == 0);
  CHECK(nlohmann::json::parse(ok.out).contains("tasks"));
  // Without the CA: a clean error naming the fix, no hang.
  auto untrusted = cli({"list", "--api", https});
  CHECK(untrusted.status == 2);
  CHECK(untrusted.err.find("--ca-file") != std::string::npos);
  CHECK(cli({"list", "--api", https, "--insecure"}).status == 0);
  // Plain HTTP to the TLS port: a plain 400 saying so.
  auto plain = serve.call("GET", "/v1/tasks");
  CHECK(plain.status == 400);
  CHECK(plain.body["error"]["message"].get<std::string>().find(
          "speaks HTTPS") != std::string::npos);
  auto fw = app::http_call(https, "GET", "/v1/framework", "", "", 30s,
                           "application/json", trusting(ca.certificate));
  REQUIRE(fw.status == 200);
  CHECK(nlohmann::json::parse(fw.body)["api"]["tls"] == true);
  // SIGHUP: a new certificate is served to new connections; the scheduler
  // keeps its state (the task submitted before is still there).
  auto sub =
    cli({"submit", "--api", https, "--ca-file", ca.certificate.string(),
         "--key", "before", "--mem", "32", "--", "true"});
  REQUIRE(sub.status == 0);
  auto next_dir = dir.path() / "next";
  std::filesystem::create_directories(next_dir);
  auto next = make_self_signed_cert(next_dir, "localhost", "server");
  std::filesystem::copy_file(next.certificate, cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(next.private_key, key,
                             std::filesystem::copy_options::overwrite_existing);
  serve.process().signal(SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + 30s;
  bool switched = false;
  while (!switched && std::chrono::steady_clock::now() < deadline) {
    switched = app::http_call(https, "GET", "/healthz", "", "", 10s,
                              "application/json", trusting(next.certificate))
                 .status == 200;
    if (!switched)
      std::this_thread::sleep_for(100ms);
  }
  CHECK(switched);
  CHECK(cli({"list", "--api", https, "--ca-file", ca.certificate.string()})
          .status == 2);
  auto get =
    cli({"get", "--api", https, "--ca-file", next.certificate.string(), "1"});
  CHECK(get.status == 0);
  serve.process().signal(SIGTERM);
  CHECK(serve.process().wait(20s) == 0);
}

TEST_CASE("mutual TLS refuses a client without a certificate") {
  temp_dir dir{"or-mtls"};
  auto server = make_self_signed_cert(dir.path(), "localhost", "server");
  auto client = make_self_signed_cert(dir.path(), "client", "client");
  serve_process serve{{"--dev", "--tls-cert", server.certificate.string(),
                       "--tls-key", server.private_key.string(),
                       "--tls-client-ca", client.certificate.string(),
                       "--data-dir", (dir.path() / "data").string()},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  auto https = "https://127.0.0.1:" + std::to_string(port_in(serve.url()));
  auto refused =
    cli({"list", "--api", https, "--ca-file", server.certificate.string()});
  CHECK(refused.status == 2);
  CHECK(refused.err.find("--client-cert") != std::string::npos);
  // A certificate its CA did not sign is refused too.
  auto stranger = make_self_signed_cert(dir.path(), "stranger", "stranger");
  CHECK(cli({"list", "--api", https, "--ca-file", server.certificate.string(),
             "--client-cert", stranger.certificate.string(), "--client-key",
             stranger.private_key.string()})
          .status == 2);
  auto ok =
    cli({"list", "--api", https, "--ca-file", server.certificate.string(),
         "--client-cert", client.certificate.string(), "--client-key",
         client.private_key.string()});
  CHECK(ok.status == 0);
}

} // namespace outrigger::test
