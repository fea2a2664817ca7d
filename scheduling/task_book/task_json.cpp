#include "scheduling/task_book/task_json.hpp"

#include "protocol/enums.hpp"
#include "scheduling/task_book/task_spec_validation.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace outrigger::scheduling {

std::string rfc3339(time_point t) {
  auto ms = t.time_since_epoch().count();
  auto secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  auto frac = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", frac);
  return buf;
}

namespace {

void put_time(nlohmann::json& j, const char* name, time_point t) {
  if (t.time_since_epoch().count() != 0)
    j[name] = rfc3339(t);
}

nlohmann::json attempt_to_json(task_id id, const attempt& a) {
  nlohmann::json j{{"number", a.number},
                   {"mesos_task_id", mesos_task_id(id, a.number)},
                   {"state", to_string(a.state)},
                   {"started", a.started}};
  if (!a.agent_id.empty())
    j["agent_id"] = a.agent_id.view();
  if (!a.hostname.empty())
    j["hostname"] = a.hostname.view();
  if (a.reason)
    j["reason"] = protocol::to_string(*a.reason);
  if (!a.message.empty())
    j["message"] = a.message.str();
  if (a.exit_status)
    j["exit_status"] = *a.exit_status;
  if (!a.stderr_tail.empty())
    j["stderr_tail"] = a.stderr_tail.str();
  put_time(j, "launched_at", a.launched_at);
  put_time(j, "ended_at", a.ended_at);
  return j;
}

} // namespace

nlohmann::json task_to_json(const task_record& task,
                            std::string_view pending_reason) {
  nlohmann::json j{{"id", task.id},
                   {"key", task.spec->key},
                   {"state", to_string(task.phase)},
                   {"kill_requested", task.kill_requested},
                   {"spec", task_spec_to_json(*task.spec)}};
  if (!task.submitted_by.empty())
    j["submitted_by"] = task.submitted_by.str();
  put_time(j, "submitted_at", task.submitted_at);
  put_time(j, "updated_at", task.updated_at);
  if (task.phase == task_phase::queued) {
    put_time(j, "not_before", task.not_before);
    if (!pending_reason.empty())
      j["pending_reason"] = pending_reason;
  }
  auto attempts = nlohmann::json::array();
  for (auto& a : task.attempts)
    attempts.push_back(attempt_to_json(task.id, a));
  j["attempts"] = std::move(attempts);
  return j;
}

nlohmann::json result_to_json(const task_result& r) {
  nlohmann::json j{{"cursor", r.cursor},     {"id", r.id},
                   {"key", r.key},           {"state", to_string(r.state)},
                   {"attempts", r.attempts}, {"message", r.message}};
  if (r.reason)
    j["reason"] = protocol::to_string(*r.reason);
  if (r.exit_status)
    j["exit_status"] = *r.exit_status;
  if (!r.agent_id.empty())
    j["agent_id"] = r.agent_id.view();
  if (!r.hostname.empty())
    j["hostname"] = r.hostname.view();
  if (!r.stderr_tail.empty())
    j["stderr_tail"] = r.stderr_tail;
  put_time(j, "submitted_at", r.submitted_at);
  put_time(j, "started_at", r.started_at);
  put_time(j, "finished_at", r.finished_at);
  return j;
}

} // namespace outrigger::scheduling
