#pragma once
// Builders for every scheduler call, so that the type and its sub-message
// always agree, plus the master's structural validation of a call.

#include "protocol/call.hpp"
#include "protocol/task_status.hpp"

#include <optional>
#include <string>

namespace outrigger::protocol {

/// SUBSCRIBE; `framework_id` is copied from `info.id` as the master demands.
Call make_subscribe(FrameworkInfo info,
                    std::vector<std::string> suppressed_roles = {});
/// TEARDOWN: removes the framework and kills all its tasks.
Call make_teardown(FrameworkID framework);
/// ACCEPT of `offers` with `operations`.
Call make_accept(FrameworkID framework, std::vector<OfferID> offers,
                 std::vector<OfferOperation> operations,
                 std::optional<Filters> filters = {});
/// A LAUNCH operation.
OfferOperation make_launch(std::vector<TaskInfo> tasks);
/// A LAUNCH_GROUP operation.
OfferOperation make_launch_group(ExecutorInfo executor, TaskGroupInfo group);
/// DECLINE; `refuse_seconds` unset leaves the master's default (5 s).
Call make_decline(FrameworkID framework, std::vector<OfferID> offers,
                  std::optional<double> refuse_seconds = {});
/// ACCEPT_INVERSE_OFFERS.
Call make_accept_inverse_offers(FrameworkID framework,
                                std::vector<OfferID> inverse_offers,
                                std::optional<Filters> filters = {});
/// DECLINE_INVERSE_OFFERS.
Call make_decline_inverse_offers(FrameworkID framework,
                                 std::vector<OfferID> inverse_offers,
                                 std::optional<Filters> filters = {});
/// REVIVE; no roles means every role of the framework.
Call make_revive(FrameworkID framework, std::vector<std::string> roles = {});
/// SUPPRESS; no roles means every role of the framework.
Call make_suppress(FrameworkID framework, std::vector<std::string> roles = {});
/// KILL.
Call make_kill(FrameworkID framework, TaskID task,
               std::optional<AgentID> agent = {},
               std::optional<KillPolicy> policy = {});
/// SHUTDOWN of an executor.
Call make_shutdown(FrameworkID framework, ExecutorID executor, AgentID agent);
/// ACKNOWLEDGE of one status update.
Call make_acknowledge(FrameworkID framework, AgentID agent, TaskID task,
                      Bytes uuid);
/// The JSON of make_acknowledge(...) appended to `out`, written directly:
/// the service sends one per status update (tens of thousands a second), and
/// building a Call to encode it costs more than the rest of the update. The
/// bytes equal protocol::to_json(make_acknowledge(...)) (tested). `uuid` is
/// the raw update uuid (base64-encoded here).
void append_acknowledge_json(std::string& out, std::string_view framework,
                             std::string_view agent, std::string_view task,
                             std::string_view uuid);
/// The ACKNOWLEDGE an update needs, or nullopt when it needs none: updates
/// without a uuid (made by the master) or without an agent must not be
/// acknowledged.
std::optional<Call> acknowledgement_for(const FrameworkID& framework,
                                        const TaskStatus& status);
/// ACKNOWLEDGE_OPERATION_STATUS.
Call make_acknowledge_operation_status(FrameworkID framework,
                                       OperationID operation, Bytes uuid,
                                       std::optional<AgentID> agent = {});
/// RECONCILE; no tasks asks for implicit reconciliation of all tasks.
Call make_reconcile(FrameworkID framework,
                    std::vector<ReconcileTask> tasks = {});
/// RECONCILE_OPERATIONS.
Call make_reconcile_operations(FrameworkID framework,
                               std::vector<ReconcileOperation> operations);
/// MESSAGE to an executor.
Call make_message(FrameworkID framework, AgentID agent, ExecutorID executor,
                  std::string data);
/// REQUEST for resources.
Call make_request(FrameworkID framework, std::vector<ResourceRequest> requests);
/// UPDATE_FRAMEWORK; `info.id` must be set.
Call make_update_framework(FrameworkInfo info,
                           std::vector<std::string> suppressed_roles = {});

/// The master's structural check of a call (validation::scheduler::call),
/// with its exact messages, e.g. "Expecting 'kill' to be present". Returns
/// nullopt for a valid call. `principal` is the authenticated principal.
std::optional<std::string>
validate_call(const Call& call,
              const std::optional<std::string>& principal = {});

} // namespace outrigger::protocol
