// The JSON form of a task spec: decoding a submission (with defaults and
// errors that name the field) and the complete form stored in records.

#include "scheduling/task_book/task_spec_validation.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace outrigger::scheduling {

namespace {

using json = nlohmann::json;

// Decoding stops at the first problem; the caller turns it into api_error.
struct field_problem {
  std::string field;
  std::string what;
};

[[noreturn]] void fail(std::string field, std::string what) {
  throw field_problem{std::move(field), std::move(what)};
}

const char* type_name(const json& v) {
  return v.type_name();
}

void expect_object(const json& v, const std::string& field) {
  if (!v.is_object())
    fail(field, std::string{"expected an object, got "} + type_name(v));
}

void only_members(const json& v, const std::string& field,
                  std::initializer_list<std::string_view> known) {
  for (auto& [name, _] : v.items()) {
    if (std::find(known.begin(), known.end(), name) != known.end())
      continue;
    std::string list;
    for (auto k : known)
      list += (list.empty() ? "" : ", ") + std::string{k};
    fail(field.empty() ? name : field + "." + name,
         "unknown field (known: " + list + ")");
  }
}

std::string get_string(const json& v, const std::string& field) {
  if (!v.is_string())
    fail(field, std::string{"expected a string, got "} + type_name(v));
  return v.get<std::string>();
}

double get_number(const json& v, const std::string& field) {
  if (!v.is_number())
    fail(field, std::string{"expected a number, got "} + type_name(v));
  return v.get<double>();
}

bool get_bool(const json& v, const std::string& field) {
  if (!v.is_boolean())
    fail(field, std::string{"expected true or false, got "} + type_name(v));
  return v.get<bool>();
}

std::int64_t get_integer(const json& v, const std::string& field,
                         std::int64_t min, std::int64_t max) {
  if (!v.is_number_integer()) {
    // 3.0 is fine, 3.5 is not.
    auto d = v.is_number_float() ? v.get<double>() : 0.5;
    if (!std::isfinite(d) || std::floor(d) != d)
      fail(field, std::string{"expected a whole number, got "} + type_name(v));
    // Converting a double outside int64's range is undefined: 1e300 is
    // simply out of range.
    if (d < -0x1p63 || d >= 0x1p63)
      fail(field, "must be between " + std::to_string(min) + " and " +
                    std::to_string(max));
    return get_integer(json(static_cast<std::int64_t>(d)), field, min, max);
  }
  auto x = v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX
             ? INT64_MAX
             : v.get<std::int64_t>();
  if (x < min || x > max)
    fail(field, "must be between " + std::to_string(min) + " and " +
                  std::to_string(max));
  return x;
}

// Seconds (fractional allowed) to milliseconds, bounded so that the value
// fits the 32-bit fields of retry_policy.
std::int64_t get_millis(const json& v, const std::string& field) {
  auto s = get_number(v, field);
  if (!std::isfinite(s) || s < 0)
    fail(field, "must be a number of seconds >= 0");
  if (s > 4'000'000)
    fail(field, "is too large");
  return std::llround(s * 1000.0);
}

std::vector<std::string> get_strings(const json& v, const std::string& field) {
  if (!v.is_array())
    fail(field,
         std::string{"expected an array of strings, got "} + type_name(v));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i)
    out.push_back(get_string(v[i], field + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<name_value> get_pairs(const json& v, const std::string& field) {
  expect_object(v, field);
  std::vector<name_value> out;
  for (auto& [name, value] : v.items())
    out.push_back({name, get_string(value, field + "." + name)});
  return out;
}

task_resources get_resources(const json& v, task_resources r) {
  expect_object(v, "resources");
  only_members(v, "resources", {"cpus", "mem", "disk", "gpus", "ports"});
  if (v.contains("cpus"))
    r.cpus = get_number(v["cpus"], "resources.cpus");
  if (v.contains("mem"))
    r.mem = get_number(v["mem"], "resources.mem");
  if (v.contains("disk"))
    r.disk = get_number(v["disk"], "resources.disk");
  if (v.contains("gpus"))
    r.gpus = get_number(v["gpus"], "resources.gpus");
  if (v.contains("ports"))
    r.ports = static_cast<std::uint32_t>(
      get_integer(v["ports"], "resources.ports", 0, 1'000'000));
  return r;
}

void get_container(const json& v, task_extras& x) {
  expect_object(v, "container");
  only_members(v, "container", {"type", "image", "force_pull"});
  if (!v.contains("type"))
    fail("container.type", "required: MESOS or DOCKER");
  auto type = get_string(v["type"], "container.type");
  if (type == "MESOS")
    x.container = container_kind::mesos;
  else if (type == "DOCKER")
    x.container = container_kind::docker;
  else
    fail("container.type", "unknown type '" + type + "' (MESOS or DOCKER)");
  if (v.contains("image"))
    x.image = get_string(v["image"], "container.image");
  if (v.contains("force_pull"))
    x.force_pull = get_bool(v["force_pull"], "container.force_pull");
}

placement_constraint get_constraint(const json& v, std::size_t i) {
  auto field = "constraints[" + std::to_string(i) + "]";
  if (!v.is_array() || v.size() < 2 || v.size() > 3)
    fail(field, "expected [field, operator] or [field, operator, value]");
  placement_constraint c;
  c.field = interned{get_string(v[0], field + "[0]")};
  auto op_text = get_string(v[1], field + "[1]");
  auto op = parse_constraint_op(op_text);
  if (!op)
    fail(field, "unknown operator '" + op_text +
                  "' (EQUALS, LIKE, UNLIKE, UNIQUE or MAX_PER)");
  c.op = *op;
  if (c.op == constraint_op::unique) {
    if (v.size() == 3)
      fail(field, "UNIQUE takes no value");
    c.limit = 1;
  } else if (c.op == constraint_op::max_per) {
    if (v.size() != 3)
      fail(field, "MAX_PER needs a limit");
    auto& n = v[2];
    std::int64_t limit = 0;
    if (n.is_string()) {
      auto s = n.get<std::string>();
      char* end = nullptr;
      limit = s.empty() ? 0 : std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || limit < 1 || limit > 1'000'000)
        fail(field,
             "MAX_PER needs a limit between 1 and 1000000, got '" + s + "'");
    } else {
      limit = get_integer(n, field + "[2]", 1, 1'000'000);
    }
    c.limit = static_cast<std::uint32_t>(limit);
  } else {
    if (v.size() != 3)
      fail(field, std::string{to_string(c.op)} + " needs a value");
    c.value = get_string(v[2], field + "[2]");
  }
  return c;
}

void get_retry(const json& v, retry_policy& r) {
  expect_object(v, "retry");
  only_members(
    v, "retry",
    {"max_attempts", "backoff_seconds", "max_backoff_seconds", "on"});
  if (v.contains("max_attempts"))
    r.max_attempts = static_cast<std::uint16_t>(
      get_integer(v["max_attempts"], "retry.max_attempts", 1, 65535));
  bool max_given = v.contains("max_backoff_seconds");
  if (v.contains("backoff_seconds")) {
    r.backoff_ms = static_cast<std::uint32_t>(
      get_millis(v["backoff_seconds"], "retry.backoff_seconds"));
    // A client raising the backoff above the default cap means it.
    if (!max_given && r.max_backoff_ms < r.backoff_ms)
      r.max_backoff_ms = r.backoff_ms;
  }
  if (max_given)
    r.max_backoff_ms = static_cast<std::uint32_t>(
      get_millis(v["max_backoff_seconds"], "retry.max_backoff_seconds"));
  if (v.contains("on")) {
    r.retry_on = 0;
    auto names = get_strings(v["on"], "retry.on");
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto phase = parse_task_phase(names[i]);
      auto bit = phase ? retry_bit(*phase) : 0;
      if (bit == 0)
        fail("retry.on[" + std::to_string(i) + "]",
             "unknown outcome '" + names[i] +
               "' (FAILED, LOST, GONE, DROPPED, ERROR or KILLED)");
      r.retry_on |= bit;
    }
  }
}

task_spec decode(const json& body, const task_spec_rules& rules) {
  expect_object(body, "");
  only_members(body, "",
               {"key", "command", "resources", "container", "environment",
                "labels", "uris", "user", "role", "queue", "priority",
                "constraints", "retry", "kill_grace_period_seconds"});
  auto& d = rules.defaults;
  task_spec spec;
  task_extras x;
  if (!body.contains("key"))
    fail("key", "required (the idempotency key)");
  spec.key = get_string(body["key"], "key");
  if (!body.contains("command"))
    fail("command", "required: a shell string or an argv array");
  auto& cmd = body["command"];
  if (cmd.is_array()) {
    x.argv = get_strings(cmd, "command");
    if (x.argv.empty())
      fail("command", "an argv array must not be empty");
  } else {
    spec.command = get_string(cmd, "command");
  }
  spec.resources = d.resources;
  if (body.contains("resources"))
    spec.resources = get_resources(body["resources"], d.resources);
  if (body.contains("container"))
    get_container(body["container"], x);
  if (body.contains("environment"))
    x.environment = get_pairs(body["environment"], "environment");
  if (body.contains("labels"))
    x.labels = get_pairs(body["labels"], "labels");
  if (body.contains("uris"))
    x.uris = get_strings(body["uris"], "uris");
  if (body.contains("user"))
    x.user = interned{get_string(body["user"], "user")};
  spec.role =
    interned{body.contains("role") ? get_string(body["role"], "role") : d.role};
  spec.queue = interned{
    body.contains("queue") ? get_string(body["queue"], "queue") : d.queue};
  spec.priority = body.contains("priority")
                    ? static_cast<std::int32_t>(get_integer(
                        body["priority"], "priority", -1'000'000, 1'000'000))
                    : d.priority;
  if (body.contains("constraints")) {
    auto& cs = body["constraints"];
    if (!cs.is_array())
      fail("constraints", "expected an array of [field, operator, value]");
    for (std::size_t i = 0; i < cs.size(); ++i)
      x.constraints.push_back(get_constraint(cs[i], i));
  }
  spec.retry = d.retry;
  if (body.contains("retry"))
    get_retry(body["retry"], spec.retry);
  if (body.contains("kill_grace_period_seconds"))
    x.kill_grace_period = duration{get_millis(body["kill_grace_period_seconds"],
                                              "kill_grace_period_seconds")};
  if (!x.empty())
    spec.extras = std::make_shared<const task_extras>(std::move(x));
  return spec;
}

json pairs_to_json(const std::vector<name_value>& xs) {
  auto out = json::object();
  for (auto& x : xs)
    out[x.name] = x.value;
  return out;
}

} // namespace

api_result<task_spec> parse_task_spec(const json& body,
                                      const task_spec_rules& rules) {
  try {
    auto spec = decode(body, rules);
    normalize(spec);
    if (auto error = validate_task_spec(spec, rules.limits))
      return *error;
    return spec;
  } catch (const field_problem& p) {
    return invalid_field(p.field, p.what);
  } catch (const json::exception& e) {
    return invalid_field("", std::string{"malformed JSON value: "} + e.what());
  }
}

json task_spec_to_json(const task_spec& spec) {
  auto& x = spec.more();
  json out;
  out["key"] = spec.key;
  if (x.argv.empty())
    out["command"] = spec.command;
  else
    out["command"] = x.argv;
  auto& r = spec.resources;
  out["resources"] = {{"cpus", r.cpus},
                      {"mem", r.mem},
                      {"disk", r.disk},
                      {"gpus", r.gpus},
                      {"ports", r.ports}};
  if (x.container != container_kind::none)
    out["container"] = {
      {"type", x.container == container_kind::docker ? "DOCKER" : "MESOS"},
      {"image", x.image},
      {"force_pull", x.force_pull}};
  if (!x.environment.empty())
    out["environment"] = pairs_to_json(x.environment);
  if (!x.labels.empty())
    out["labels"] = pairs_to_json(x.labels);
  if (!x.uris.empty())
    out["uris"] = x.uris;
  if (!x.user.empty())
    out["user"] = x.user.str();
  out["role"] = spec.role.str();
  out["queue"] = spec.queue.str();
  out["priority"] = spec.priority;
  if (!x.constraints.empty()) {
    auto cs = json::array();
    for (auto& c : x.constraints)
      cs.push_back(json(constraint_words(c)));
    out["constraints"] = std::move(cs);
  }
  auto on = json::array();
  for (auto p : {task_phase::failed, task_phase::lost, task_phase::gone,
                 task_phase::dropped, task_phase::error, task_phase::killed})
    if (spec.retry.retry_on & retry_bit(p))
      on.push_back(std::string{to_string(p)});
  out["retry"] = {{"max_attempts", spec.retry.max_attempts},
                  {"backoff_seconds", spec.retry.backoff_ms / 1000.0},
                  {"max_backoff_seconds", spec.retry.max_backoff_ms / 1000.0},
                  {"on", std::move(on)}};
  if (x.kill_grace_period)
    out["kill_grace_period_seconds"] = x.kill_grace_period->count() / 1000.0;
  return out;
}

task_spec task_spec_from_stored_json(const json& stored) {
  try {
    auto spec = decode(stored, task_spec_rules{});
    normalize(spec);
    return spec;
  } catch (const field_problem& p) {
    throw std::invalid_argument("stored task spec: " + p.field + ": " + p.what);
  }
}

} // namespace outrigger::scheduling
