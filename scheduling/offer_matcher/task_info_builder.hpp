#pragma once
// Turns a placement into what the master receives: a TaskInfo per task, with
// resources cut from the offer's own entries (so roles, allocation_info and
// reservations are exactly as offered) and concrete port ranges, and the
// ACCEPT carrying all of an offer's LAUNCHes in one operation.

#include "protocol/call.hpp"
#include "scheduling/offer_matcher/held_offer.hpp"

#include <optional>
#include <string>
#include <vector>

namespace outrigger::scheduling {

/// Settings of TaskInfo building.
struct task_info_options {
  /// Labels added to every task (after the task's own), e.g. to find
  /// outrigger's tasks in the Mesos UI.
  std::vector<name_value> labels;
  /// Add the client's key as label "outrigger.key".
  bool key_label = true;
  /// Docker network for DOCKER containers.
  protocol::docker_network docker_network = protocol::docker_network::host;
};

/// Takes what one task needs from the entries of an offer (reserved entries
/// first) and returns it as resources; the entries keep what is left.
/// Returns nullopt, changing nothing, when the entries do not cover it.
std::optional<std::vector<protocol::Resource>>
take_resources(std::vector<offer_entry>& entries, const amounts& need,
               const resource_templates& templates);

/// The TaskInfo of attempt `attempt` of task `id` on an agent, with the
/// resources it was given.
protocol::TaskInfo build_task_info(task_id id, std::uint32_t attempt,
                                   const task_spec& spec,
                                   const protocol::AgentID& agent,
                                   std::vector<protocol::Resource> resources,
                                   const task_info_options& options);

} // namespace outrigger::scheduling
