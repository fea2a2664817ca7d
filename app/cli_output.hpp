#pragma once
// How the read commands print: the -o formats, whether stdout is a
// terminal and may be coloured, aligned tables, ages, and the rows of a
// task and of a result. Pure functions (tested in tests/app/cli_unit_test).

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace outrigger::app {

/// `-o`: json (the API's document), table (aligned, for people), wide (the
/// table with every column and nothing cut), ids (one id a line), brief
/// (the tab-separated lines of --brief). `automatic` picks table on a
/// terminal and the historic JSON (or --brief lines) on a pipe.
enum class output_format { automatic, json, table, wide, ids, brief };

/// The -o values, for the option's check and for completion.
inline const std::vector<std::string>& output_names() {
  static const std::vector<std::string> names{"json", "table", "wide", "ids",
                                              "brief"};
  return names;
}

/// Parses an -o value; nullopt when unknown.
std::optional<output_format> parse_output(const std::string& name);

/// Where the output goes and how it may look.
struct terminal_info {
  bool tty = false;    ///< stdout is a terminal
  bool colour = false; ///< tty and NO_COLOR unset or empty
  unsigned width = 0;  ///< columns (0: unknown, nothing is cut)
};

/// The facts about stdout (isatty, NO_COLOR, TIOCGWINSZ).
terminal_info stdout_terminal();

/// The format to use: `asked`, or for automatic table on a terminal,
/// brief with --brief, otherwise json.
output_format effective(output_format asked, bool brief, bool tty);

/// True for the states after which a task does not change.
bool terminal_state(const std::string& state);

/// ANSI colour of a state (empty for none): green FINISHED, red the other
/// terminal states, yellow QUEUED, cyan the running ones.
std::string state_colour(const std::string& state);

/// A table: a header and rows of cells (plain text).
struct table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// Index of the column that gives way when the width is short (the
  /// last one: reason or message).
  std::size_t flexible = 0;
  /// Index of the state column, coloured when allowed (-1: none).
  int state_column = -1;
};

/// Renders `t` with columns padded to their widest cell (counted in UTF-8
/// code points) and two spaces between them; with `width` > 0 the flexible
/// column is cut ("…") so that lines fit; with `colour` the state cells
/// are coloured after padding so that escapes do not break alignment.
std::string render(const table& t, unsigned width, bool colour);

/// Parses an API time ("2026-11-22T10:04:05.123Z"); nullopt when not one.
std::optional<std::chrono::system_clock::time_point>
parse_time(const std::string& text);

/// A short age: "5s", "3m", "2h", "4d" ("-" when unknown).
std::string short_age(std::optional<std::chrono::system_clock::time_point> t,
                      std::chrono::system_clock::time_point now);

/// The reason or outcome of a task or result, one line: the pending reason
/// of a QUEUED task, else "exit=N", the Mesos reason and the message.
std::string outcome_of(const nlohmann::json& item);

/// The table of a list page (tasks as GET /v1/tasks answers them, with a
/// pending_reason where known). `wide` adds queue, resources and the time
/// of submission.
table task_table(const nlohmann::json& tasks, bool wide,
                 std::chrono::system_clock::time_point now);

/// The table of results (the ResultPage's "results").
table result_table(const nlohmann::json& results, bool wide,
                   std::chrono::system_clock::time_point now);

/// A readable summary of one task (for `get` on a terminal).
std::string task_summary(const nlohmann::json& task, bool colour,
                         std::chrono::system_clock::time_point now);

/// The last lines of a stderr tail, indented for a summary (empty when the
/// item carries none). At most `max_lines` lines.
std::string indented_tail(const nlohmann::json& item, std::size_t max_lines);

} // namespace outrigger::app
