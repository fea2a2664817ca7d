#include "app/cli_output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>

namespace outrigger::app {

std::optional<output_format> parse_output(const std::string& name) {
  static const std::pair<const char*, output_format> known[] = {
    {"json", output_format::json},   {"table", output_format::table},
    {"wide", output_format::wide},   {"ids", output_format::ids},
    {"brief", output_format::brief},
  };
  for (auto& [n, f] : known)
    if (name == n)
      return f;
  return std::nullopt;
}

terminal_info stdout_terminal() {
  terminal_info t;
  t.tty = ::isatty(STDOUT_FILENO) == 1;
  auto* no_colour = std::getenv("NO_COLOR");
  t.colour = t.tty && (no_colour == nullptr || *no_colour == '\0');
  winsize ws{};
  if (t.tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
    t.width = ws.ws_col;
  return t;
}

output_format effective(output_format asked, bool brief, bool tty) {
  if (asked != output_format::automatic)
    return asked;
  if (brief)
    return output_format::brief;
  return tty ? output_format::table : output_format::json;
}

bool terminal_state(const std::string& state) {
  static const char* states[] = {"FINISHED", "FAILED",  "KILLED", "ERROR",
                                 "LOST",     "DROPPED", "GONE"};
  return std::any_of(std::begin(states), std::end(states),
                     [&](const char* s) { return state == s; });
}

std::string state_colour(const std::string& state) {
  if (state == "FINISHED")
    return "\x1b[32m";
  if (terminal_state(state))
    return "\x1b[31m";
  if (state == "QUEUED")
    return "\x1b[33m";
  if (state.empty())
    return {};
  return "\x1b[36m";
}

namespace {

// Code points of UTF-8 text (continuation bytes do not count).
std::size_t columns_of(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The first `n` code points of `s`, with "…" as the last when cut.
std::string cut(const std::string& s, std::size_t n) {
  if (columns_of(s) <= n)
    return s;
  if (n == 0)
    return {};
  std::size_t seen = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == n - 1)
        break;
      ++seen;
    }
  }
  return s.substr(0, i) + "…";
}

// One line: newlines and tabs become spaces.
std::string one_line(std::string s) {
  std::replace_if(
    s.begin(), s.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
  return s;
}

std::string str(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null())
    return {};
  if (it->is_string())
    return it->get<std::string>();
  return it->dump();
}

} // namespace

std::string render(const table& t, unsigned width, bool colour) {
  auto n = t.header.size();
  std::vector<std::size_t> w(n, 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < n && i < row.size(); ++i)
      w[i] = std::max(w[i], columns_of(row[i]));
  };
  widen(t.header);
  for (auto& r : t.rows)
    widen(r);
  if (width > 0 && n > 0) {
    std::size_t others = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (i != t.flexible)
        others += w[i] + 2;
    // The flexible column keeps at least its header's width.
    auto room = width > others ? width - others : 0;
    w[t.flexible] =
      std::min(w[t.flexible], std::max(room, columns_of(t.header[t.flexible])));
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& row, bool header) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      auto cell = i < row.size() ? cut(row[i], w[i]) : std::string{};
      auto pad = w[i] - columns_of(cell);
      auto c = colour && !header && static_cast<int>(i) == t.state_column
                 ? state_colour(cell)
                 : std::string{};
      if (i + 1 == n)
        pad = 0; // no trailing blanks
      text += c.empty() ? cell : c + cell + "\x1b[0m";
      text += std::string(pad, ' ');
      if (i + 1 < n)
        text += "  ";
    }
    if (header && colour)
      text = "\x1b[1m" + text + "\x1b[0m";
    out << text << "\n";
  };
  line(t.header, true);
  for (auto& r : t.rows)
    line(r, false);
  return out.str();
}

std::optional<std::chrono::system_clock::time_point>
parse_time(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  char z = 0;
  // 2026-11-22T10:04:05.123Z
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                  &ms, &z) != 8 ||
      z != 'Z')
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto secs = ::timegm(&tm);
  if (secs == -1)
    return std::nullopt;
  return std::chrono::system_clock::from_time_t(secs) +
         std::chrono::milliseconds{ms};
}

std::string short_age(std::optional<std::chrono::system_clock::time_point> t,
                      std::chrono::system_clock::time_point now) {
  if (!t)
    return "-";
  auto s = std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
  if (s < 0)
    s = 0;
  if (s < 120)
    return std::to_string(s) + "s";
  if (s < 120 * 60)
    return std::to_string(s / 60) + "m";
  if (s < 48 * 3600)
    return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

namespace {

// The last attempt of a task, or the result itself.
const nlohmann::json& last_attempt(const nlohmann::json& item) {
  static const nlohmann::json none = nlohmann::json::object();
  auto it = item.find("attempts");
  if (it != item.end() && it->is_array() && !it->empty())
    return it->back();
  return none;
}

// A field of the item, else of its last attempt.
std::string field(const nlohmann::json& item, const char* name) {
  auto own = str(item, name);
  return own.empty() ? str(last_attempt(item), name) : own;
}

} // namespace

std::string outcome_of(const nlohmann::json& item) {
  auto state = str(item, "state");
  if (state == "QUEUED") {
    if (auto r = str(item, "pending_reason"); !r.empty())
      return one_line(r);
    if (auto nb = str(item, "not_before"); !nb.empty())
      return "retry not before " + nb;
    return {};
  }
  std::string out;
  auto add = [&](const std::string& s) {
    if (s.empty())
      return;
    out += out.empty() ? s : " " + s;
  };
  if (auto e = field(item, "exit_status"); !e.empty())
    add("exit=" + e);
  auto reason = field(item, "reason");
  if (reason.rfind("REASON_", 0) == 0)
    reason = reason.substr(7);
  add(reason);
  add(one_line(field(item, "message")));
  return out;
}

namespace {

// A table whose first columns are ID KEY STATE ATTEMPTS AGE AGENT, then
// `extra` (wide only), then `last` (the flexible one).
table table_of(const std::vector<std::string>& extra, const char* last,
               bool wide) {
  table t;
  t.header = {"ID", "KEY", "STATE", "ATTEMPTS", "AGE", "AGENT"};
  if (wide)
    t.header.insert(t.header.end(), extra.begin(), extra.end());
  t.header.push_back(last);
  t.flexible = t.header.size() - 1;
  t.state_column = 2;
  return t;
}

// The first cells of a row (keys cut to 32 unless wide).
std::vector<std::string> first_cells(const nlohmann::json& item,
                                     const std::string& attempts,
                                     const std::string& age, bool wide) {
  auto host = field(item, "hostname");
  return {str(item, "id"),
          wide ? str(item, "key") : cut(str(item, "key"), 32),
          str(item, "state"),
          attempts,
          age,
          host.empty() ? "-" : host};
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

} // namespace

table task_table(const nlohmann::json& tasks, bool wide,
                 std::chrono::system_clock::time_point now) {
  auto t = table_of({"QUEUE", "CPUS", "MEM", "SUBMITTED"}, "REASON", wide);
  for (auto& task : tasks) {
    auto attempts = task.contains("attempts") ? task["attempts"].size() : 0;
    auto row =
      first_cells(task, std::to_string(attempts),
                  short_age(parse_time(str(task, "submitted_at")), now), wide);
    if (wide) {
      auto spec = task.value("spec", nlohmann::json::object());
      auto res = spec.value("resources", nlohmann::json::object());
      row.insert(row.end(), {or_dash(str(spec, "queue")), str(res, "cpus"),
                             str(res, "mem"), str(task, "submitted_at")});
    }
    row.push_back(outcome_of(task));
    t.rows.push_back(std::move(row));
  }
  return t;
}

table result_table(const nlohmann::json& results, bool wide,
                   std::chrono::system_clock::time_point now) {
  auto t = table_of({"CURSOR", "FINISHED"}, "OUTCOME", wide);
  for (auto& r : results) {
    auto row =
      first_cells(r, str(r, "attempts"),
                  short_age(parse_time(str(r, "finished_at")), now), wide);
    if (wide)
      row.insert(row.end(), {str(r, "cursor"), str(r, "finished_at")});
    row.push_back(outcome_of(r));
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string indented_tail(const nlohmann::json& item, std::size_t max_lines) {
  auto tail = field(item, "stderr_tail");
  if (tail.empty())
    return {};
  std::vector<std::string> lines;
  std::istringstream in{tail};
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  auto first = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::string out;
  for (auto i = first; i < lines.size(); ++i)
    out += "    | " + lines[i] + "\n";
  return out;
}

std::string task_summary(const nlohmann::json& task, bool colour,
                         std::chrono::system_clock::time_point now) {
  std::ostringstream out;
  auto state = str(task, "state");
  auto c = colour ? state_colour(state) : std::string{};
  out << "Task " << str(task, "id") << "  " << str(task, "key") << "  "
      << (c.empty() ? state : c + state + "\x1b[0m") << "\n";
  auto spec = task.value("spec", nlohmann::json::object());
  auto row = [&](const char* name, const std::string& value) {
    if (!value.empty())
      out << "  " << name << std::string(11 - std::string(name).size(), ' ')
          << value << "\n";
  };
  auto command = spec.value("command", nlohmann::json{});
  if (command.is_array()) {
    std::string joined;
    for (auto& a : command)
      joined += (joined.empty() ? "" : " ") + a.get<std::string>();
    row("command", joined);
  } else if (command.is_string()) {
    row("command", command.get<std::string>());
  }
  if (auto res = spec.value("resources", nlohmann::json::object());
      !res.empty()) {
    std::string r;
    for (auto& [k, v] : res.items())
      if (!(v.is_number() && v.get<double>() == 0.0)) // unset: 0
        r += (r.empty() ? "" : " ") + k + "=" + v.dump();
    row("resources", r);
  }
  row("queue", str(spec, "queue"));
  row("role", str(spec, "role"));
  row("submitted", str(task, "submitted_at") + " (" +
                     short_age(parse_time(str(task, "submitted_at")), now) +
                     " ago)");
  if (state == "QUEUED")
    row("pending", outcome_of(task));
  if (task.value("kill_requested", false))
    row("kill", "requested");
  auto attempts = task.value("attempts", nlohmann::json::array());
  if (!attempts.empty())
    out << "  attempts:\n";
  for (auto& a : attempts) {
    out << "    #" << str(a, "number") << "  " << str(a, "state");
    if (auto h = str(a, "hostname"); !h.empty())
      out << "  on " << h;
    if (auto o = outcome_of(a); !o.empty())
      out << "  " << o;
    out << "\n";
  }
  auto tail = indented_tail(task, 10);
  if (!tail.empty())
    out << "  stderr (last lines):\n" << tail;
  return out.str();
}

} // namespace outrigger::app
