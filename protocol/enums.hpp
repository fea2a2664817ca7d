#pragma once
// Every enum of the Mesos v1 scheduler API that outrigger models, with the
// exact wire spelling. Each enum ends in `unrecognized`: the value a decoder
// stores when the master sends a name this version does not know (the name
// itself is kept in the message's `extra` JSON, so re-encoding loses nothing).

#include <cstdint>
#include <optional>
#include <string_view>

namespace outrigger::protocol {

// X-macro lists keep each enum and its wire names in one place.
#define OUTRIGGER_CALL_TYPES(X)                                                \
  X(subscribe, "SUBSCRIBE")                                                    \
  X(teardown, "TEARDOWN")                                                      \
  X(accept, "ACCEPT")                                                          \
  X(decline, "DECLINE")                                                        \
  X(accept_inverse_offers, "ACCEPT_INVERSE_OFFERS")                            \
  X(decline_inverse_offers, "DECLINE_INVERSE_OFFERS")                          \
  X(revive, "REVIVE")                                                          \
  X(kill, "KILL")                                                              \
  X(shutdown, "SHUTDOWN")                                                      \
  X(acknowledge, "ACKNOWLEDGE")                                                \
  X(acknowledge_operation_status, "ACKNOWLEDGE_OPERATION_STATUS")              \
  X(reconcile, "RECONCILE")                                                    \
  X(reconcile_operations, "RECONCILE_OPERATIONS")                              \
  X(message, "MESSAGE")                                                        \
  X(request, "REQUEST")                                                        \
  X(suppress, "SUPPRESS")                                                      \
  X(update_framework, "UPDATE_FRAMEWORK")                                      \
  X(unknown, "UNKNOWN")

#define OUTRIGGER_EVENT_TYPES(X)                                               \
  X(subscribed, "SUBSCRIBED")                                                  \
  X(offers, "OFFERS")                                                          \
  X(inverse_offers, "INVERSE_OFFERS")                                          \
  X(rescind, "RESCIND")                                                        \
  X(rescind_inverse_offer, "RESCIND_INVERSE_OFFER")                            \
  X(update, "UPDATE")                                                          \
  X(update_operation_status, "UPDATE_OPERATION_STATUS")                        \
  X(message, "MESSAGE")                                                        \
  X(failure, "FAILURE")                                                        \
  X(error, "ERROR")                                                            \
  X(heartbeat, "HEARTBEAT")                                                    \
  X(unknown, "UNKNOWN")

#define OUTRIGGER_TASK_STATES(X)                                               \
  X(staging, "TASK_STAGING")                                                   \
  X(starting, "TASK_STARTING")                                                 \
  X(running, "TASK_RUNNING")                                                   \
  X(killing, "TASK_KILLING")                                                   \
  X(finished, "TASK_FINISHED")                                                 \
  X(failed, "TASK_FAILED")                                                     \
  X(killed, "TASK_KILLED")                                                     \
  X(error, "TASK_ERROR")                                                       \
  X(lost, "TASK_LOST")                                                         \
  X(dropped, "TASK_DROPPED")                                                   \
  X(unreachable, "TASK_UNREACHABLE")                                           \
  X(gone, "TASK_GONE")                                                         \
  X(gone_by_operator, "TASK_GONE_BY_OPERATOR")                                 \
  X(unknown, "TASK_UNKNOWN")

#define OUTRIGGER_STATUS_SOURCES(X)                                            \
  X(master, "SOURCE_MASTER")                                                   \
  X(agent, "SOURCE_AGENT")                                                     \
  X(executor, "SOURCE_EXECUTOR")

#define OUTRIGGER_STATUS_REASONS(X)                                            \
  X(command_executor_failed, "REASON_COMMAND_EXECUTOR_FAILED")                 \
  X(container_launch_failed, "REASON_CONTAINER_LAUNCH_FAILED")                 \
  X(container_limitation, "REASON_CONTAINER_LIMITATION")                       \
  X(container_limitation_disk, "REASON_CONTAINER_LIMITATION_DISK")             \
  X(container_limitation_memory, "REASON_CONTAINER_LIMITATION_MEMORY")         \
  X(container_preempted, "REASON_CONTAINER_PREEMPTED")                         \
  X(container_update_failed, "REASON_CONTAINER_UPDATE_FAILED")                 \
  X(max_completion_time_reached, "REASON_MAX_COMPLETION_TIME_REACHED")         \
  X(executor_registration_timeout, "REASON_EXECUTOR_REGISTRATION_TIMEOUT")     \
  X(executor_reregistration_timeout, "REASON_EXECUTOR_REREGISTRATION_TIMEOUT") \
  X(executor_terminated, "REASON_EXECUTOR_TERMINATED")                         \
  X(executor_unregistered, "REASON_EXECUTOR_UNREGISTERED")                     \
  X(framework_removed, "REASON_FRAMEWORK_REMOVED")                             \
  X(gc_error, "REASON_GC_ERROR")                                               \
  X(invalid_frameworkid, "REASON_INVALID_FRAMEWORKID")                         \
  X(invalid_offers, "REASON_INVALID_OFFERS")                                   \
  X(io_switchboard_exited, "REASON_IO_SWITCHBOARD_EXITED")                     \
  X(master_disconnected, "REASON_MASTER_DISCONNECTED")                         \
  X(reconciliation, "REASON_RECONCILIATION")                                   \
  X(resources_unknown, "REASON_RESOURCES_UNKNOWN")                             \
  X(agent_disconnected, "REASON_AGENT_DISCONNECTED")                           \
  X(agent_draining, "REASON_AGENT_DRAINING")                                   \
  X(agent_removed, "REASON_AGENT_REMOVED")                                     \
  X(agent_removed_by_operator, "REASON_AGENT_REMOVED_BY_OPERATOR")             \
  X(agent_reregistered, "REASON_AGENT_REREGISTERED")                           \
  X(agent_restarted, "REASON_AGENT_RESTARTED")                                 \
  X(agent_unknown, "REASON_AGENT_UNKNOWN")                                     \
  X(task_killed_during_launch, "REASON_TASK_KILLED_DURING_LAUNCH")             \
  X(task_check_status_updated, "REASON_TASK_CHECK_STATUS_UPDATED")             \
  X(task_health_check_status_updated,                                          \
    "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")                                 \
  X(task_group_invalid, "REASON_TASK_GROUP_INVALID")                           \
  X(task_group_unauthorized, "REASON_TASK_GROUP_UNAUTHORIZED")                 \
  X(task_invalid, "REASON_TASK_INVALID")                                       \
  X(task_unauthorized, "REASON_TASK_UNAUTHORIZED")                             \
  X(task_unknown, "REASON_TASK_UNKNOWN")

#define OUTRIGGER_VALUE_TYPES(X)                                               \
  X(scalar, "SCALAR")                                                          \
  X(ranges, "RANGES")                                                          \
  X(set, "SET")                                                                \
  X(text, "TEXT")

#define OUTRIGGER_FRAMEWORK_CAPABILITIES(X)                                    \
  X(unknown, "UNKNOWN")                                                        \
  X(revocable_resources, "REVOCABLE_RESOURCES")                                \
  X(task_killing_state, "TASK_KILLING_STATE")                                  \
  X(gpu_resources, "GPU_RESOURCES")                                            \
  X(shared_resources, "SHARED_RESOURCES")                                      \
  X(partition_aware, "PARTITION_AWARE")                                        \
  X(multi_role, "MULTI_ROLE")                                                  \
  X(reservation_refinement, "RESERVATION_REFINEMENT")                          \
  X(region_aware, "REGION_AWARE")

#define OUTRIGGER_MASTER_CAPABILITIES(X)                                       \
  X(unknown, "UNKNOWN")                                                        \
  X(agent_update, "AGENT_UPDATE")                                              \
  X(agent_draining, "AGENT_DRAINING")                                          \
  X(quota_v2, "QUOTA_V2")

#define OUTRIGGER_OPERATION_TYPES(X)                                           \
  X(unknown, "UNKNOWN")                                                        \
  X(launch, "LAUNCH")                                                          \
  X(launch_group, "LAUNCH_GROUP")                                              \
  X(reserve, "RESERVE")                                                        \
  X(unreserve, "UNRESERVE")                                                    \
  X(create, "CREATE")                                                          \
  X(destroy, "DESTROY")                                                        \
  X(grow_volume, "GROW_VOLUME")                                                \
  X(shrink_volume, "SHRINK_VOLUME")                                            \
  X(create_disk, "CREATE_DISK")                                                \
  X(destroy_disk, "DESTROY_DISK")

#define OUTRIGGER_OPERATION_STATES(X)                                          \
  X(unsupported, "OPERATION_UNSUPPORTED")                                      \
  X(pending, "OPERATION_PENDING")                                              \
  X(finished, "OPERATION_FINISHED")                                            \
  X(failed, "OPERATION_FAILED")                                                \
  X(error, "OPERATION_ERROR")                                                  \
  X(dropped, "OPERATION_DROPPED")                                              \
  X(unreachable, "OPERATION_UNREACHABLE")                                      \
  X(gone_by_operator, "OPERATION_GONE_BY_OPERATOR")                            \
  X(recovering, "OPERATION_RECOVERING")                                        \
  X(unknown, "OPERATION_UNKNOWN")

#define OUTRIGGER_RESERVATION_TYPES(X)                                         \
  X(unknown, "UNKNOWN")                                                        \
  X(static_, "STATIC")                                                         \
  X(dynamic, "DYNAMIC")

#define OUTRIGGER_DISK_SOURCE_TYPES(X)                                         \
  X(unknown, "UNKNOWN")                                                        \
  X(path, "PATH")                                                              \
  X(mount, "MOUNT")                                                            \
  X(block, "BLOCK")                                                            \
  X(raw, "RAW")

#define OUTRIGGER_CONTAINER_TYPES(X)                                           \
  X(docker, "DOCKER")                                                          \
  X(mesos, "MESOS")

#define OUTRIGGER_IMAGE_TYPES(X)                                               \
  X(appc, "APPC")                                                              \
  X(docker, "DOCKER")

#define OUTRIGGER_DOCKER_NETWORKS(X)                                           \
  X(host, "HOST")                                                              \
  X(bridge, "BRIDGE")                                                          \
  X(none, "NONE")                                                              \
  X(user, "USER")

#define OUTRIGGER_VOLUME_MODES(X)                                              \
  X(rw, "RW")                                                                  \
  X(ro, "RO")

#define OUTRIGGER_NETWORK_PROTOCOLS(X)                                         \
  X(ipv4, "IPv4")                                                              \
  X(ipv6, "IPv6")

#define OUTRIGGER_ENV_VARIABLE_TYPES(X)                                        \
  X(unknown, "UNKNOWN")                                                        \
  X(value, "VALUE")                                                            \
  X(secret, "SECRET")

#define OUTRIGGER_EXECUTOR_TYPES(X)                                            \
  X(unknown, "UNKNOWN")                                                        \
  X(default_, "DEFAULT")                                                       \
  X(custom, "CUSTOM")

// Declares `enum class name` from a list, plus its name table functions.
#define OUTRIGGER_ENUM_MEMBER(member, text) member,
#define OUTRIGGER_DECLARE_ENUM(name, list)                                     \
  enum class name : std::uint8_t { list(OUTRIGGER_ENUM_MEMBER) unrecognized }; \
  /** The wire name, or "" for `unrecognized`. */                              \
  std::string_view to_string(name value) noexcept;                             \
  /** Parses a wire name; `unrecognized` when the name is not known. */        \
  void from_string(std::string_view text, name& out) noexcept;

OUTRIGGER_DECLARE_ENUM(call_type, OUTRIGGER_CALL_TYPES)
OUTRIGGER_DECLARE_ENUM(event_type, OUTRIGGER_EVENT_TYPES)
OUTRIGGER_DECLARE_ENUM(task_state, OUTRIGGER_TASK_STATES)
OUTRIGGER_DECLARE_ENUM(status_source, OUTRIGGER_STATUS_SOURCES)
OUTRIGGER_DECLARE_ENUM(status_reason, OUTRIGGER_STATUS_REASONS)
OUTRIGGER_DECLARE_ENUM(value_type, OUTRIGGER_VALUE_TYPES)
OUTRIGGER_DECLARE_ENUM(framework_capability, OUTRIGGER_FRAMEWORK_CAPABILITIES)
OUTRIGGER_DECLARE_ENUM(master_capability, OUTRIGGER_MASTER_CAPABILITIES)
OUTRIGGER_DECLARE_ENUM(operation_type, OUTRIGGER_OPERATION_TYPES)
OUTRIGGER_DECLARE_ENUM(operation_state, OUTRIGGER_OPERATION_STATES)
OUTRIGGER_DECLARE_ENUM(reservation_type, OUTRIGGER_RESERVATION_TYPES)
OUTRIGGER_DECLARE_ENUM(disk_source_type, OUTRIGGER_DISK_SOURCE_TYPES)
OUTRIGGER_DECLARE_ENUM(container_type, OUTRIGGER_CONTAINER_TYPES)
OUTRIGGER_DECLARE_ENUM(image_type, OUTRIGGER_IMAGE_TYPES)
OUTRIGGER_DECLARE_ENUM(docker_network, OUTRIGGER_DOCKER_NETWORKS)
OUTRIGGER_DECLARE_ENUM(volume_mode, OUTRIGGER_VOLUME_MODES)
OUTRIGGER_DECLARE_ENUM(network_protocol, OUTRIGGER_NETWORK_PROTOCOLS)
OUTRIGGER_DECLARE_ENUM(env_variable_type, OUTRIGGER_ENV_VARIABLE_TYPES)
OUTRIGGER_DECLARE_ENUM(executor_type, OUTRIGGER_EXECUTOR_TYPES)

#undef OUTRIGGER_DECLARE_ENUM
#undef OUTRIGGER_ENUM_MEMBER

/// True for the states after which Mesos sends no further update for a task.
/// TASK_UNREACHABLE and TASK_UNKNOWN are not terminal: the task may come back.
constexpr bool is_terminal(task_state s) noexcept {
  switch (s) {
    case task_state::finished:
    case task_state::failed:
    case task_state::killed:
    case task_state::error:
    case task_state::lost:
    case task_state::dropped:
    case task_state::gone:
    case task_state::gone_by_operator:
      return true;
    default:
      return false;
  }
}

} // namespace outrigger::protocol
