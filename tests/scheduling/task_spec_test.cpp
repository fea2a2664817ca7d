// Submission rules: defaults, every field's error naming the field, the JSON
// round trip of a spec, Mesos task ids.

#include "scheduling/task_book/task_spec_validation.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace outrigger::scheduling;
using json = nlohmann::json;

namespace {

api_result<task_spec> parse(const json& body) {
  return parse_task_spec(body, task_spec_rules{});
}

// The error a body produces; fails the test when it is accepted.
api_error error_of(json body) {
  auto r = parse(body);
  REQUIRE_MESSAGE(!r, "accepted: " << body.dump());
  return r.error();
}

json minimal() {
  return {{"key", "dag.task.1"}, {"command", "echo hello"}};
}

json with(json body, const json& patch) {
  body.merge_patch(patch);
  return body;
}

} // namespace

TEST_CASE("a minimal submission gets Airflow's defaults") {
  auto spec = parse(minimal());
  REQUIRE(spec);
  CHECK(spec->key == "dag.task.1");
  CHECK(spec->command == "echo hello");
  CHECK(spec->shell());
  CHECK(spec->resources.cpus == 1);
  CHECK(spec->resources.mem == 256);
  CHECK(spec->resources.disk == 0);
  CHECK(spec->role.str() == "*");
  CHECK(spec->queue.str() == "default");
  CHECK(spec->retry == retry_policy{});
  CHECK(spec->extras == nullptr); // nothing rare: no extras allocated
}

TEST_CASE("defaults are configurable") {
  task_spec_rules rules;
  rules.defaults.resources.mem = 1024;
  rules.defaults.role = "analytics";
  auto spec = parse_task_spec(minimal(), rules);
  REQUIRE(spec);
  CHECK(spec->resources.mem == 1024);
  CHECK(spec->role.str() == "analytics");
}

TEST_CASE("every field is validated with an error naming it") {
  struct example {
    json patch;
    std::string field;
    std::string message;
  };
  std::vector<example> examples = {
    {{{"resources", {{"mem", 0}}}},
     "resources.mem",
     "resources.mem: must be > 0"},
    {{{"resources", {{"mem", 16}}}}, "resources.mem", "at least 32"},
    {{{"resources", {{"cpus", -1}}}}, "resources.cpus", "must be > 0"},
    {{{"resources", {{"cpus", "2"}}}}, "resources.cpus", "expected a number"},
    {{{"resources", {{"gpus", 0.5}}}}, "resources.gpus", "whole number"},
    {{{"resources", {{"ports", 1000}}}}, "resources.ports", "at most 64"},
    {{{"resources", {{"cpu", 1}}}}, "resources.cpu", "unknown field"},
    {{{"memory", 512}}, "memory", "unknown field"},
    {{{"key", ""}}, "key", "required"},
    {{{"key", 42}}, "key", "expected a string"},
    {{{"command", "   "}}, "command", "required"},
    {{{"command", json::array()}}, "command", "must not be empty"},
    {{{"command", {"", "x"}}}, "command[0]", "program"},
    {{{"role", "/analytics"}}, "role", "start or end with '/'"},
    {{{"role", "a b"}}, "role", "whitespace"},
    {{{"queue", ""}}, "queue", "1 to 128"},
    {{{"priority", 1.5}}, "priority", "whole number"},
    {{{"container", {{"type", "MESOS"}}}}, "container.image", "required"},
    {{{"container", {{"type", "RKT"}, {"image", "x"}}}},
     "container.type",
     "unknown type"},
    {{{"environment", {{"A=B", "x"}}}}, "environment.A=B", "'='"},
    {{{"environment", {{"A", 1}}}}, "environment.A", "expected a string"},
    {{{"uris", {"http://x", ""}}}, "uris[1]", "non-empty"},
    {{{"constraints", {{"hostname", "NEAR", "x"}}}},
     "constraints[0]",
     "unknown operator 'NEAR'"},
    {{{"constraints", {{"rack", "LIKE", "r[12"}}}},
     "constraints[0]",
     "invalid regular expression"},
    {{{"constraints", json::array({json::array({"rack", "EQUALS"})})}},
     "constraints[0]",
     "needs a value"},
    {{{"constraints", {{"rack", "MAX_PER", "0"}}}},
     "constraints[0]",
     "between 1 and"},
    {{{"constraints", {{"hostname", "UNIQUE", "x"}}}},
     "constraints[0]",
     "takes no value"},
    {{{"constraints", json::array({json::array({"", "UNIQUE"})})}},
     "constraints[0]",
     "must not be empty"},
    {{{"retry", {{"max_attempts", 0}}}}, "retry.max_attempts", "between 1"},
    {{{"retry", {{"max_attempts", 1000}}}},
     "retry.max_attempts",
     "between 1 and 100"},
    {{{"retry", {{"on", json::array({"FINISHED"})}}}},
     "retry.on[0]",
     "unknown outcome"},
    {{{"retry", {{"backoff_seconds", -1}}}}, "retry.backoff_seconds", ">= 0"},
    {{{"retry", {{"backoff_seconds", 60}, {"max_backoff_seconds", 10}}}},
     "retry.max_backoff_seconds",
     ">= retry.backoff_seconds"},
    {{{"kill_grace_period_seconds", -3}}, "kill_grace_period_seconds", ">= 0"},
  };
  for (auto& ex : examples) {
    CAPTURE(ex.patch.dump());
    auto e = error_of(with(minimal(), ex.patch));
    CHECK(e.code == "invalid_argument");
    CHECK(e.field == ex.field);
    CHECK_MESSAGE(e.message.find(ex.message) != std::string::npos, e.message);
    CHECK(e.message.starts_with(ex.field + ": "));
  }
  CHECK(error_of(json::array()).message.find("expected an object") !=
        std::string::npos);
  CHECK(error_of({{"command", "x"}}).field == "key");
  CHECK(error_of({{"key", "x"}}).field == "command");
}

// Found by api_body_fuzz: a whole float beyond int64 (4.4e73) was converted
// to int64_t, which is undefined behaviour.
TEST_CASE("whole numbers beyond 64 bits are out of range, not converted") {
  for (double huge : {4.4444e73, 0x1p63, -0x1p64, 1e300}) {
    auto e = error_of(with(minimal(), {{"retry", {{"max_attempts", huge}}}}));
    CHECK(e.field == "retry.max_attempts");
    CHECK(e.message.find("must be between") != std::string::npos);
  }
  auto e = error_of(with(minimal(), {{"priority", -0x1p63}}));
  CHECK(e.field == "priority");
  CHECK(parse(with(minimal(), {{"retry", {{"max_attempts", 3.0}}}}))
          ->retry.max_attempts == 3);
}

// Found by api_body_fuzz: libstdc++'s regex compiler overflowed a long
// reading "r{99999999999999999999}" (undefined behaviour in the service).
TEST_CASE(
  "LIKE patterns with numbers beyond 9999 are refused before compiling") {
  for (auto pattern :
       {"r{99999999999999999999902", "r{1,123456}", "(a)\\123456"}) {
    auto e = error_of(with(
      minimal(), {{"constraints",
                   json::array({json::array({"rack", "LIKE", pattern})})}}));
    CHECK(e.field == "constraints[0]");
    CHECK(e.message.find("above 9999") != std::string::npos);
  }
  for (auto pattern : {"r{2,4}", "r[12]", "(a)\\1", "x\\{123456"})
    CHECK(parse(with(
      minimal(), {{"constraints",
                   json::array({json::array({"rack", "LIKE", pattern})})}})));
}

TEST_CASE("a full spec survives the JSON round trip unchanged") {
  json body = {
    {"key", "etl/daily"},
    {"command", {"python", "-m", "etl", "--day", "2024-01-01"}},
    {"resources",
     {{"cpus", 0.25}, {"mem", 4096}, {"disk", 100}, {"gpus", 1}, {"ports", 2}}},
    {"container", {{"type", "DOCKER"}, {"image", "python:3.11"}}},
    {"environment", {{"B", "2"}, {"A", "1"}}},
    {"labels", {{"team", "data"}}},
    {"uris", json::array({"https://example.org/a.tgz"})},
    {"user", "airflow"},
    {"role", "analytics"},
    {"queue", "etl"},
    {"priority", 5},
    {"constraints",
     {{"hostname", "UNIQUE"},
      {"rack", "LIKE", "r[12]"},
      {"zone", "MAX_PER", 2}}},
    {"retry",
     {{"max_attempts", 4},
      {"backoff_seconds", 1.5},
      {"max_backoff_seconds", 30},
      {"on", {"FAILED", "LOST"}}}},
    {"kill_grace_period_seconds", 20},
  };
  auto spec = parse(body);
  REQUIRE(spec);
  CHECK(!spec->shell());
  CHECK(spec->more().argv.size() == 5);
  CHECK(spec->more().container == container_kind::docker);
  REQUIRE(spec->more().environment.size() == 2);
  CHECK(spec->more().environment[0].name == "A");
  CHECK(spec->more().constraints[2].limit == 2);
  CHECK(spec->retry.backoff_ms == 1500);
  CHECK(spec->retry.retry_on == (1 | 2));
  CHECK(*spec->more().kill_grace_period == duration{20'000});
  auto stored = task_spec_to_json(*spec);
  CHECK(task_spec_from_stored_json(stored) == *spec);
  // The stored form is complete: other defaults do not change it.
  task_spec_rules other;
  other.defaults.resources.mem = 1;
  other.defaults.role = "x";
  auto again = parse_task_spec(stored, other);
  REQUIRE(again);
  CHECK(*again == *spec);
}

TEST_CASE("hand-built specs are checked for normal form") {
  auto spec = *parse(minimal());
  task_extras x;
  x.environment = {{"A", "1"}, {"A", "2"}};
  spec.extras = std::make_shared<const task_extras>(x);
  auto e = validate_task_spec(spec, task_limits{});
  REQUIRE(e);
  CHECK(e->field == "environment.A");
  CHECK(e->message.find("more than once") != std::string::npos);
  // normalize() sorts and drops empty extras.
  x.environment = {{"B", "1"}, {"A", "2"}};
  spec.extras = std::make_shared<const task_extras>(x);
  normalize(spec);
  CHECK(spec.more().environment[0].name == "A");
  spec.extras = std::make_shared<const task_extras>();
  normalize(spec);
  CHECK(spec.extras == nullptr);
}

TEST_CASE("retry delays double up to the cap") {
  retry_policy p;
  p.backoff_ms = 1000;
  p.max_backoff_ms = 5000;
  CHECK(p.delay_after(1) == duration{1000});
  CHECK(p.delay_after(2) == duration{2000});
  CHECK(p.delay_after(3) == duration{4000});
  CHECK(p.delay_after(4) == duration{5000});
  CHECK(p.delay_after(60) == duration{5000});
}

TEST_CASE("Mesos task ids carry the task and the attempt") {
  CHECK(mesos_task_id(42, 3) == "or-42-3");
  CHECK(parse_mesos_task_id("or-42-3") == attempt_ref{42, 3});
  for (auto bad : {"", "or-", "or-42", "or-42-", "or--3", "or-x-1", "or-1-x",
                   "xx-1-1", "or-0-1", "or-1-0", "or-1-2-3", "or-+1-1"})
    CHECK_MESSAGE(!parse_mesos_task_id(bad), bad);
}

TEST_CASE("exit status is read from the command executor's message") {
  CHECK(exit_status_of("Command exited with status 0") == 0);
  CHECK(exit_status_of("Command exited with status 137") == 137);
  CHECK(!exit_status_of("Command terminated with signal Terminated"));
  CHECK(!exit_status_of("exited with status "));
}

TEST_CASE("phases and operators have API names") {
  CHECK(to_string(task_phase::unreachable) == "UNREACHABLE");
  CHECK(parse_task_phase("running") == task_phase::running);
  CHECK(!parse_task_phase("SLEEPING"));
  CHECK(!is_terminal(task_phase::unreachable));
  CHECK(is_terminal(task_phase::gone));
  CHECK(phase_of(outrigger::protocol::task_state::gone_by_operator) ==
        task_phase::gone);
  CHECK(phase_of(outrigger::protocol::task_state::unknown) == task_phase::lost);
  CHECK(parse_constraint_op("max_per") == constraint_op::max_per);
  CHECK(to_string(constraint_op::like) == "LIKE");
}
