// Snapshots and recovery of the task book. A snapshot is JSON lines: a
// header, one line per task, one per result, and the order in which tasks
// became terminal (retention forgets the oldest first, so it is state too).
// Writing it line by line keeps the peak memory near the size of the text.

#include "scheduling/task_book/book_records.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <nlohmann/json.hpp>

namespace outrigger::scheduling {

namespace {

using json = nlohmann::json;

std::int64_t ms(time_point t) {
  return t.time_since_epoch().count();
}

// A number the snapshot writes as an integer. nlohmann's get<> would convert
// a float too, and one out of the type's range is undefined behaviour.
template <class T>
T whole(const json& v) {
  if (!v.is_number_integer())
    throw std::invalid_argument("expected an integer, got " + v.dump());
  return v.get<T>();
}

time_point from_ms(const json& v) {
  return time_point{duration{whole<std::int64_t>(v)}};
}

json reason_json(const std::optional<protocol::status_reason>& r) {
  return r ? json(std::string{protocol::to_string(*r)}) : json(nullptr);
}

std::optional<protocol::status_reason> reason_from(const json& v) {
  if (v.is_null())
    return std::nullopt;
  protocol::status_reason r;
  protocol::from_string(v.get<std::string>(), r);
  return r;
}

json exit_json(const std::optional<std::int32_t>& x) {
  return x ? json(*x) : json(nullptr);
}

std::optional<std::int32_t> exit_from(const json& v) {
  if (v.is_null())
    return std::nullopt;
  return whole<std::int32_t>(v);
}

task_phase phase_from(const json& v) {
  auto p = parse_task_phase(v.get<std::string>());
  if (!p)
    throw std::invalid_argument("unknown phase " + v.dump());
  return *p;
}

json attempt_json(const attempt& a) {
  return {{"n", a.number},
          {"s", to_string(a.state)},
          {"st", a.started},
          {"r", reason_json(a.reason)},
          {"x", exit_json(a.exit_status)},
          {"agent", a.agent_id.str()},
          {"host", a.hostname.str()},
          {"la", ms(a.launched_at)},
          {"ea", ms(a.ended_at)},
          {"m", a.message.str()},
          {"url", a.agent_url.str()},
          {"tail", a.stderr_tail.str()}};
}

attempt attempt_from(const json& j) {
  attempt a;
  a.number = whole<std::uint32_t>(j.at("n"));
  a.state = phase_from(j.at("s"));
  a.started = j.at("st").get<bool>();
  a.reason = reason_from(j.at("r"));
  a.exit_status = exit_from(j.at("x"));
  a.agent_id = interned{j.at("agent").get<std::string>()};
  a.hostname = interned{j.at("host").get<std::string>()};
  a.launched_at = from_ms(j.at("la"));
  a.ended_at = from_ms(j.at("ea"));
  a.message = j.at("m").get<std::string>();
  a.agent_url = interned{j.value("url", std::string{})};
  a.stderr_tail = j.value("tail", std::string{});
  return a;
}

json task_json(const task_record& t) {
  auto attempts = json::array();
  for (auto& a : t.attempts)
    attempts.push_back(attempt_json(a));
  json out{{"task",
            {{"id", t.id},
             {"spec", task_spec_to_json(*t.spec)},
             {"phase", to_string(t.phase)},
             {"kill", t.kill_requested},
             {"sub", ms(t.submitted_at)},
             {"upd", ms(t.updated_at)},
             {"nb", ms(t.not_before)},
             {"att", std::move(attempts)}}}};
  if (!t.submitted_by.empty())
    out["task"]["by"] = t.submitted_by.str();
  return out;
}

task_record task_from(const json& j) {
  task_record t;
  t.id = whole<task_id>(j.at("id"));
  t.spec =
    std::make_shared<const task_spec>(task_spec_from_stored_json(j.at("spec")));
  t.phase = phase_from(j.at("phase"));
  t.kill_requested = j.at("kill").get<bool>();
  t.submitted_at = from_ms(j.at("sub"));
  t.updated_at = from_ms(j.at("upd"));
  t.not_before = from_ms(j.at("nb"));
  for (auto& a : j.at("att"))
    t.attempts.push_back(attempt_from(a));
  // Snapshots written before submitters were recorded have no "by".
  if (auto by = j.find("by"); by != j.end())
    t.submitted_by = interned{by->get<std::string>()};
  return t;
}

json result_json(const task_result& r) {
  return {{"result",
           {{"c", r.cursor},
            {"id", r.id},
            {"key", r.key},
            {"s", to_string(r.state)},
            {"r", reason_json(r.reason)},
            {"m", r.message},
            {"x", exit_json(r.exit_status)},
            {"n", r.attempts},
            {"agent", r.agent_id.str()},
            {"host", r.hostname.str()},
            {"sub", ms(r.submitted_at)},
            {"sa", ms(r.started_at)},
            {"fa", ms(r.finished_at)},
            {"tail", r.stderr_tail}}}};
}

task_result result_from(const json& j) {
  task_result r;
  r.cursor = whole<std::uint64_t>(j.at("c"));
  r.id = whole<task_id>(j.at("id"));
  r.key = j.at("key").get<std::string>();
  r.state = phase_from(j.at("s"));
  r.reason = reason_from(j.at("r"));
  r.message = j.at("m").get<std::string>();
  r.exit_status = exit_from(j.at("x"));
  r.attempts = whole<std::uint32_t>(j.at("n"));
  r.agent_id = interned{j.at("agent").get<std::string>()};
  r.hostname = interned{j.at("host").get<std::string>()};
  r.submitted_at = from_ms(j.at("sub"));
  r.started_at = from_ms(j.at("sa"));
  r.finished_at = from_ms(j.at("fa"));
  r.stderr_tail = j.value("tail", std::string{});
  return r;
}

} // namespace

std::string task_book_state::snapshot() const {
  std::string out;
  json header = {{"snapshot", 1},
                 {"fw", framework_id_},
                 {"next_id", next_id_},
                 {"next_cursor", next_cursor_}};
  out += header.dump();
  out += '\n';
  for (auto& [id, t] : tasks_) {
    out += task_json(t).dump();
    out += '\n';
  }
  for (auto& r : results_) {
    out += result_json(r).dump();
    out += '\n';
  }
  out += json{{"terminal", terminal_order_}}.dump();
  out += '\n';
  return out;
}

void task_book_state::load_snapshot(std::string_view text) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    if (line.empty())
      continue;
    try {
      auto j = json::parse(line);
      if (auto i = j.find("task"); i != j.end()) {
        auto t = task_from(*i);
        ++phase_counts_[static_cast<std::size_t>(t.phase)];
        auto id = t.id;
        auto [pos, _] = tasks_.emplace(id, std::move(t));
        by_key_.insert(pos->second.spec->key, id,
                       [this](task_id x) { return key_of(x); });
      } else if (auto i = j.find("result"); i != j.end()) {
        results_.push_back(result_from(*i));
      } else if (auto i = j.find("terminal"); i != j.end()) {
        terminal_order_.clear();
        for (auto& id : i->get_ref<const json::array_t&>())
          terminal_order_.push_back(whole<task_id>(id));
      } else if (j.contains("snapshot")) {
        framework_id_ = j.at("fw").get<std::string>();
        next_id_ = whole<task_id>(j.at("next_id"));
        next_cursor_ = whole<std::uint64_t>(j.at("next_cursor"));
      } else {
        throw std::invalid_argument("unknown line");
      }
    } catch (const std::exception& e) {
      throw book_error("task book snapshot, line " + std::to_string(line_no) +
                       ": " + e.what());
    }
  }
}

book_recovery task_book_state::recover(const store::recovered_state& rec) {
  book_recovery out;
  replaying_ = true;
  if (!rec.snapshot.empty()) {
    load_snapshot(rec.snapshot);
    last_snapshot_bytes_ = rec.snapshot.size();
    out.snapshot = true;
  }
  std::size_t index = 0;
  for (auto& text : rec.records) {
    try {
      std::visit([this](const auto& r) { apply(r); }, records::decode(text));
    } catch (const std::exception& e) {
      replaying_ = false;
      throw book_error("task book record " + std::to_string(index) +
                       " after the snapshot: " + e.what());
    }
    ++index;
  }
  replaying_ = false;
  notices_ = book_notices{};
  out.records = rec.records.size();
  out.tasks = tasks_.size();
  out.results = results_.size();
  return out;
}

book_notices task_book_state::recovery_notices() const {
  book_notices out;
  for (auto& [id, t] : tasks_) {
    if (t.phase == task_phase::queued) {
      out.queued.push_back(
        pending_task{id, t.next_attempt(), t.spec, t.not_before});
    } else if (is_launched(t.phase) && t.kill_requested) {
      auto& a = t.attempts.back();
      out.kills.push_back(kill_order{
        {id, a.number}, a.agent_id, t.spec->more().kill_grace_period});
    }
  }
  out.results = !results_.empty();
  return out;
}

} // namespace outrigger::scheduling
