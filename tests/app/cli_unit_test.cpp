// The pure parts of the CLI: table layout, the status line of `wait`, its
// rate and ETA, the summary, client.conf and the order of the settings,
// the screen of `top`.

#include "app/cli_config.hpp"
#include "app/cli_output.hpp"
#include "app/cli_progress.hpp"
#include "app/cli_support.hpp"
#include "app/cli_top.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace outrigger::test {

using namespace std::chrono_literals;
using app::output_format;

namespace {

std::string without_escapes(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm')
        ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

} // namespace

TEST_CASE("a table pads columns to the widest cell and cuts the last one") {
  app::table t;
  t.header = {"ID", "STATE", "REASON"};
  t.flexible = 2;
  t.state_column = 1;
  t.rows = {{"1", "QUEUED", "no offer has mem >= 4096"},
            {"123", "FINISHED", "exit=0"}};
  auto text = app::render(t, 0, false);
  CHECK(text == "ID   STATE     REASON\n"
                "1    QUEUED    no offer has mem >= 4096\n"
                "123  FINISHED  exit=0\n");
  // 20 columns: the reason gives way, marked with an ellipsis.
  auto narrow = app::render(t, 20, false);
  CHECK(narrow == "ID   STATE     REASON\n"
                  "1    QUEUED    no of…\n"
                  "123  FINISHED  exit=0\n");
  // Colours go around padded cells: without the escapes, the same text.
  auto coloured = app::render(t, 0, true);
  CHECK(coloured != text);
  CHECK(coloured.find("\x1b[32mFINISHED\x1b[0m") != std::string::npos);
  CHECK(without_escapes(coloured) == text);
}

TEST_CASE("task and result rows say why a task waits or how it ended") {
  auto now = *app::parse_time("2026-11-22T10:05:05.000Z");
  nlohmann::json tasks = nlohmann::json::parse(R"([
    {"id": 7, "key": "big", "state": "QUEUED", "attempts": [],
     "submitted_at": "2026-11-22T10:04:05.123Z",
     "pending_reason": "no offer has mem >= 4096"},
    {"id": 8, "key": "bad", "state": "FAILED",
     "submitted_at": "2026-11-22T08:00:00.000Z",
     "attempts": [{"number": 1, "state": "FAILED", "hostname": "h1",
                   "exit_status": 7, "reason": "REASON_COMMAND_EXECUTOR_FAILED",
                   "message": "Command exited with status 7"}]}])");
  auto t = app::task_table(tasks, false, now);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.header.back() == "REASON");
  CHECK(t.rows[0] == std::vector<std::string>{"7", "big", "QUEUED", "0", "59s",
                                              "-", "no offer has mem >= 4096"});
  CHECK(t.rows[1][4] == "2h");
  CHECK(t.rows[1][5] == "h1");
  CHECK(t.rows[1][6] ==
        "exit=7 COMMAND_EXECUTOR_FAILED Command exited with status 7");
  CHECK(app::task_table(tasks, true, now).header.size() == 11);
  nlohmann::json results = nlohmann::json::parse(R"([
    {"cursor": 3, "id": 8, "key": "bad", "state": "FAILED", "attempts": 2,
     "exit_status": 7, "message": "boom", "hostname": "h1",
     "finished_at": "2026-11-22T10:05:00.000Z"}])");
  auto r = app::result_table(results, false, now);
  CHECK(r.rows[0] == std::vector<std::string>{"8", "bad", "FAILED", "2", "5s",
                                              "h1", "exit=7 boom"});
}

TEST_CASE("times and ages") {
  CHECK_FALSE(app::parse_time("yesterday"));
  CHECK_FALSE(app::parse_time("2026-11-22 10:04:05"));
  auto t = app::parse_time("2026-11-22T10:04:05.123Z");
  REQUIRE(t);
  CHECK(app::short_age(t, *t + 90s) == "90s");
  CHECK(app::short_age(t, *t + 300s) == "5m");
  CHECK(app::short_age(t, *t + 5h) == "5h");
  CHECK(app::short_age(t, *t + 72h) == "3d");
  CHECK(app::short_age(std::nullopt, *t) == "-");
  CHECK(app::short_duration(12) == "12s");
  CHECK(app::short_duration(185) == "3m05s");
  CHECK(app::short_duration(3720) == "1h02m");
}

TEST_CASE("the output format follows -o, --brief and the terminal") {
  CHECK(app::effective(output_format::automatic, false, true) ==
        output_format::table);
  CHECK(app::effective(output_format::automatic, false, false) ==
        output_format::json);
  CHECK(app::effective(output_format::automatic, true, true) ==
        output_format::brief);
  CHECK(app::effective(output_format::ids, true, true) == output_format::ids);
  CHECK(app::parse_output("wide") == output_format::wide);
  CHECK_FALSE(app::parse_output("yaml"));
}

TEST_CASE("the status line of wait counts, rates and says why tasks wait") {
  app::wait_counts c;
  c.add("FINISHED", 54);
  c.add("FAILED", 3);
  c.add("RUNNING", 40);
  c.add("STAGING", 3);
  c.add("QUEUED", 100);
  CHECK(c.total == 200);
  CHECK(c.ended == 57);
  CHECK(c.running == 43);
  CHECK(app::status_line(c, 12.5, 11.4, "no offer has mem >= 4096", 0) ==
        "57/200 done  3 failed  43 running  100 queued  12.5/s  ETA 11s  "
        "waiting: no offer has mem >= 4096");
  // Unknown rate: no rate, no ETA; nothing queued: no reason.
  app::wait_counts d;
  d.add("RUNNING", 2);
  CHECK(app::status_line(d, std::nullopt, std::nullopt, "x", 0) ==
        "0/2 done  2 running");
  // Never wider than the terminal less one column.
  CHECK(app::status_line(c, 12.5, 11.4, "no offer has mem >= 4096", 30) ==
        "57/200 done  3 failed  43 run");
}

TEST_CASE("the rate follows the last seconds and gives an ETA") {
  app::rate_meter m{20s};
  auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  m.sample(t0, 0);
  CHECK_FALSE(m.rate());
  CHECK_FALSE(m.eta(10));
  m.sample(t0 + 2s, 10);
  REQUIRE(m.rate());
  CHECK(*m.rate() == doctest::Approx(5.0));
  CHECK(*m.eta(100) == doctest::Approx(20.0));
  // Old samples leave the window: the rate is that of the last 20 s.
  m.sample(t0 + 30s, 10);
  m.sample(t0 + 40s, 10);
  CHECK(*m.rate() == doctest::Approx(0.0));
  CHECK_FALSE(m.eta(100));
}

TEST_CASE("the most common pending reason wins") {
  CHECK(app::most_common({}) == "");
  CHECK(app::most_common({"", "a", "b", "b", ""}) == "b");
  CHECK(app::most_common({"a", "b"}) == "a");
}

TEST_CASE("the summary counts states and lists what did not finish") {
  app::wait_counts c;
  c.add("FINISHED", 197);
  c.add("FAILED", 2);
  c.add("LOST", 1);
  std::vector<nlohmann::json> failures{
    {{"id", 4},
     {"key", "k4"},
     {"state", "FAILED"},
     {"exit_status", 3},
     {"stderr_tail", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"}},
    {{"id", 9}, {"key", "k9"}, {"state", "FAILED"}, {"exit_status", 1}},
    {{"id", 12}, {"key", "k12"}, {"state", "LOST"}, {"message", "agent gone"}}};
  auto text = app::summary_text(c, 65, failures, 2, false);
  CHECK(text == "200 tasks: 197 FINISHED, 2 FAILED, 1 LOST in 1m05s\n"
                "Did not finish:\n"
                "  4  k4  FAILED  exit=3\n"
                "    | line 2\n"
                "    | line 3\n"
                "    | line 4\n"
                "    | line 5\n"
                "    | line 6\n"
                "  9  k9  FAILED  exit=1\n"
                "  ... and 1 more (outrigger results -o wide)\n");
  app::wait_counts ok;
  ok.add("FINISHED", 1);
  CHECK(app::summary_text(ok, 2, {}, 50, false) ==
        "1 task: 1 FINISHED in 2s\n");
}

TEST_CASE("client.conf takes key = value lines and names a bad line") {
  std::istringstream good{"# where the API is\n\napi = http://h:1\n"
                          "token_file = \"/etc/t\"\ntimeout=5\n"};
  auto conf = app::parse_client_conf(good, "c.conf");
  CHECK(conf.api == "http://h:1");
  CHECK(conf.token_file == "/etc/t");
  CHECK(conf.timeout == 5);
  auto error_of = [](const std::string& text) {
    std::istringstream in{text};
    try {
      app::parse_client_conf(in, "/x/client.conf");
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{};
  };
  CHECK(error_of("api = http://h:1\napi http://h:2\n") ==
        "/x/client.conf line 2: expected key = value, got \"api http://h:2\"");
  CHECK(error_of("\ntokn = x\n") ==
        "/x/client.conf line 2: unknown key \"tokn\" (known: api, "
        "token-file, timeout)");
  CHECK(
    error_of("timeout = soon\n").rfind("/x/client.conf line 1: timeout:", 0) ==
    0);
  CHECK(error_of("api =\n") == "/x/client.conf line 1: api: empty value");
}

TEST_CASE("client settings: flag over environment over client.conf") {
  temp_dir dir{"or-clientconf"};
  std::filesystem::create_directories(dir.path() / "outrigger");
  std::ofstream{dir.path() / "outrigger" / "client.conf"}
    << "api = http://from-file:1\ntoken-file = " << (dir.path() / "ft").string()
    << "\ntimeout = 7\n";
  std::ofstream{dir.path() / "ft"} << "file-token\n";
  std::ofstream{dir.path() / "flagt"} << "  flag-token  \n";
  std::map<std::string, std::string> env{
    {"XDG_CONFIG_HOME", dir.path().string()}};
  auto reader = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  CHECK(app::client_conf_path(reader) ==
        (dir.path() / "outrigger" / "client.conf").string());
  app::client_settings c;
  CHECK(app::resolve_client(c, reader) == "");
  CHECK(c.api == "http://from-file:1");
  CHECK(c.token == "file-token");
  CHECK(c.timeout == 7);
  env["OUTRIGGER_API"] = "http://from-env:2";
  env["OUTRIGGER_TOKEN"] = "env-token";
  c = {};
  CHECK(app::resolve_client(c, reader) == "");
  CHECK(c.api == "http://from-env:2");
  CHECK(c.token == "env-token");
  c = {};
  c.api_flag = "http://from-flag:3";
  c.token_file_flag = (dir.path() / "flagt").string();
  c.timeout_flag = 9;
  CHECK(app::resolve_client(c, reader) == "");
  CHECK(c.api == "http://from-flag:3");
  CHECK(c.token == "flag-token");
  CHECK(c.timeout == 9);
  // Without XDG_CONFIG_HOME: ~/.config; no file there, the defaults.
  env = {{"HOME", (dir.path() / "nohome").string()}};
  c = {};
  CHECK(app::resolve_client(c, reader) == "");
  CHECK(c.api == "http://127.0.0.1:8080");
  CHECK(c.token.empty());
  // A token file that cannot be read is an error that names it.
  c = {};
  c.token_file_flag = (dir.path() / "missing").string();
  CHECK(app::resolve_client(c, reader) ==
        "--token-file: cannot read the token file " +
          (dir.path() / "missing").string());
  // A bad client.conf names the file and the line.
  env = {{"XDG_CONFIG_HOME", dir.path().string()}};
  std::ofstream{dir.path() / "outrigger" / "client.conf"} << "api = x\nbad\n";
  c = {};
  CHECK(app::resolve_client(c, reader) ==
        (dir.path() / "outrigger" / "client.conf").string() +
          " line 2: expected key = value, got \"bad\"");
}

TEST_CASE("the top screen shows the framework, counts, rates and the oldest "
          "pending task") {
  app::top_view v;
  v.api = "http://127.0.0.1:8080";
  v.clock = "10:04:05 UTC";
  v.framework = nlohmann::json::parse(R"({"framework_id": "fw-1",
    "connected": true, "phase": "subscribed", "leader": "http://m:5050",
    "offers_held": 2, "pending": 1, "reconciling": false,
    "tasks": {"QUEUED": 1, "RUNNING": 3, "FINISHED": 10, "FAILED": 0}})");
  v.launch_rate = 2.5;
  v.oldest_pending = {{"id", 17},
                      {"key", "big"},
                      {"state", "QUEUED"},
                      {"pending_reason", "no offer has mem >= 4096"}};
  v.oldest_age = "3m";
  auto lines = app::top_lines(v, 0);
  std::string all;
  for (auto& l : lines)
    all += l + "\n";
  CHECK(all.find("Framework  fw-1") != std::string::npos);
  CHECK(all.find("connected (subscribed)") != std::string::npos);
  CHECK(all.find("14 total  1 queued  3 running  10 ended") !=
        std::string::npos);
  CHECK(all.find("  RUNNING" + std::string(12, ' ') + "3\n") !=
        std::string::npos);
  CHECK(all.find("FAILED ") == std::string::npos); // zero: not shown
  CHECK(all.find("launch 2.5/s   finish -") != std::string::npos);
  CHECK(all.find("#17 big  waiting 3m\n  no offer has mem >= 4096") !=
        std::string::npos);
  for (auto& l : app::top_lines(v, 20))
    CHECK(l.size() <= 20);
  app::top_view down;
  down.error = "cannot reach the outrigger API";
  CHECK(app::top_lines(down, 0)[2] ==
        "API unreachable: cannot reach the outrigger API");
}

} // namespace outrigger::test
