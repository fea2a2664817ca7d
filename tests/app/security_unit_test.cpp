// The pieces of the API's security without a process: the tokens file,
// scoped lookups, loopback detection, audit lines.

#include "app/api.hpp"
#include "app/api_tokens.hpp"
#include "app/audit.hpp"
#include "app/config.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace outrigger::test {

using app::scope;

TEST_CASE("a tokens file gives named tokens with scopes") {
  app::token_set set;
  auto err = app::parse_tokens_file("# comment\n\n"
                                    "viewer read  aaaaaaaaaaaaaaaa\n"
                                    "ci\tsubmit bbbbbbbbbbbbbbbb  \n"
                                    "ops admin cccccccccccccccc\n",
                                    "tokens", set);
  CHECK(err.empty());
  CHECK(set.size() == 3);
  auto ci = set.find("bbbbbbbbbbbbbbbb");
  REQUIRE(ci);
  CHECK(ci->name == "ci");
  CHECK(ci->granted == scope::submit);
  CHECK(set.find("aaaaaaaaaaaaaaaa")->granted == scope::read);
  CHECK(set.find("cccccccccccccccc")->granted == scope::admin);
  CHECK(!set.find("bbbbbbbbbbbbbbb"));   // a prefix
  CHECK(!set.find("bbbbbbbbbbbbbbbbb")); // longer
  CHECK(!set.find(""));
}

TEST_CASE("a bad tokens file names the line and never the token") {
  auto check = [](const std::string& text, const std::string& want) {
    app::token_set set;
    auto err = app::parse_tokens_file(text, "f", set);
    CHECK_MESSAGE(err.find(want) != std::string::npos, err);
    CHECK(err.find("secret-token-value") == std::string::npos);
  };
  check("a read secret-token-value extra\n", "f line 1: expected");
  check("\na write secret-token-value\n", "line 2: unknown scope \"write\"");
  check("a read short\n", "shorter than 16");
  check("a read secret-token-value\na admin secret-token-valu2\n",
        "line 2: the name \"a\"");
  check("a read secret-token-value\nb admin secret-token-value\n",
        "or its token is already");
}

TEST_CASE("scopes include the ones below them") {
  CHECK(scope::read < scope::submit);
  CHECK(scope::submit < scope::admin);
  for (auto s : {scope::read, scope::submit, scope::admin})
    CHECK(app::parse_scope(app::to_string(s)) == s);
  CHECK(!app::parse_scope("root"));
}

TEST_CASE("loopback addresses") {
  CHECK(app::is_loopback("127.0.0.1"));
  CHECK(app::is_loopback("127.1.2.3"));
  CHECK(app::is_loopback("::1"));
  CHECK(app::is_loopback("localhost"));
  CHECK(!app::is_loopback("0.0.0.0"));
  CHECK(!app::is_loopback("::"));
  CHECK(!app::is_loopback("10.0.0.1"));
  CHECK(!app::is_loopback("127.example.com"));
}

TEST_CASE("the route table says which scope each mutating route needs") {
  std::map<std::string, app::access> want{
    {"POST /v1/tasks", app::access::submit},
    {"DELETE /v1/tasks/{id}", app::access::submit},
    {"DELETE /v1/framework", app::access::admin},
    {"GET /v1/tasks", app::access::read},
    {"GET /healthz", app::access::open}};
  for (auto& r : app::api_routes()) {
    auto name = std::string{r.method} + " " + std::string{r.pattern};
    if (auto i = want.find(name); i != want.end())
      CHECK_MESSAGE(r.auth == i->second, name);
    // Every mutating route is audited, and only those.
    bool mutating =
      r.auth == app::access::submit || r.auth == app::access::admin;
    CHECK_MESSAGE(mutating == !r.action.empty(), name);
  }
}

TEST_CASE("an audit line is one JSON object") {
  app::audit_event e{"abc-1", "kill",           "DELETE", "/v1/tasks/7",
                     "ci",    "127.0.0.1:5000", 403,      "permission_denied",
                     {7}};
  auto line = app::audit_line(e);
  CHECK(line.find('\n') == std::string::npos);
  auto j = nlohmann::json::parse(line);
  CHECK(j["caller"] == "ci");
  CHECK(j["task_ids"] == nlohmann::json::array({7}));
  CHECK(j["outcome"] == "permission_denied");
  CHECK(j["time"].get<std::string>().ends_with("Z"));
  e.path = "/v1/tasks/\xff";
  CHECK_NOTHROW(nlohmann::json::parse(app::audit_line(e)));
}

} // namespace outrigger::test
