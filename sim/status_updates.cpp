// Status updates from executors to schedulers. The agent side keeps one
// stream per task with one update in flight, resent after 10 s, 20 s, 40 s
// ... up to 10 min until acknowledged (TaskStatusUpdateManager,
// src/slave/task_status_update_manager.cpp:360-490); the master side
// records each update it relays (Master::updateTask, src/master/
// master.cpp:11130-) and forwards it to the framework if connected.

#include "sim/master_core.hpp"
#include "sim/mesos_text.hpp"

namespace outrigger::sim::detail {

namespace {

std::string lower_state(task_state s) {
  std::string name{to_string(s)};
  name = name.substr(5); // "TASK_"
  for (auto& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

} // namespace

void master_core::on_task_state(const AgentID& agent,
                                const FrameworkID& framework,
                                const TaskID& task, task_state state,
                                std::string message,
                                std::optional<protocol::status_reason> reason,
                                std::optional<double> timestamp) {
  auto key = task_key(framework.value, task.value);
  auto it = tasks.find(key);
  if (it == tasks.end() || it->second.view.agent != agent)
    return; // the agent forgot the task (framework removed, agent gone)
  auto& t = it->second;
  if (protocol::is_terminal(t.agent_state))
    return; // executors report nothing after a terminal state
  t.agent_state = state;
  t.pending.push_back(pending_update{state, reason, std::move(message),
                                     ids.next_raw(),
                                     timestamp.value_or(now_seconds())});
  if (t.pending.size() == 1)
    send_head(key, true);
}

void master_core::executor_task_ended(const AgentID& agent,
                                      const FrameworkID& framework,
                                      const protocol::ExecutorID& executor) {
  auto* a = find_agent(agent.value);
  if (a == nullptr)
    return;
  auto e = a->executors.find(framework.value + '\x1f' + executor.value);
  if (e == a->executors.end() || --e->second.live_tasks > 0)
    return;
  // The default executor exits once its tasks are done and their terminal
  // updates acknowledged; the master tells the framework with a FAILURE
  // carrying status 0 (transcripts2 item 3, src/master/master.cpp:
  // 8482-8550), after the last TASK_FINISHED as recorded.
  auto exec = std::move(e->second);
  a->executors.erase(e);
  resource_set freed(without_allocation(*exec.resources));
  a->used -= freed;
  free_resources(*a, freed);
  auto* fw = find_framework(framework.value);
  if (fw == nullptr)
    return;
  fw->used -= resource_set(*exec.resources);
  if (a->status == agent_status::active) {
    protocol::Event ev;
    ev.type = protocol::event_type::failure;
    ev.failure = protocol::Failure{agent, exec.id, 0};
    emit(*fw, ev);
  }
}

void master_core::send_head(const std::string& key, bool first) {
  auto it = tasks.find(key);
  if (it == tasks.end() || it->second.pending.empty())
    return;
  auto& t = it->second;
  timers.cancel(t.retry);
  t.retry = 0;
  auto* a = find_agent(t.view.agent.value);
  // Paused while the agent is cut off from the master; resumed (with the
  // backoff reset) when it re-registers or the framework resubscribes.
  if (a == nullptr || a->status != agent_status::active ||
      t.master == known_as::unknown)
    return;
  if (first)
    t.backoff = config.status_update_retry_min;
  else
    t.backoff = std::min(t.backoff * 2, config.status_update_retry_max);
  receive_update(t, t.pending.front());
  t.retry = timers.schedule(now + t.backoff, [this, key] {
    auto found = tasks.find(key);
    if (found != tasks.end()) {
      found->second.retry = 0;
      send_head(key, false);
    }
  });
}

void master_core::receive_update(task_rec& t, const pending_update& u) {
  bump("master/messages_status_update");
  auto* fw = find_framework(t.view.framework.value);
  if (fw == nullptr || t.master != known_as::active) {
    bump("master/invalid_status_updates");
    return;
  }
  bump("master/valid_status_updates");
  // The agent attaches its latest state, which the master records even
  // while the scheduler has only seen an earlier update (transcripts2 65).
  auto before = t.view.state;
  if (!protocol::is_terminal(before))
    t.view.state = t.agent_state;
  if (!protocol::is_terminal(before) && protocol::is_terminal(t.view.state)) {
    bump("master/tasks_" + lower_state(t.view.state));
    release_resources(t);
  }
  if (!t.view.statuses.empty() && t.view.statuses.back().state == u.state)
    t.view.statuses.pop_back();
  t.view.statuses.push_back({u.state, u.timestamp, true});
  t.view.update_state = u.state;
  t.view.update_uuid = u.uuid;
  forward(*fw, executor_status(t, u));
}

protocol::ContainerStatus master_core::container_status(const task_rec& t,
                                                        bool network) const {
  protocol::ContainerStatus c;
  protocol::ContainerID id;
  id.value = t.container_id;
  if (!t.parent_container.empty())
    id.parent.push_back(protocol::ContainerID{t.parent_container, {}});
  c.container_id = id;
  if (network) {
    protocol::NetworkInfo net;
    auto* a = agents.count(t.view.agent.value) != 0
                ? agents.at(t.view.agent.value).get()
                : nullptr;
    net.ip_addresses.push_back(protocol::IPAddress{
      protocol::network_protocol::ipv4, a != nullptr ? a->ip : "127.0.0.1"});
    c.network_infos.push_back(net);
    c.executor_pid = t.pid;
  }
  return c;
}

protocol::TaskStatus
master_core::executor_status(const task_rec& t, const pending_update& u) const {
  protocol::TaskStatus s;
  s.task_id = t.view.id;
  s.state = u.state;
  if (!u.message.empty())
    s.message = u.message;
  s.source = protocol::status_source::executor;
  s.reason = u.reason;
  s.agent_id = t.view.agent;
  // The command executor's id is the task id (obs 10).
  s.executor_id =
    t.command ? protocol::ExecutorID{t.view.id.value} : *t.view.executor;
  s.timestamp = u.timestamp;
  s.uuid = protocol::Bytes{u.uuid};
  // Nested (task group) containers report network and pid only while
  // running (transcripts2 item 3).
  s.container_status =
    container_status(t, t.command || u.state == task_state::running);
  return s;
}

protocol::TaskStatus
master_core::master_status(const TaskID& task, std::optional<AgentID> agent,
                           task_state state, std::string message,
                           protocol::status_reason reason) const {
  // protobuf::createStatusUpdate with SOURCE_MASTER and no uuid: such
  // updates must not be acknowledged.
  protocol::TaskStatus s;
  s.task_id = task;
  s.state = state;
  s.message = std::move(message);
  s.source = protocol::status_source::master;
  s.reason = reason;
  if (agent && !agent->value.empty())
    s.agent_id = agent;
  s.timestamp = now_seconds();
  return s;
}

void master_core::forward(framework_rec& fw, protocol::TaskStatus status) {
  protocol::Event e;
  e.type = protocol::event_type::update;
  e.update = protocol::Update{std::move(status)};
  emit(fw, e);
}

void master_core::acknowledge(framework_rec& fw,
                              const protocol::Acknowledge& ack) {
  bump("master/messages_status_update_acknowledgement");
  auto* a = find_agent(ack.agent_id.value);
  if (a == nullptr || a->status != agent_status::active) {
    bump("master/invalid_status_update_acknowledgements");
    return;
  }
  auto key = task_key(fw.id.value, ack.task_id.value);
  auto it = tasks.find(key);
  if (it != tasks.end() && it->second.view.agent == ack.agent_id) {
    auto& t = it->second;
    if (t.master == known_as::active) {
      if (!t.view.update_state) {
        // "the update was not sent by this master" (:5880-5890).
        bump("master/invalid_status_update_acknowledgements");
        return;
      }
      if (protocol::is_terminal(*t.view.update_state) &&
          t.view.update_uuid == ack.uuid.data)
        complete_task(fw, t);
    }
    // The agent's stream: only the update in flight can be acknowledged;
    // duplicates and stale uuids are ignored (:760-790).
    if (!t.pending.empty() && t.pending.front().uuid == ack.uuid.data) {
      bool last = protocol::is_terminal(t.pending.front().state);
      t.pending.erase(t.pending.begin());
      timers.cancel(t.retry);
      t.retry = 0;
      if (last) {
        if (t.master == known_as::active)
          complete_task(fw, t);
        auto executor = t.view.executor;
        erase_task(key);
        if (executor)
          executor_task_ended(ack.agent_id, fw.id, *executor);
      } else if (!t.pending.empty()) {
        send_head(key, true);
      }
    }
  }
  bump("master/valid_status_update_acknowledgements");
}

void master_core::release_resources(task_rec& t) {
  if (t.resources_released)
    return;
  t.resources_released = true;
  if (auto* a = find_agent(t.view.agent.value)) {
    resource_set freed(without_allocation(*t.view.resources));
    a->used -= freed;
    free_resources(*a, freed);
  }
  if (auto* fw = find_framework(t.view.framework.value))
    fw->used -= resource_set(*t.view.resources);
}

void master_core::complete_task(framework_rec& fw, task_rec& t) {
  // Master::removeTask: the task moves to completed_tasks.
  fw.tasks.erase(t.view.id.value);
  t.master = known_as::unknown;
  fw.completed.push_back(t.view);
  while (fw.completed.size() > config.max_completed_tasks_per_framework)
    fw.completed.pop_front();
}

void master_core::erase_task(const std::string& key) {
  auto it = tasks.find(key);
  if (it == tasks.end())
    return;
  timers.cancel(it->second.retry);
  if (auto* a = find_agent(it->second.view.agent.value))
    a->task_keys.erase(key);
  if (it->second.master == known_as::active)
    if (auto* fw = find_framework(it->second.view.framework.value))
      fw->tasks.erase(it->second.view.id.value);
  tasks.erase(it);
}

} // namespace outrigger::sim::detail
