// KILL, RECONCILE and SHUTDOWN (src/master/master.cpp:5689-5764,
// 8966-9180).

#include "sim/master_core.hpp"

namespace outrigger::sim::detail {

namespace {

using protocol::status_reason;

} // namespace

void master_core::kill(framework_rec& fw, const protocol::Kill& k) {
  bump("master/messages_kill_task");
  if (fw.tasks.count(k.task_id.value) == 0) {
    // Unknown task: answered by explicit reconciliation (obs 27).
    protocol::Reconcile r;
    r.tasks.push_back(protocol::ReconcileTask{k.task_id, k.agent_id});
    reconcile(fw, r);
    return;
  }
  auto found = tasks.find(task_key(fw.id.value, k.task_id.value));
  if (found == tasks.end())
    return;
  auto& t = found->second;
  if (k.agent_id && *k.agent_id != t.view.agent)
    return; // "belongs to different agent": silently ignored
  auto* a = find_agent(t.view.agent.value);
  if (a == nullptr || a->status != agent_status::active ||
      a->runtime == nullptr || protocol::is_terminal(t.agent_state))
    return;
  // The command executor's grace period: the KILL's kill_policy, else the
  // task's, else 3 s (src/launcher/executor.cpp:820-838).
  std::int64_t grace_ns = 3'000'000'000;
  if (k.kill_policy && k.kill_policy->grace_period)
    grace_ns = k.kill_policy->grace_period->nanoseconds;
  else if (t.kill_grace_ns)
    grace_ns = *t.kill_grace_ns;
  a->runtime->kill(
    a->id, t.view.id,
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::nanoseconds(std::max<std::int64_t>(grace_ns, 0))),
    fw.has(protocol::framework_capability::task_killing_state));
}

void master_core::reconcile(framework_rec& fw, const protocol::Reconcile& r) {
  bump("master/messages_reconcile_tasks");
  bool pa = fw.partition_aware();
  auto latest = [&](const task_rec& t) {
    auto s = master_status(
      t.view.id, t.view.agent, t.view.update_state.value_or(t.view.state),
      "Reconciliation: Latest task state", status_reason::reconciliation);
    s.executor_id = t.view.executor;
    s.container_status =
      container_status(t, t.command || t.view.state == task_state::running);
    return s;
  };
  if (r.tasks.empty()) {
    // Implicit: every task the master tracks as active, nothing else.
    for (auto& id : fw.tasks)
      if (auto it = tasks.find(task_key(fw.id.value, id)); it != tasks.end())
        forward(fw, latest(it->second));
    return;
  }
  bool any_recovering = false;
  for (auto* a : agent_order)
    any_recovering |= a->status == agent_status::recovering;
  for (auto& rt : r.tasks) {
    auto known = fw.tasks.count(rt.task_id.value) != 0
                   ? tasks.find(task_key(fw.id.value, rt.task_id.value))
                   : tasks.end();
    if (known != tasks.end()) {
      forward(fw, latest(known->second));
      continue;
    }
    auto* a = rt.agent_id ? find_agent(rt.agent_id->value) : nullptr;
    auto status = a != nullptr ? a->status : agent_status::active;
    if ((a != nullptr && status == agent_status::recovering) ||
        (!rt.agent_id && any_recovering))
      continue; // agents still re-registering: no answer at all
    if (a != nullptr && status == agent_status::active) {
      forward(fw, master_status(rt.task_id, rt.agent_id,
                                pa ? task_state::gone : task_state::lost,
                                "Reconciliation: Task is unknown to the agent",
                                status_reason::reconciliation));
    } else if (a != nullptr && status == agent_status::unreachable) {
      auto s = master_status(rt.task_id, rt.agent_id,
                             pa ? task_state::unreachable : task_state::lost,
                             "Reconciliation: Task is unreachable",
                             status_reason::reconciliation);
      s.unreachable_time = a->unreachable_time;
      forward(fw, std::move(s));
    } else if (a != nullptr && status == agent_status::gone) {
      forward(
        fw, master_status(rt.task_id, rt.agent_id,
                          pa ? task_state::gone_by_operator : task_state::lost,
                          "Reconciliation: Task is gone",
                          status_reason::reconciliation));
    } else {
      forward(fw, master_status(rt.task_id, rt.agent_id,
                                pa ? task_state::unknown : task_state::lost,
                                "Reconciliation: Task is unknown",
                                status_reason::reconciliation));
    }
  }
}

void master_core::shutdown(framework_rec& fw, const protocol::Shutdown& s) {
  // ShutdownExecutorMessage: the agent kills the executor and with it its
  // tasks. Simulated as a kill without grace of each live task it runs
  // (for a command task the executor id is the task id).
  auto* a = find_agent(s.agent_id.value);
  if (a == nullptr || a->status != agent_status::active ||
      a->runtime == nullptr)
    return;
  for (auto& id : fw.tasks) {
    auto it = tasks.find(task_key(fw.id.value, id));
    if (it == tasks.end())
      continue;
    auto& t = it->second;
    if (t.view.agent != s.agent_id || protocol::is_terminal(t.agent_state))
      continue;
    auto executor = t.command ? t.view.id.value : t.view.executor->value;
    if (executor == s.executor_id.value)
      a->runtime->kill(a->id, t.view.id, std::chrono::milliseconds(0), false);
  }
}

} // namespace outrigger::sim::detail
