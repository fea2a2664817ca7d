// ACCEPT: offer validation, then LAUNCH / LAUNCH_GROUP task by task, as
// Master::accept and Master::_accept (src/master/master.cpp:3914-5360).
// Every problem is an UPDATE without uuid; the HTTP answer is always 202.
// Operations other than LAUNCH and LAUNCH_GROUP (RESERVE, CREATE, ...) are
// accepted and ignored: their resources simply return with the remainder.

#include "sim/master_core.hpp"
#include "sim/mesos_text.hpp"
#include "sim/task_validation.hpp"

namespace outrigger::sim::detail {

namespace {

using protocol::operation_type;

const std::vector<protocol::TaskInfo>*
tasks_of(const protocol::OfferOperation& op) {
  if (op.type == operation_type::launch && op.launch)
    return &op.launch->task_infos;
  if (op.type == operation_type::launch_group && op.launch_group)
    return &op.launch_group->task_group.tasks;
  return nullptr;
}

} // namespace

void master_core::accept(framework_rec& fw, protocol::Accept& acc) {
  for (auto& op : acc.operations)
    if (op.type == operation_type::launch)
      bump(op.launch && !op.launch->task_infos.empty()
             ? "master/messages_launch_tasks"
             : "master/messages_decline_offers");

  // validation::offer::validate (src/master/validation.cpp:2420-2445).
  std::optional<std::string> error;
  if (acc.offer_ids.empty())
    error = "No offers specified";
  std::set<std::string> seen;
  const offer_rec* first = nullptr;
  for (auto& id : acc.offer_ids) {
    if (error)
      break;
    if (!seen.insert(id.value).second)
      error = "Duplicate offer " + id.value + " in offer list";
  }
  for (auto& id : acc.offer_ids) {
    if (error)
      break;
    auto it = offers.find(id.value);
    if (it == offers.end())
      error = "Offer " + id.value + " is no longer valid";
  }
  for (auto& id : acc.offer_ids) {
    if (error)
      break;
    auto& o = offers.at(id.value);
    if (o.framework != fw.id)
      error = "Offer " + id.value + " has invalid framework " +
              o.framework.value + " while framework " + fw.id.value +
              " is expected";
  }
  for (auto& id : acc.offer_ids) {
    if (error)
      break;
    auto& o = offers.at(id.value);
    if (first == nullptr)
      first = &o;
    else if (o.role != first->role)
      error = "Aggregated offers must be allocated to the same role. Offer " +
              id.value + " uses role '" + o.role +
              " but another is using role '" + first->role;
  }
  first = nullptr;
  for (auto& id : acc.offer_ids) {
    if (error)
      break;
    auto& o = offers.at(id.value);
    if (first == nullptr)
      first = &o;
    else if (o.agent != first->agent)
      error = "Aggregated offers must belong to one single agent. Offer " +
              id.value + " uses agent " + o.agent.value + " and agent " +
              first->agent.value;
  }

  if (error) {
    // Every offer named is discarded, even another framework's, and every
    // task gets TASK_DROPPED / TASK_LOST without uuid (:3942-4013).
    for (auto& id : acc.offer_ids)
      remove_offer(id.value, false, std::nullopt);
    auto state = fw.partition_aware() ? task_state::dropped : task_state::lost;
    for (auto& op : acc.operations)
      if (auto* list = tasks_of(op))
        for (auto& task : *list) {
          bump(fw.partition_aware() ? "master/tasks_dropped"
                                    : "master/tasks_lost");
          bump(std::string{"master/"} +
               (fw.partition_aware() ? "task_dropped" : "task_lost") +
               "/source_master/reason_invalid_offers");
          forward(fw,
                  master_status(task.task_id, task.agent_id, state,
                                "Task launched with invalid offers: " + *error,
                                protocol::status_reason::invalid_offers));
        }
    return;
  }

  auto agent_id = first->agent.value;
  auto role = first->role;
  auto& agent = *agents.at(agent_id);
  // _accept: the offers are consumed; what no operation uses goes back with
  // the ACCEPT's filters.
  resource_set remaining;
  for (auto& id : acc.offer_ids) {
    auto it = offers.find(id.value);
    auto o = std::move(it->second);
    offers.erase(it);
    timers.cancel(o.timeout);
    fw.offers.erase(id.value);
    fw.offered -= o.resources;
    agent.offers.erase(id.value);
    remaining += o.resources;
    fw.events["offers/accepted"] += 1;
  }

  auto task_error = [&](const protocol::TaskInfo& task,
                        const std::string& message,
                        protocol::status_reason reason) {
    bump("master/tasks_error");
    forward(fw, master_status(task.task_id, task.agent_id, task_state::error,
                              message, reason));
  };
  launch_context ctx{fw, agent, role};
  for (auto& op : acc.operations) {
    auto* list = tasks_of(op);
    if (list == nullptr)
      continue;
    bool group = op.type == operation_type::launch_group;
    auto invalid_reason = group ? protocol::status_reason::task_group_invalid
                                : protocol::status_reason::task_invalid;
    // validateAndUpgradeResources (src/common/resources_utils.cpp:608-).
    std::optional<std::string> bad;
    if (group)
      bad = validate_resources(op.launch_group->executor.resources);
    for (auto& task : *list) {
      if (!bad)
        bad = validate_resources(task.resources);
      if (!bad && task.executor)
        bad = validate_resources(task.executor->resources);
    }
    if (!bad && op.id)
      bad = std::string{"The `id` field cannot be set on "} +
            (group ? "LAUNCH_GROUP" : "LAUNCH") + " operations";
    if (bad) {
      for (auto& task : *list)
        task_error(task, *bad, invalid_reason);
      continue;
    }
    auto full = [&] {
      return agent.task_keys.size() >= config.max_tasks_per_agent;
    };
    auto full_message = "Agent " + agent.id.value + " already runs " +
                        std::to_string(config.max_tasks_per_agent) +
                        " tasks, the simulator's limit per agent";
    if (!group) {
      for (auto& task : *list) {
        auto e = validate_task(task, ctx, remaining);
        if (!e && full())
          e = full_message;
        if (e) {
          task_error(task, *e, invalid_reason);
          continue;
        }
        remaining -= resource_set(task_consumption(task, ctx));
        launch(fw, agent, role, task, std::nullopt);
      }
      continue;
    }
    auto& executor = op.launch_group->executor;
    auto& tasks_in_group = op.launch_group->task_group;
    auto e = validate_task_group(executor, tasks_in_group, ctx, remaining);
    if (!e && agent.task_keys.size() + tasks_in_group.tasks.size() >
                config.max_tasks_per_agent)
      e = full_message;
    if (e) {
      for (auto& task : *list)
        task_error(task, *e, invalid_reason);
      continue;
    }
    std::vector<protocol::Resource> used;
    for (auto& task : tasks_in_group.tasks)
      used.insert(used.end(), task.resources.begin(), task.resources.end());
    if (!has_executor(agent, fw.id, executor.executor_id))
      used.insert(used.end(), executor.resources.begin(),
                  executor.resources.end());
    remaining -= resource_set(with_allocation(std::move(used), role));
    for (auto& task : tasks_in_group.tasks)
      launch(fw, agent, role, task, executor);
  }
  if (!remaining.empty())
    recover(&fw, agent, role, remaining,
            acc.filters.value_or(protocol::Filters{}));
}

void master_core::launch(framework_rec& fw, agent_rec& agent,
                         const std::string& role,
                         const protocol::TaskInfo& info,
                         const std::optional<protocol::ExecutorInfo>& group) {
  auto task = info;
  if (group && !task.executor)
    task.executor = *group; // the master copies it into every group task
  if (task.executor && !task.executor->framework_id)
    task.executor->framework_id = fw.id;

  task_rec t;
  t.view.id = task.task_id;
  t.view.name = task.name;
  t.view.framework = fw.id;
  t.view.agent = agent.id;
  t.view.role = role;
  t.view.resources = intern(with_allocation(task.resources, role));
  t.container_id = ids.next_text();
  t.command = !task.executor.has_value();
  if (task.kill_policy && task.kill_policy->grace_period)
    t.kill_grace_ns = task.kill_policy->grace_period->nanoseconds;
  if (task.executor) {
    auto& exec = *task.executor;
    t.view.executor = exec.executor_id;
    auto key = fw.id.value + '\x1f' + exec.executor_id.value;
    auto it = agent.executors.find(key);
    if (it == agent.executors.end()) {
      executor_rec e;
      e.framework = fw.id;
      e.id = exec.executor_id;
      e.resources = intern(with_allocation(exec.resources, role));
      e.container_id = ids.next_text();
      agent.used += resource_set(exec.resources);
      fw.used += resource_set(*e.resources);
      it = agent.executors.emplace(key, std::move(e)).first;
    }
    it->second.live_tasks += 1;
    if (group)
      t.parent_container = it->second.container_id;
  }
  t.pid = next_pid++;
  agent.used += resource_set(without_allocation(*t.view.resources));
  fw.used += resource_set(*t.view.resources);
  auto key = task_key(fw.id.value, task.task_id.value);
  agent.task_keys.insert(key);
  agent.frameworks[fw.id.value] = fw.info;
  fw.tasks.insert(task.task_id.value);
  tasks.emplace(key, std::move(t));
  if (agent.runtime != nullptr)
    agent.runtime->launch(agent.id, fw.id, task);
}

} // namespace outrigger::sim::detail
