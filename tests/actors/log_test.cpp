#include "actors/credentials.hpp"
#include "actors/error.hpp"
#include "actors/log.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace outrigger;
using namespace std::chrono_literals;

TEST_CASE("log: text lines with key=value fields, quoted when needed") {
  auto line = log::format_record(log::format::text, log::level::info,
                                 "master_link", "subscribed",
                                 {{"framework_id", "abc-0001"},
                                  {"url", "http://m:5050"},
                                  {"note", "two words"},
                                  {"n", 3},
                                  {"ok", true},
                                  {"delay", 1500ms}},
                                 false);
  CHECK(line == "INFO master_link: subscribed framework_id=abc-0001 "
                "url=http://m:5050 note=\"two words\" n=3 ok=true delay=1.5s");
}

TEST_CASE("log: JSON lines") {
  auto line = log::format_record(log::format::json, log::level::warn, "zk",
                                 "say \"hi\"\n", {{"k", "v"}}, false);
  CHECK(line ==
        R"({"level":"warn","component":"zk","msg":"say \"hi\"\n","k":"v"})");
  auto timed =
    log::format_record(log::format::json, log::level::error, "c", "m", {});
  CHECK(timed.rfind("{\"ts\":\"20", 0) == 0);
}

TEST_CASE("log: secrets are never printed") {
  log::clear_secrets();
  log::add_secret("s3cr3t-pw");
  log::add_secret("");
  auto line = log::format_record(log::format::text, log::level::error, "link",
                                 "auth with s3cr3t-pw failed",
                                 {{"body", "x s3cr3t-pw y s3cr3t-pw"},
                                  {"secret", "anything"},
                                  {"Authorization", "Basic abc"},
                                  {"principal", "me"}},
                                 false);
  CHECK(line.find("s3cr3t-pw") == std::string::npos);
  CHECK(line.find("anything") == std::string::npos);
  CHECK(line.find("Basic abc") == std::string::npos);
  CHECK(line.find("=me") == std::string::npos);
  CHECK(line.find("body=\"x *** y ***\"") != std::string::npos);
  CHECK(log::redact("pw=s3cr3t-pw;") == "pw=***;");
  // Through the sink too.
  std::vector<std::string> lines;
  auto saved = log::current_level();
  log::set_sink([&](std::string_view l) { lines.emplace_back(l); });
  log::set_level(log::level::info);
  log::write(log::level::info, "c", "secret is s3cr3t-pw");
  log::set_level(log::level::warn);
  log::write(log::level::info, "c", "dropped");
  log::set_level(saved);
  log::set_sink({});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("secret is ***") != std::string::npos);
  log::clear_secrets();
}

TEST_CASE("log: level names") {
  log::level l{};
  CHECK(log::parse_level("debug", l));
  CHECK(l == log::level::debug);
  CHECK(log::parse_level("warning", l));
  CHECK(l == log::level::warn);
  CHECK_FALSE(log::parse_level("loud", l));
}

TEST_CASE("credentials: JSON, Mesos credentials file and plain text") {
  log::clear_secrets();
  auto a = parse_credentials(R"({"principal":"fw","secret":"pw1"})", "t");
  REQUIRE(a);
  CHECK(a->principal == "fw");
  CHECK(a->secret == "pw1");
  CHECK(a->basic_authorization() == "Basic Znc6cHcx");
  CHECK(log::redact("fw:pw1") == "***:***");
  auto b = parse_credentials(
    R"({"credentials":[{"principal":"outrigger","secret":"sekret"}]})", "t");
  REQUIRE(b);
  CHECK(b->principal == "outrigger");
  auto c = parse_credentials("outrigger  sekret\n", "t");
  REQUIRE(c);
  CHECK(c->secret == "sekret");
  auto d = parse_credentials("user:pa ss", "t"); // principal "user:pa"
  REQUIRE_FALSE(d);
  CHECK(describe(d.error()).find("must not contain ':'") != std::string::npos);
  auto e = parse_credentials("user:pass", "t");
  REQUIRE(e);
  CHECK(e->principal == "user");
  CHECK(e->digest() == "user:pass");
  log::clear_secrets();
}

TEST_CASE("credentials: errors name the origin, never the content") {
  auto check_err = [](std::string_view text, std::string_view expect) {
    auto r = parse_credentials(text, "credentials file '/x'");
    REQUIRE_FALSE(r);
    auto msg = describe(r.error());
    CHECK(msg.find("credentials file '/x'") != std::string::npos);
    CHECK(msg.find(expect) != std::string::npos);
    CHECK(msg.find("hunter2") == std::string::npos);
  };
  check_err("", "empty");
  check_err("{\"principal\":\"a\",\"secret\":1,\"x\":\"hunter2\"}", "'secret'");
  check_err("{\"principal\":\"\",\"secret\":\"hunter2\"}",
            "principal is empty");
  check_err("hunter2", "expected 'principal secret'");
  check_err("{not json hunter2", "not a valid JSON");
  check_err("a b\nc hunter2", "one line");
  auto missing = load_credentials_file("/nonexistent/outrigger/creds");
  REQUIRE_FALSE(missing);
  CHECK(describe(missing.error()).find("cannot be read") != std::string::npos);
}

TEST_CASE("credentials: from a file and from the environment") {
  char path[] = "/tmp/outrigger-creds-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::string text = "{\"principal\":\"envp\",\"secret\":\"filepw\"}";
  REQUIRE(write(fd, text.data(), text.size()) == (ssize_t)text.size());
  close(fd);
  auto f = load_credentials_file(path);
  unlink(path);
  REQUIRE(f);
  CHECK(f->secret == "filepw");
  setenv("OUTRIGGER_TEST_PRINCIPAL", "p1", 1);
  setenv("OUTRIGGER_TEST_SECRET", "s1", 1);
  auto e =
    load_credentials_env("OUTRIGGER_TEST_PRINCIPAL", "OUTRIGGER_TEST_SECRET");
  REQUIRE(e);
  CHECK(e->principal == "p1");
  unsetenv("OUTRIGGER_TEST_SECRET");
  auto m =
    load_credentials_env("OUTRIGGER_TEST_PRINCIPAL", "OUTRIGGER_TEST_SECRET");
  REQUIRE_FALSE(m);
  CHECK(describe(m.error()).find("OUTRIGGER_TEST_SECRET is not set") !=
        std::string::npos);
  unsetenv("OUTRIGGER_TEST_PRINCIPAL");
  log::clear_secrets();
}

TEST_CASE("exit status: the app maps the link's exit reason") {
  CHECK(exit_status(caf::error{}) == 0);
  CHECK(exit_status(caf::exit_reason::user_shutdown) == 0);
  CHECK(exit_status(caf::exit_reason::normal) == 0);
  CHECK(exit_status(caf::make_error(ec::reconnect_budget_exhausted, "x")) == 3);
  CHECK(exit_status(caf::make_error(ec::unauthorized)) == 4);
  CHECK(exit_status(caf::make_error(ec::framework_removed)) == 5);
  CHECK(exit_status(caf::make_error(ec::store_failed)) == 1);
  CHECK(exit_status(caf::exit_reason::kill) == 1);
  CHECK(describe(caf::make_error(ec::reconnect_budget_exhausted, "gave up")) ==
        "reconnect_budget_exhausted: gave up");
}
