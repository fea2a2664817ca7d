#include "scheduling/task_book/task.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace outrigger::scheduling {

namespace {

constexpr std::array<std::string_view, 14> phase_names = {
  "QUEUED",  "LAUNCHING",   "STAGING",  "STARTING", "RUNNING",
  "KILLING", "UNREACHABLE", "FINISHED", "FAILED",   "KILLED",
  "ERROR",   "LOST",        "DROPPED",  "GONE",
};

constexpr std::array<std::string_view, 5> op_names = {
  "EQUALS", "LIKE", "UNLIKE", "UNIQUE", "MAX_PER",
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto up = [](char c) { return c >= 'a' && c <= 'z' ? char(c - 32) : c; };
    return up(x) == up(y);
  });
}

// Parses an unsigned decimal without sign or leading junk.
template <class T>
bool parse_digits(std::string_view text, T& out) noexcept {
  if (text.empty() || text.size() > 20)
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

} // namespace

std::string_view to_string(task_phase phase) noexcept {
  return phase_names[static_cast<std::size_t>(phase)];
}

std::optional<task_phase> parse_task_phase(std::string_view text) noexcept {
  for (std::size_t i = 0; i < phase_names.size(); ++i)
    if (iequals(text, phase_names[i]))
      return static_cast<task_phase>(i);
  return std::nullopt;
}

task_phase phase_of(protocol::task_state state) noexcept {
  using s = protocol::task_state;
  switch (state) {
    case s::staging:
      return task_phase::staging;
    case s::starting:
      return task_phase::starting;
    case s::running:
      return task_phase::running;
    case s::killing:
      return task_phase::killing;
    case s::finished:
      return task_phase::finished;
    case s::failed:
      return task_phase::failed;
    case s::killed:
      return task_phase::killed;
    case s::error:
      return task_phase::error;
    case s::dropped:
      return task_phase::dropped;
    case s::unreachable:
      return task_phase::unreachable;
    case s::gone:
    case s::gone_by_operator:
      return task_phase::gone;
    default: // lost, unknown, unrecognized
      return task_phase::lost;
  }
}

std::uint8_t retry_bit(task_phase terminal) noexcept {
  switch (terminal) {
    case task_phase::failed:
      return static_cast<std::uint8_t>(retry_outcome::failed);
    case task_phase::lost:
      return static_cast<std::uint8_t>(retry_outcome::lost);
    case task_phase::gone:
      return static_cast<std::uint8_t>(retry_outcome::gone);
    case task_phase::dropped:
      return static_cast<std::uint8_t>(retry_outcome::dropped);
    case task_phase::error:
      return static_cast<std::uint8_t>(retry_outcome::error);
    case task_phase::killed:
      return static_cast<std::uint8_t>(retry_outcome::killed);
    default:
      return 0;
  }
}

duration retry_policy::delay_after(std::uint32_t counted) const noexcept {
  // Doubling stops at the cap; the shift is bounded so it cannot overflow.
  std::uint64_t delay = backoff_ms;
  for (std::uint32_t i = 1; i < counted && delay < max_backoff_ms; ++i)
    delay *= 2;
  return duration{std::min<std::uint64_t>(delay, max_backoff_ms)};
}

std::string_view to_string(constraint_op op) noexcept {
  return op_names[static_cast<std::size_t>(op)];
}

std::optional<constraint_op> parse_constraint_op(std::string_view t) noexcept {
  for (std::size_t i = 0; i < op_names.size(); ++i)
    if (iequals(t, op_names[i]))
      return static_cast<constraint_op>(i);
  if (iequals(t, "MAX-PER") || iequals(t, "MAXPER"))
    return constraint_op::max_per;
  return std::nullopt;
}

std::vector<std::string> constraint_words(const placement_constraint& c) {
  std::vector<std::string> out{c.field.str(), std::string{to_string(c.op)}};
  if (c.op == constraint_op::max_per)
    out.push_back(std::to_string(c.limit));
  else if (c.op != constraint_op::unique)
    out.push_back(c.value);
  return out;
}

const task_extras& task_spec::more() const noexcept {
  static const task_extras none;
  return extras ? *extras : none;
}

bool task_spec::operator==(const task_spec& other) const noexcept {
  return key == other.key && command == other.command &&
         resources == other.resources && role == other.role &&
         queue == other.queue && priority == other.priority &&
         retry == other.retry && more() == other.more();
}

std::uint32_t task_record::counted_attempts() const noexcept {
  return static_cast<std::uint32_t>(
    std::count_if(attempts.begin(), attempts.end(),
                  [](const attempt& a) { return a.started; }));
}

namespace {

bool same_spec(const std::shared_ptr<const task_spec>& a,
               const std::shared_ptr<const task_spec>& b) noexcept {
  if (a == b)
    return true;
  return a && b && *a == *b;
}

} // namespace

bool task_record::operator==(const task_record& other) const noexcept {
  return id == other.id && same_spec(spec, other.spec) &&
         phase == other.phase && kill_requested == other.kill_requested &&
         submitted_at == other.submitted_at && updated_at == other.updated_at &&
         not_before == other.not_before && attempts == other.attempts &&
         submitted_by == other.submitted_by;
}

std::string mesos_task_id(task_id id, std::uint32_t attempt) {
  // Short enough for the small-string buffer up to id 999,999,999.
  std::string out = "or-";
  out += std::to_string(id);
  out += '-';
  out += std::to_string(attempt);
  return out;
}

std::optional<attempt_ref> parse_mesos_task_id(std::string_view text) noexcept {
  if (!text.starts_with("or-"))
    return std::nullopt;
  text.remove_prefix(3);
  auto dash = text.find('-');
  if (dash == std::string_view::npos)
    return std::nullopt;
  attempt_ref out;
  if (!parse_digits(text.substr(0, dash), out.id) ||
      !parse_digits(text.substr(dash + 1), out.attempt) || out.id == 0 ||
      out.attempt == 0)
    return std::nullopt;
  return out;
}

std::optional<std::int32_t> exit_status_of(std::string_view message) noexcept {
  // The command executor writes "Command exited with status N" (and
  // "Command terminated with signal X" when there is no exit status).
  constexpr std::string_view marker = "exited with status ";
  auto pos = message.find(marker);
  if (pos == std::string_view::npos)
    return std::nullopt;
  auto rest = message.substr(pos + marker.size());
  std::size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9')
    ++n;
  std::int32_t value = 0;
  if (n == 0 || !parse_digits(rest.substr(0, n), value))
    return std::nullopt;
  return value;
}

} // namespace outrigger::scheduling
