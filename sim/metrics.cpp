// /metrics/snapshot: a subset of the real master's keys (transcript 101),
// all values doubles, keys sorted as in the real document.

#include "sim/master_core.hpp"

#include "protocol/json_value.hpp"

namespace outrigger::sim::detail {

namespace {

const char* const message_counters[] = {
  "decline_offers",
  "framework_to_executor",
  "kill_task",
  "launch_tasks",
  "reconcile_tasks",
  "register_framework",
  "reregister_framework",
  "resource_request",
  "revive_offers",
  "status_update",
  "status_update_acknowledgement",
  "suppress_offers",
  "unregister_framework",
};

const char* const call_types[] = {
  "accept",
  "accept_inverse_offers",
  "acknowledge",
  "acknowledge_operation_status",
  "decline",
  "decline_inverse_offers",
  "kill",
  "message",
  "reconcile",
  "reconcile_operations",
  "request",
  "revive",
  "shutdown",
  "subscribe",
  "suppress",
  "teardown",
  "update_framework",
};

const char* const event_types[] = {
  "error",
  "failure",
  "heartbeat",
  "inverse_offers",
  "message",
  "offers",
  "rescind",
  "rescind_inverse_offer",
  "subscribed",
  "update",
  "update_operation_status",
};

} // namespace

std::map<std::string, double> master_core::metrics() const {
  std::map<std::string, double> m;
  for (auto* name : message_counters)
    m[std::string{"master/messages_"} + name] = 0;
  for (auto* name :
       {"dropped_messages", "invalid_status_update_acknowledgements",
        "invalid_status_updates", "valid_status_update_acknowledgements",
        "valid_status_updates", "slave_registrations", "slave_removals",
        "slave_reregistrations", "tasks_dropped", "tasks_error", "tasks_failed",
        "tasks_finished", "tasks_gone", "tasks_gone_by_operator",
        "tasks_killed", "tasks_lost"})
    m[std::string{"master/"} + name] = 0;
  m["allocator/mesos/allocation_runs"] = 0;
  for (auto& [k, v] : counters)
    m[k] = v;

  m["master/elected"] = leading ? 1 : 0;
  m["master/uptime_secs"] =
    std::chrono::duration<double>(now - start_time).count();
  double fw_active = 0, fw_connected = 0, fw_disconnected = 0;
  for (auto& [id, fw] : frameworks) {
    if (fw->recovered)
      continue;
    fw_active += fw->active;
    fw_connected += fw->connected;
    fw_disconnected += !fw->connected;
  }
  m["master/frameworks_active"] = fw_active;
  m["master/frameworks_connected"] = fw_connected;
  m["master/frameworks_disconnected"] = fw_disconnected;
  m["master/frameworks_inactive"] = fw_connected + fw_disconnected - fw_active;

  double active = 0, unreachable = 0;
  double total[3] = {}, used[3] = {};
  for (auto* a : agent_order) {
    if (a->status == agent_status::unreachable)
      ++unreachable;
    if (a->status != agent_status::active)
      continue;
    ++active;
    const char* names[] = {"cpus", "mem", "disk"};
    for (int i = 0; i < 3; ++i) {
      total[i] += a->total.scalar(names[i]);
      used[i] += a->used.scalar(names[i]);
    }
  }
  m["master/slaves_active"] = active;
  m["master/slaves_connected"] = active;
  m["master/slaves_disconnected"] = 0;
  m["master/slaves_inactive"] = 0;
  m["master/slaves_unreachable"] = unreachable;
  const char* names[] = {"cpus", "mem", "disk"};
  for (int i = 0; i < 3; ++i) {
    std::string base = std::string{"master/"} + names[i];
    m[base + "_total"] = total[i];
    m[base + "_used"] = protocol::round_scalar(used[i]);
    m[base + "_percent"] = total[i] > 0 ? used[i] / total[i] : 0;
  }
  m["master/outstanding_offers"] = static_cast<double>(offers.size());

  // Gauges of the tasks the master tracks as active.
  for (auto* s : {"staging", "starting", "running", "killing", "unreachable"})
    m[std::string{"master/tasks_"} + s] = 0;
  for (auto& [key, t] : tasks) {
    if (t.master != known_as::active)
      continue;
    switch (t.view.state) {
      case task_state::staging:
        m["master/tasks_staging"] += 1;
        break;
      case task_state::starting:
        m["master/tasks_starting"] += 1;
        break;
      case task_state::running:
        m["master/tasks_running"] += 1;
        break;
      case task_state::killing:
        m["master/tasks_killing"] += 1;
        break;
      default:
        break;
    }
  }
  for (auto& [id, fw] : frameworks)
    m["master/tasks_unreachable"] +=
      static_cast<double>(fw->unreachable.size());

  for (auto& [id, fw] : frameworks) {
    if (fw->recovered)
      continue;
    auto base = "master/frameworks/" + fw->info.name + "/" + id + "/";
    double calls = 0, events = 0;
    for (auto* t : call_types)
      m[base + "calls/" + t] = 0;
    for (auto* t : event_types)
      m[base + "events/" + t] = 0;
    for (auto* t : {"accepted", "declined", "rescinded", "sent"})
      m[base + "offers/" + t] = 0;
    for (auto& [k, v] : fw->calls) {
      m[base + "calls/" + k] = v;
      calls += v;
    }
    for (auto& [k, v] : fw->events) {
      if (k.find('/') != std::string::npos) {
        m[base + k] = v;
      } else {
        m[base + "events/" + k] = v;
        events += v;
      }
    }
    m[base + "calls"] = calls;
    m[base + "events"] = events;
    m[base + "subscribed"] = fw->connected ? 1 : 0;
  }
  return m;
}

std::string master_core::metrics_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (auto& [k, v] : metrics())
    j[k] = v;
  return j.dump();
}

} // namespace outrigger::sim::detail
