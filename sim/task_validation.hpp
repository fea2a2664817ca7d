#pragma once
// Internal to sim/: the master's validation of tasks and task groups in an
// ACCEPT (validation::task::validate and validation::task::group::validate,
// src/master/validation.cpp:1400-2210), reduced to the checks a scheduler
// can trip with the fields outrigger models, with the exact messages.

#include "sim/core.hpp"

namespace outrigger::sim::detail {

/// What the validators need to know about the framework and the agent.
struct launch_context {
  const framework_rec& framework;
  const agent_rec& agent;
  const std::string& role; ///< the offers' allocation role
};

/// The task's resources and, for a new custom executor, the executor's,
/// with the offer's allocation role injected.
std::vector<protocol::Resource> task_consumption(const protocol::TaskInfo& task,
                                                 const launch_context& ctx);

/// validation::task::validate: nullopt, or the TASK_ERROR message.
/// `available` holds what is left of the accepted offers.
std::optional<std::string> validate_task(const protocol::TaskInfo& task,
                                         const launch_context& ctx,
                                         const resource_set& available);

/// validation::task::group::validate for a LAUNCH_GROUP: nullopt, or the
/// message every task of the group gets with TASK_ERROR.
std::optional<std::string>
validate_task_group(const protocol::ExecutorInfo& executor,
                    const protocol::TaskGroupInfo& group,
                    const launch_context& ctx, const resource_set& available);

/// True when the agent already runs executor `id` of the framework.
bool has_executor(const agent_rec& agent, const FrameworkID& framework,
                  const protocol::ExecutorID& id);

} // namespace outrigger::sim::detail
