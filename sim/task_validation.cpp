#include "sim/task_validation.hpp"

#include "sim/mesos_text.hpp"

#include <cstdio>

namespace outrigger::sim::detail {

namespace {

using protocol::ExecutorInfo;
using protocol::TaskInfo;

// common::validation::validateEnvironment.
std::optional<std::string>
validate_command(const std::optional<protocol::CommandInfo>& command) {
  if (!command || !command->environment)
    return std::nullopt;
  for (auto& v : command->environment->variables) {
    auto type = v.type.value_or(protocol::env_variable_type::value);
    if (type == protocol::env_variable_type::secret) {
      if (!v.secret)
        return "Environment variable '" + v.name +
               "' of type 'SECRET' must have a secret set";
      if (v.value)
        return "Environment variable '" + v.name +
               "' of type 'SECRET' must not have a value set";
    } else if (type == protocol::env_variable_type::value) {
      if (!v.value)
        return "Environment variable '" + v.name +
               "' of type 'VALUE' must have a value set";
      if (v.secret)
        return "Environment variable '" + v.name +
               "' of type 'VALUE' must not have a secret set";
    } else {
      return std::string{
        "Environment variable of type 'UNKNOWN' is not allowed"};
    }
  }
  return std::nullopt;
}

// validation::task::internal::validateTask: everything but the executor.
std::optional<std::string> validate_task_fields(const TaskInfo& task,
                                                const launch_context& ctx) {
  if (auto e = validate_id(task.task_id.value))
    return e;
  auto& fw = ctx.framework;
  if (fw.tasks.count(task.task_id.value) != 0)
    return "Task has duplicate ID: " + task.task_id.value;
  if (fw.unreachable.count(task.task_id.value) != 0)
    return "Task reuses the ID of an unreachable task: " + task.task_id.value;
  if (task.agent_id != ctx.agent.id)
    return "Task uses invalid agent " + task.agent_id.value + " while agent " +
           ctx.agent.id.value + " is expected";
  if (task.kill_policy && task.kill_policy->grace_period &&
      task.kill_policy->grace_period->nanoseconds < 0)
    return std::string{"Task's 'kill_policy.grace_period' must be "
                       "non-negative"};
  if (task.max_completion_time && task.max_completion_time->nanoseconds < 0)
    return std::string{"Task's `max_completion_time` must be non-negative"};
  if (task.resources.empty())
    return std::string{"Task uses no resources"};
  if (auto e = validate_command(task.command))
    return "Task's `CommandInfo` is invalid: " + *e;
  return std::nullopt;
}

// executor::internal::validate (type, id, grace period, command, framework).
std::optional<std::string> validate_executor_info(const ExecutorInfo& e,
                                                  const launch_context& ctx) {
  auto type = e.type.value_or(protocol::executor_type::unknown);
  if (type == protocol::executor_type::default_ && e.command)
    return std::string{
      "'ExecutorInfo.command' must not be set for 'DEFAULT' executor"};
  if (type == protocol::executor_type::custom && !e.command)
    return std::string{
      "'ExecutorInfo.command' must be set for 'CUSTOM' executor"};
  if (auto err = validate_id(e.executor_id.value))
    return err;
  if (e.shutdown_grace_period && e.shutdown_grace_period->nanoseconds < 0)
    return std::string{
      "ExecutorInfo's 'shutdown_grace_period' must be non-negative"};
  if (auto err = validate_command(e.command))
    return "Executor's `CommandInfo` is invalid: " + *err;
  if (!e.framework_id)
    return std::string{"'ExecutorInfo.framework_id' must be set"};
  if (*e.framework_id != ctx.framework.id)
    return "ExecutorInfo has an invalid FrameworkID (Actual: " +
           e.framework_id->value + " vs Expected: " + ctx.framework.id.value +
           ")";
  return std::nullopt;
}

std::string amount_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

} // namespace

bool has_executor(const agent_rec& agent, const FrameworkID& framework,
                  const protocol::ExecutorID& id) {
  return agent.executors.count(framework.value + '\x1f' + id.value) != 0;
}

std::vector<protocol::Resource> task_consumption(const TaskInfo& task,
                                                 const launch_context& ctx) {
  auto total = task.resources;
  if (task.executor &&
      !has_executor(ctx.agent, ctx.framework.id, task.executor->executor_id))
    total.insert(total.end(), task.executor->resources.begin(),
                 task.executor->resources.end());
  return with_allocation(std::move(total), ctx.role);
}

std::optional<std::string> validate_task(const TaskInfo& task,
                                         const launch_context& ctx,
                                         const resource_set& available) {
  if (auto e = validate_task_fields(task, ctx))
    return e;
  if (task.executor.has_value() == task.command.has_value())
    return std::string{"Task should have at least one (but not both) of "
                       "CommandInfo or ExecutorInfo present"};
  if (task.executor) {
    // LAUNCH fills in a missing ExecutorInfo.framework_id (:4350-4355).
    auto executor = *task.executor;
    if (!executor.framework_id)
      executor.framework_id = ctx.framework.id;
    if (auto e = validate_executor_info(executor, ctx))
      return e;
    if (executor.type && *executor.type != protocol::executor_type::custom)
      return std::string{"'ExecutorInfo.type' must be 'CUSTOM'"};
    if (!executor.command)
      return std::string{"'ExecutorInfo.command' must be set"};
  }
  resource_set total(task_consumption(task, ctx));
  if (!available.contains(total))
    return "Total resources " + resources_text(total.items()) +
           " required by task and its executor is more than available " +
           resources_text(available.items());
  return std::nullopt;
}

std::optional<std::string>
validate_task_group(const ExecutorInfo& executor,
                    const protocol::TaskGroupInfo& group,
                    const launch_context& ctx, const resource_set& available) {
  for (auto& task : group.tasks)
    if (auto e = validate_task_fields(task, ctx))
      return "Task '" + task.task_id.value + "' is invalid: " + *e;
  if (auto e = validate_executor_info(executor, ctx))
    return e;
  if (!executor.type)
    return std::string{"'ExecutorInfo.type' must be set"};
  if (*executor.type == protocol::executor_type::unknown)
    return std::string{"Unknown executor type"};
  for (auto& task : group.tasks)
    if (task.executor && *task.executor != executor)
      return "The `ExecutorInfo` of task '" + task.task_id.value +
             "' is different from executor '" + executor.executor_id.value +
             "'";
  resource_set own(executor.resources);
  auto id = executor.executor_id.value;
  if (own.scalar("cpus") < 0.01)
    return "Executor '" + id + "' uses less CPUs (" +
           (own.scalar("cpus") > 0 ? amount_text(own.scalar("cpus"))
                                   : std::string{"None"}) +
           ") than the minimum required (0.01)";
  if (own.scalar("mem") < 32)
    return "Executor '" + id + "' uses less memory (" +
           (own.scalar("mem") > 0 ? amount_text(own.scalar("mem")) + "MB"
                                  : std::string{"None"}) +
           ") than the minimum required (32MB)";
  if (own.scalar("disk") <= 0)
    return "Executor '" + id + "' uses no disk";
  std::vector<protocol::Resource> total;
  for (auto& task : group.tasks)
    total.insert(total.end(), task.resources.begin(), task.resources.end());
  if (!has_executor(ctx.agent, ctx.framework.id, executor.executor_id))
    total.insert(total.end(), executor.resources.begin(),
                 executor.resources.end());
  resource_set needed(with_allocation(std::move(total), ctx.role));
  if (!available.contains(needed))
    return "Total resources " + resources_text(needed.items()) +
           " required by task group and its executor are more than "
           "available " +
           resources_text(available.items());
  return std::nullopt;
}

} // namespace outrigger::sim::detail
