#include "scheduling/task_book/task_spec_validation.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

namespace outrigger::scheduling {

namespace {

using opt_error = std::optional<api_error>;

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

bool has_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

// Mesos' role rules (src/common/roles.cpp): "*" or '/'-separated segments,
// none empty, "." or "..", none starting with '-', no whitespace.
std::optional<std::string> role_problem(std::string_view role) {
  if (role.empty())
    return "must not be empty";
  if (role == "*")
    return std::nullopt;
  if (has_space(role))
    return "must not contain whitespace or control characters";
  if (role.front() == '/' || role.back() == '/')
    return "must not start or end with '/'";
  std::size_t start = 0;
  while (start <= role.size()) {
    auto end = role.find('/', start);
    if (end == std::string_view::npos)
      end = role.size();
    auto segment = role.substr(start, end - start);
    if (segment.empty())
      return "must not contain '//'";
    if (segment == "." || segment == "..")
      return "must not contain '.' or '..' as a path segment";
    if (segment.front() == '-')
      return "a path segment must not start with '-'";
    if (segment == "*")
      return "'*' is only valid on its own";
    start = end + 1;
  }
  return std::nullopt;
}

opt_error check_scalar(const char* field, double value, double min,
                       const char* min_text, double max) {
  if (!std::isfinite(value))
    return invalid_field(field, "must be a finite number");
  if (min > 0 && value <= 0)
    return invalid_field(field, "must be > 0");
  if (value < min)
    return invalid_field(field, min_text);
  if (value > max)
    return invalid_field(field, "must be at most " + std::to_string(max));
  return std::nullopt;
}

opt_error check_resources(const task_resources& r, const task_limits& l) {
  if (auto e = check_scalar("resources.cpus", r.cpus, 0.01,
                            "must be at least 0.01", l.max_cpus))
    return e;
  if (auto e = check_scalar(
        "resources.mem", r.mem, 32,
        "must be at least 32 (MiB, the smallest task Mesos runs)", l.max_mem))
    return e;
  if (auto e =
        check_scalar("resources.disk", r.disk, 0, "must be >= 0", l.max_disk))
    return e;
  if (auto e =
        check_scalar("resources.gpus", r.gpus, 0, "must be >= 0", l.max_gpus))
    return e;
  if (r.gpus != std::floor(r.gpus))
    return invalid_field("resources.gpus", "must be a whole number");
  if (r.ports > l.max_ports)
    return invalid_field("resources.ports",
                         "must be at most " + std::to_string(l.max_ports));
  return std::nullopt;
}

opt_error check_pairs(const char* field, const std::vector<name_value>& xs,
                      const task_limits& l, bool env) {
  if (xs.size() > l.max_list_items)
    return invalid_field(
      field, "has more than " + std::to_string(l.max_list_items) + " entries");
  for (std::size_t i = 0; i < xs.size(); ++i) {
    auto path = std::string{field} + "." + xs[i].name;
    if (xs[i].name.empty())
      return invalid_field(field, "names must not be empty");
    if (env &&
        (xs[i].name.find('=') != std::string::npos || has_space(xs[i].name)))
      return invalid_field(path, "a variable name must not contain '=' or "
                                 "whitespace");
    if (xs[i].value.find('\0') != std::string::npos)
      return invalid_field(path, "must not contain NUL");
    if (i > 0 && !(xs[i - 1].name < xs[i].name))
      return invalid_field(path, xs[i - 1].name == xs[i].name
                                   ? "appears more than once"
                                   : "entries are not in normal form (sorted)");
  }
  return std::nullopt;
}

// True when a '{' (a repetition count, also after its ',') or a backslash (a
// back-reference) is followed by more than 4 digits: libstdc++'s regex
// compiler reads such numbers into a long without a bound (signed overflow,
// undefined behaviour), so they are refused before it sees them.
bool has_huge_number(std::string_view re) {
  auto digits_at = [&](std::size_t pos) {
    std::size_t n = 0;
    while (pos + n < re.size() && re[pos + n] >= '0' && re[pos + n] <= '9')
      ++n;
    return n;
  };
  for (std::size_t i = 0; i < re.size(); ++i) {
    if (re[i] != '{' && re[i] != '\\')
      continue;
    auto n = digits_at(i + 1);
    if (n > 4)
      return true;
    if (re[i] == '{' && i + 1 + n < re.size() && re[i + 1 + n] == ',' &&
        digits_at(i + 2 + n) > 4)
      return true;
    if (re[i] == '\\' && n == 0)
      ++i; // an escaped character, e.g. "\\{"
  }
  return false;
}

opt_error check_constraint(const placement_constraint& c, std::size_t i) {
  auto field = "constraints[" + std::to_string(i) + "]";
  if (c.field.empty())
    return invalid_field(field, "the field (hostname or an attribute name) "
                                "must not be empty");
  switch (c.op) {
    case constraint_op::equals:
      if (c.value.empty())
        return invalid_field(field, "EQUALS needs a value");
      break;
    case constraint_op::like:
    case constraint_op::unlike:
      if (c.value.empty())
        return invalid_field(field, std::string{to_string(c.op)} +
                                      " needs a regular expression");
      if (has_huge_number(c.value))
        return invalid_field(field, "invalid regular expression '" + c.value +
                                      "': repetition counts and "
                                      "back-references above 9999 are not "
                                      "supported");
      try {
        std::regex re{c.value, std::regex::ECMAScript};
      } catch (const std::regex_error& e) {
        return invalid_field(field, "invalid regular expression '" + c.value +
                                      "': " + e.what());
      }
      break;
    case constraint_op::unique:
      if (c.limit != 1)
        return invalid_field(field, "UNIQUE allows one task per value");
      break;
    case constraint_op::max_per:
      if (c.limit == 0)
        return invalid_field(field, "MAX_PER needs a limit >= 1");
      break;
  }
  return std::nullopt;
}

opt_error check_extras(const task_spec& spec, const task_limits& l) {
  auto& x = spec.more();
  std::size_t command_bytes = spec.command.size();
  if (!x.argv.empty()) {
    if (!spec.command.empty())
      return invalid_field("command", "is either a shell string or an argv "
                                      "array, not both");
    if (x.argv.size() > l.max_list_items)
      return invalid_field("command", "argv has more than " +
                                        std::to_string(l.max_list_items) +
                                        " elements");
    if (x.argv.front().empty())
      return invalid_field("command[0]", "the program must not be empty");
    for (auto& arg : x.argv) {
      command_bytes += arg.size();
      if (arg.find('\0') != std::string::npos)
        return invalid_field("command", "must not contain NUL");
    }
  } else if (spec.command.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid_field("command", "required: a shell string or an argv "
                                    "array");
  } else if (spec.command.find('\0') != std::string::npos) {
    return invalid_field("command", "must not contain NUL");
  }
  if (command_bytes > l.max_command_bytes)
    return invalid_field("command", "is longer than " +
                                      std::to_string(l.max_command_bytes) +
                                      " bytes");
  if (x.container != container_kind::none && x.image.empty())
    return invalid_field("container.image", "required for a container");
  if (x.container == container_kind::none && !x.image.empty())
    return invalid_field("container.type", "required with an image");
  if (has_space(x.image))
    return invalid_field("container.image", "must not contain whitespace");
  if (auto e = check_pairs("environment", x.environment, l, true))
    return e;
  if (auto e = check_pairs("labels", x.labels, l, false))
    return e;
  if (x.uris.size() > l.max_list_items)
    return invalid_field(
      "uris", "has more than " + std::to_string(l.max_list_items) + " entries");
  for (std::size_t i = 0; i < x.uris.size(); ++i)
    if (x.uris[i].empty() || has_space(x.uris[i]))
      return invalid_field("uris[" + std::to_string(i) + "]",
                           "must be a non-empty URI without whitespace");
  if (has_space(x.user.view()) || x.user.view().find('/') != std::string::npos)
    return invalid_field("user", "must be a user name");
  if (x.constraints.size() > l.max_list_items)
    return invalid_field("constraints", "too many constraints");
  for (std::size_t i = 0; i < x.constraints.size(); ++i)
    if (auto e = check_constraint(x.constraints[i], i))
      return e;
  if (x.kill_grace_period && (x.kill_grace_period->count() < 0 ||
                              *x.kill_grace_period > l.max_kill_grace))
    return invalid_field("kill_grace_period_seconds",
                         "must be between 0 and " +
                           std::to_string(l.max_kill_grace.count() / 1000));
  return std::nullopt;
}

opt_error check_retry(const retry_policy& r, const task_limits& l) {
  if (r.max_attempts < 1 || r.max_attempts > l.max_attempts)
    return invalid_field("retry.max_attempts",
                         "must be between 1 and " +
                           std::to_string(l.max_attempts));
  if (duration{r.backoff_ms} > l.max_backoff)
    return invalid_field("retry.backoff_seconds",
                         "must be at most " +
                           std::to_string(l.max_backoff.count() / 1000));
  if (r.max_backoff_ms < r.backoff_ms)
    return invalid_field("retry.max_backoff_seconds",
                         "must be >= retry.backoff_seconds");
  if (duration{r.max_backoff_ms} > l.max_backoff)
    return invalid_field("retry.max_backoff_seconds",
                         "must be at most " +
                           std::to_string(l.max_backoff.count() / 1000));
  if (r.retry_on & ~0x3f)
    return invalid_field("retry.on", "unknown outcome bits");
  return std::nullopt;
}

} // namespace

std::optional<api_error> validate_task_spec(const task_spec& spec,
                                            const task_limits& limits) {
  if (spec.key.empty())
    return invalid_field("key", "required (the idempotency key)");
  if (spec.key.size() > limits.max_key_bytes)
    return invalid_field("key", "is longer than " +
                                  std::to_string(limits.max_key_bytes) +
                                  " bytes");
  if (has_control_chars(spec.key))
    return invalid_field("key", "must not contain control characters");
  if (auto e = check_extras(spec, limits))
    return e;
  if (auto e = check_resources(spec.resources, limits))
    return e;
  if (auto problem = role_problem(spec.role.view()))
    return invalid_field("role", *problem);
  if (spec.queue.empty() || spec.queue.view().size() > 128 ||
      has_control_chars(spec.queue.view()))
    return invalid_field("queue", "must be 1 to 128 printable characters");
  if (spec.priority < -1'000'000 || spec.priority > 1'000'000)
    return invalid_field("priority", "must be between -1000000 and 1000000");
  if (auto e = check_retry(spec.retry, limits))
    return e;
  if (spec.extras && spec.extras->empty())
    return invalid_field("", "spec is not in normal form (empty extras)");
  return std::nullopt;
}

void normalize(task_spec& spec) {
  auto round3 = [](double v) {
    return std::isfinite(v) ? std::round(v * 1000.0) / 1000.0 : v;
  };
  auto& r = spec.resources;
  r.cpus = round3(r.cpus);
  r.mem = round3(r.mem);
  r.disk = round3(r.disk);
  r.gpus = round3(r.gpus);
  if (!spec.extras)
    return;
  auto x = *spec.extras;
  auto by_name = [](const name_value& a, const name_value& b) {
    return a.name < b.name;
  };
  std::stable_sort(x.environment.begin(), x.environment.end(), by_name);
  std::stable_sort(x.labels.begin(), x.labels.end(), by_name);
  if (x.empty())
    spec.extras.reset();
  else
    spec.extras = std::make_shared<const task_extras>(std::move(x));
}

} // namespace outrigger::scheduling
