// Agents: registration, partition (markUnreachable / __removeSlave,
// src/master/master.cpp:8701-8750, 10983-11110), re-registration
// (:6990-7080), MARK_AGENT_GONE (:8749-8860) and re-registration after a
// master restart. Event sequences follow transcripts2 item 4: UPDATEs, then
// RESCINDs, then FAILURE to every connected framework.

#include "sim/master_core.hpp"
#include "sim/mesos_text.hpp"

#include <stdexcept>

namespace outrigger::sim::detail {

namespace {

using protocol::status_reason;

} // namespace

AgentID master_core::add_agent(const agent_spec& spec) {
  auto resources = parse_agent_resources(spec.resources);
  if (!resources.ok())
    throw std::invalid_argument("--resources: " + resources.error);
  auto attributes = parse_agent_attributes(spec.attributes);
  if (!attributes.ok())
    throw std::invalid_argument("--attributes: " + attributes.error);
  auto a = std::make_unique<agent_rec>();
  a->id.value = info.id + "-S" + std::to_string(next_agent++);
  a->hostname = spec.hostname;
  a->ip = spec.ip;
  a->port = spec.port;
  // Ranges and sets first, then scalars, each in flag order: the order of
  // the recorded offers.
  for (bool scalars : {false, true})
    for (auto& r : resources.value)
      if ((r.type == protocol::value_type::scalar) == scalars)
        a->total_list.push_back(r);
  a->total = resource_set(a->total_list);
  a->available = a->total;
  a->attributes = std::move(attributes.value);
  a->runtime = spec.runtime != nullptr ? spec.runtime : synthetic.get();
  a->registered_time = now;
  auto id = a->id;
  agent_order.push_back(a.get());
  agents.emplace(id.value, std::move(a));
  bump("master/slave_registrations");
  request_allocation(); // addSlave → generateOffers(slaveId)
  return id;
}

agent_rec& master_core::agent(const AgentID& id) {
  auto* a = find_agent(id.value);
  if (a == nullptr)
    throw std::invalid_argument("unknown agent " + id.value);
  return *a;
}

agent_rec* master_core::find_agent(const std::string& id) {
  auto it = agents.find(id);
  return it == agents.end() ? nullptr : it->second.get();
}

void master_core::send_agent_lost(const AgentID& id) {
  // Master::sendSlaveLost: every connected framework, tasks there or not.
  for (auto& [fid, fw] : frameworks) {
    protocol::Event e;
    e.type = protocol::event_type::failure;
    e.failure = protocol::Failure{id, std::nullopt, std::nullopt};
    emit(*fw, e);
  }
}

void master_core::lose_agent(const AgentID& id, loss_kind kind) {
  auto* a = find_agent(id.value);
  if (a == nullptr || a->status != agent_status::active)
    return;
  auto keys = a->task_keys;
  if (kind == loss_kind::disconnected) {
    // Frameworks without checkpointing lose their tasks on any disconnect,
    // PARTITION_AWARE or not (:1303-1330, :10602-10640).
    std::set<std::string> shut;
    for (auto& key : keys) {
      auto& t = tasks.at(key);
      auto* fw = find_framework(t.view.framework.value);
      if (fw == nullptr || fw->info.checkpoint.value_or(false))
        continue;
      if (t.master == known_as::active) {
        t.view.state = task_state::lost;
        t.view.statuses.push_back({task_state::lost, now_seconds(), false});
        release_resources(t);
        bump("master/tasks_lost");
        forward(*fw, master_status(t.view.id, t.view.agent, task_state::lost,
                                   "Agent " + a->hostname + " disconnected",
                                   status_reason::agent_disconnected));
        complete_task(*fw, t);
      }
      shut.insert(t.view.framework.value);
    }
    for (auto& fid : shut) {
      a->runtime->shutdown_framework(a->id, FrameworkID{fid});
      a->frameworks.erase(fid);
      for (auto& key : keys)
        if (key.compare(0, fid.size() + 1, fid + '\x1f') == 0) {
          auto it = tasks.find(key);
          if (it != tasks.end())
            release_resources(it->second);
          erase_task(key);
        }
      std::erase_if(a->executors,
                    [&](auto& kv) { return kv.second.framework.value == fid; });
    }
    keys = a->task_keys;
  }

  a->status = agent_status::unreachable;
  a->unreachable_time = now_time_info();
  bump("master/slave_removals");
  bump("master/slave_unreachable_completed");
  for (auto& key : keys) {
    auto& t = tasks.at(key);
    timers.cancel(t.retry); // the status update stream pauses
    t.retry = 0;
    if (t.master != known_as::active)
      continue;
    auto* fw = find_framework(t.view.framework.value);
    if (fw == nullptr)
      continue;
    // REASON_AGENT_REMOVED and "health check timed out" for both; only the
    // state tells a partition from a removal (transcripts2 item 4).
    auto state =
      fw->partition_aware() ? task_state::unreachable : task_state::lost;
    auto status =
      master_status(t.view.id, t.view.agent, state, "health check timed out",
                    status_reason::agent_removed);
    status.executor_id = t.view.executor;
    status.unreachable_time = a->unreachable_time;
    if (!protocol::is_terminal(t.view.state)) {
      t.view.state = state;
      release_resources(t);
      bump(state == task_state::lost ? "master/tasks_lost"
                                     : "master/tasks_unreachable");
    }
    t.view.statuses.push_back({state, now_seconds(), false});
    t.view.unreachable_time = a->unreachable_time;
    fw->tasks.erase(t.view.id.value);
    t.master = known_as::unreachable;
    fw->unreachable[t.view.id.value] = t.view;
    while (fw->unreachable.size() > config.max_unreachable_tasks_per_framework)
      fw->unreachable.erase(fw->unreachable.begin());
    forward(*fw, std::move(status));
  }
  auto outstanding = a->offers;
  for (auto& offer : outstanding)
    remove_offer(offer, true, std::nullopt);
  send_agent_lost(a->id);
}

void master_core::return_agent(const AgentID& id, bool tasks_lost) {
  auto* a = find_agent(id.value);
  if (a == nullptr || a->status != agent_status::unreachable)
    return;
  if (tasks_lost) {
    // The agent restarted without recovering its executors: it reports no
    // task. The master keeps them as unreachable (MESOS-6785), so explicit
    // reconciliation answers "Task is unknown to the agent".
    for (auto& [fid, info] : a->frameworks)
      a->runtime->shutdown_framework(a->id, FrameworkID{fid});
    auto keys = a->task_keys;
    for (auto& key : keys) {
      auto it = tasks.find(key);
      if (it != tasks.end())
        it->second.master = known_as::unknown;
      erase_task(key);
    }
    a->frameworks.clear();
    a->executors.clear();
    a->used = resource_set{};
  }
  a->unreachable_time.reset();
  bump("master/slave_reregistrations");
  reregister(*a, true);
}

void master_core::reregister(agent_rec& a, bool was_unreachable) {
  // Re-registration after a partition notifies connected frameworks; after
  // a master restart (the agent is `recovering`) it is silent (:7054-7075).
  a.status = agent_status::active;
  a.reregistered_time = now;
  auto keys = a.task_keys;
  for (auto& key : keys) {
    auto& t = tasks.at(key);
    auto fid = t.view.framework.value;
    auto* fw = find_framework(fid);
    if (fw == nullptr) {
      if (is_completed(fid) || a.frameworks.count(fid) == 0) {
        // Tasks of removed frameworks are shut down, not re-added.
        a.runtime->shutdown_framework(a.id, t.view.framework);
        release_resources(t);
        erase_task(key);
        continue;
      }
      fw = &recover_framework(a.frameworks.at(fid));
    }
    fw->unreachable.erase(t.view.id.value);
    t.master = known_as::active;
    t.view.state = t.agent_state;
    t.view.unreachable_time.reset();
    fw->tasks.insert(t.view.id.value);
    if (protocol::is_terminal(t.agent_state)) {
      release_resources(t);
    } else if (t.resources_released) {
      // Released when the agent became unreachable; in use again.
      t.resources_released = false;
      a.used += resource_set(without_allocation(*t.view.resources));
      fw->used += resource_set(*t.view.resources);
    } else {
      fw->used += resource_set(*t.view.resources); // a new master's view
    }
    if (was_unreachable) {
      auto s = master_status(t.view.id, t.view.agent, t.agent_state,
                             "Unreachable agent re-reregistered",
                             status_reason::agent_reregistered);
      s.executor_id = t.view.executor;
      s.container_status = container_status(t, true);
      forward(*fw, std::move(s));
    }
  }
  if (!was_unreachable) // a new master learns the executors too
    for (auto& [ekey, exec] : a.executors)
      if (auto* fw = find_framework(exec.framework.value))
        fw->used += resource_set(*exec.resources);
  a.available = a.total;
  a.available -= a.used;
  // The agent's status update manager resumes at once.
  for (auto& key : a.task_keys)
    if (!tasks.at(key).pending.empty())
      send_head(key, true);
  request_allocation();
}

void master_core::remove_agent(const AgentID& id) {
  auto* a = find_agent(id.value);
  if (a == nullptr || a->status == agent_status::gone)
    return;
  const std::string message = "Agent has been marked gone";
  bool was_unreachable = a->status == agent_status::unreachable;
  for (auto& [fid, fw] : frameworks) {
    bool pa = fw->partition_aware();
    auto state = pa ? task_state::gone_by_operator : task_state::lost;
    auto reason = pa ? status_reason::agent_removed_by_operator
                     : status_reason::agent_removed;
    std::vector<task_view> ended;
    if (was_unreachable) {
      for (auto it = fw->unreachable.begin(); it != fw->unreachable.end();)
        if (it->second.agent == id) {
          ended.push_back(std::move(it->second));
          it = fw->unreachable.erase(it);
        } else {
          ++it;
        }
    } else {
      for (auto& key : a->task_keys) {
        auto& t = tasks.at(key);
        if (t.view.framework != fw->id || t.master != known_as::active)
          continue;
        release_resources(t);
        t.master = known_as::unknown;
        fw->tasks.erase(t.view.id.value);
        ended.push_back(t.view);
      }
    }
    for (auto& view : ended) {
      auto s = master_status(view.id, view.agent, state, message, reason);
      s.executor_id = view.executor;
      view.state = state;
      view.statuses.push_back({state, now_seconds(), false});
      bump("master/tasks_" + std::string{pa ? "gone_by_operator" : "lost"});
      forward(*fw, std::move(s));
      fw->completed.push_back(std::move(view));
      while (fw->completed.size() > config.max_completed_tasks_per_framework)
        fw->completed.pop_front();
    }
  }
  auto outstanding = a->offers;
  for (auto& offer : outstanding)
    remove_offer(offer, true, std::nullopt);
  if (!was_unreachable)
    send_agent_lost(a->id);
  // ShutdownMessage: the agent kills everything and never comes back.
  for (auto& [fid, info] : a->frameworks)
    a->runtime->shutdown_framework(a->id, FrameworkID{fid});
  auto keys = a->task_keys;
  for (auto& key : keys)
    erase_task(key);
  a->frameworks.clear();
  a->executors.clear();
  a->used = resource_set{};
  a->status = agent_status::gone;
  bump("master/slave_removals");
}

} // namespace outrigger::sim::detail
