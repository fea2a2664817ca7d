// Pieces of app/ without processes: settings, the config file, routes, URL
// decoding.

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "app/api.hpp"
#include "app/config.hpp"
#include "app/http_server.hpp"
#include "app/metrics.hpp"
#include "app/sandbox_reader.hpp"
#include "app/service_config.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>

namespace outrigger::test {

TEST_CASE("serve settings are validated with the setting's name") {
  app::serve_settings s;
  CHECK(app::validate(s).empty());
  s.backoff_max = 0.5;
  CHECK(app::validate(s) == "--backoff-max: must be >= --backoff-min");
  s = {};
  s.default_role = "analytics";
  CHECK(app::validate(s).rfind("--default-role:", 0) == 0);
  s = {};
  s.listen = "8080";
  CHECK(app::validate(s).rfind("--listen:", 0) == 0);
  s = {};
  s.master_outage_timeout = -1;
  CHECK(app::validate(s) == "--master-outage-timeout: must be >= 0 seconds");
  s = {};
  s.max_reconnect = 0; // deprecated; 0 is its default: no count limit
  CHECK(app::validate(s).empty());
}

TEST_CASE("the config file fills what flags and the environment left") {
  temp_dir dir{"or-cfg"};
  auto file = (dir.path() / "o.toml").string();
  std::ofstream{file} << "# comment\n[serve]\nrefuse_seconds = 7\n"
                         "listen = \"127.0.0.1:9999\" # inline\n"
                         "roles = [\"a\", \"b\"]\nmax-reconnect = 4\n";
  CLI::App cli{"t"};
  app::serve_settings s;
  auto* serve = cli.add_subcommand("serve");
  app::add_serve_options(*serve, s);
  std::vector<std::string> args{"outrigger", "serve",           "--config",
                                file,        "--max-reconnect", "9"};
  REQUIRE(app::with_config_file(*serve, args).empty());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  cli.parse(static_cast<int>(argv.size()), argv.data());
  CHECK(s.refuse_seconds == 7);
  CHECK(s.listen == "127.0.0.1:9999");
  CHECK(s.roles == std::vector<std::string>{"a", "b"});
  CHECK(s.max_reconnect == 9); // the flag wins

  std::ofstream{file} << "listne = \"x\"\n";
  std::vector<std::string> bad{"outrigger", "serve", "--config", file};
  auto err = app::with_config_file(*serve, bad);
  CHECK(err.find("line 1: unknown setting \"listne\"") != std::string::npos);
}

TEST_CASE("routes and URL decoding") {
  CHECK(app::route_of("/v1/tasks/42") == "/v1/tasks/{id}");
  CHECK(app::route_of("/v1/results") == "/v1/results");
  CHECK(app::route_of("/secret/path") == "other");
  CHECK(app::url_decode("a%20b+c%2F") == "a b c/");
  CHECK(app::url_decode("100%") == "100%");
  auto body = app::error_body("not_found", "no task 3");
  CHECK(body == R"({"error":{"code":"not_found","message":"no task 3"}})");
}

// Found by agent_files_fuzz: the offset was accumulated in an int64_t without
// a bound (signed overflow, undefined behaviour).
TEST_CASE("agent files read answers: an offset past 2^63 is malformed") {
  auto ok =
    app::parse_files_read(R"({"data":"ab","offset":9223372036854775807})");
  REQUIRE(ok);
  CHECK(ok->second == INT64_MAX);
  CHECK_FALSE(
    app::parse_files_read(R"({"data":"","offset":9223372036854775808})"));
  CHECK_FALSE(
    app::parse_files_read(R"({"data":"","offset":99999999999999999999})"));
  CHECK(app::parse_files_read(R"({"data":"","offset":-5})")->second == -5);
}

} // namespace outrigger::test

namespace outrigger::test {

TEST_CASE("settings become the actors' configurations") {
  app::serve_settings s;
  s.default_mem = 512;
  s.default_max_attempts = 5;
  s.strategy = "spread";
  s.refuse_seconds = 9;
  s.roles = {"batch"};
  s.default_role = "batch";
  s.backoff_min = 0.5;
  s.max_reconnect = 7;
  s.master_outage_timeout = 90;
  auto b = app::book_config(s);
  CHECK(b.book.rules.defaults.resources.mem == 512);
  CHECK(b.book.rules.defaults.retry.max_attempts == 5);
  CHECK(b.book.rules.defaults.role == "batch");
  auto m = app::matcher_config(s);
  CHECK(m.strategy == scheduling::fitness::spread);
  CHECK(m.refuse_seconds == 9);
  CHECK(m.roles == std::vector<std::string>{"batch"});
  app::service_secrets secrets;
  secrets.mesos = credentials{"fw-principal", "pw"};
  auto l = app::link_config_of(s, secrets);
  CHECK(l.framework.principal == "fw-principal");
  CHECK(l.framework.roles == std::vector<std::string>{"batch"});
  CHECK(l.backoff.max_reconnect == 7);
  CHECK(l.backoff.outage_timeout == std::chrono::seconds{90});
  CHECK(app::link_config_of(app::serve_settings{}, secrets)
          .backoff.outage_timeout == std::chrono::seconds{180});
  CHECK(l.backoff.floor == std::chrono::milliseconds{500});
  CHECK(l.framework.failover_timeout == 7 * 24 * 3600);
}

TEST_CASE("secrets come from files or the environment, errors hide them") {
  temp_dir dir{"or-sec"};
  app::serve_settings s;
  s.api_token_file = (dir.path() / "missing").string();
  auto missing = app::load_secrets(s);
  REQUIRE(!missing);
  CHECK(describe(missing.error()).find("--api-token-file") !=
        std::string::npos);
  std::ofstream{dir.path() / "token"} << "tok-123\n";
  std::ofstream{dir.path() / "creds"} << "principal-x hunter2\n";
  s.api_token_file = (dir.path() / "token").string();
  s.credentials_file = (dir.path() / "creds").string();
  // A secret file others can read is refused, naming the fix.
  std::filesystem::permissions(dir.path() / "creds",
                               std::filesystem::perms(0644));
  auto open = app::load_secrets(s);
  REQUIRE(!open);
  CHECK(describe(open.error()).find("chmod 600") != std::string::npos);
  CHECK(describe(open.error()).find("hunter2") == std::string::npos);
  std::filesystem::permissions(dir.path() / "creds",
                               std::filesystem::perms(0600));
  auto ok = app::load_secrets(s);
  REQUIRE(ok);
  auto admin = ok->api_tokens.find("tok-123");
  REQUIRE(admin);
  CHECK(admin->name == "admin");
  CHECK(admin->granted == app::scope::admin);
  CHECK(!ok->api_tokens.find("tok-12"));
  REQUIRE(ok->mesos);
  CHECK(ok->mesos->principal == "principal-x");
  CHECK(log::redact("the secret is hunter2 and tok-123") ==
        "the secret is *** and ***");
}

} // namespace outrigger::test
