// Pieces of app/ without processes: settings, the config file, routes, URL
// decoding.

#include "app/config.hpp"
#include "app/http_server.hpp"
#include "app/metrics.hpp"
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
  s.max_reconnect = 0;
  CHECK(app::validate(s) == "--max-reconnect: must be >= 1");
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

} // namespace outrigger::test
