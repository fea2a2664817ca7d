#pragma once
// The JSON shape of every modeled message, written once: `describe` lists a
// message's fields in protobuf field order with their wire names. The codec
// walks these lists to decode, encode and report errors, so the mapping of a
// message cannot drift between the two directions.
//
// Field kinds follow the member types: std::optional is an optional field,
// std::vector a repeated field (omitted when empty), anything else a required
// field. `f.extra(x.extra)` comes last and collects members not listed.
// Private to protocol/: include only from the codec.

#include "protocol/event.hpp"

namespace outrigger::protocol::detail {

template <class F>
void describe(F& f, FrameworkID& x) {
  f("value", x.value);
}
template <class F>
void describe(F& f, OfferID& x) {
  f("value", x.value);
}
template <class F>
void describe(F& f, AgentID& x) {
  f("value", x.value);
}
template <class F>
void describe(F& f, TaskID& x) {
  f("value", x.value);
}
template <class F>
void describe(F& f, ExecutorID& x) {
  f("value", x.value);
}
template <class F>
void describe(F& f, OperationID& x) {
  f("value", x.value);
}
template <class F>
void describe(F& f, UUID& x) {
  f("value", x.value);
}

template <class F>
void describe(F& f, ResourceProviderID& x) {
  f("value", x.value);
}

template <class F>
void describe(F& f, ContainerID& x) {
  f("value", x.value);
  f.boxed("parent", x.parent);
}

template <class F>
void describe(F& f, TimeInfo& x) {
  f("nanoseconds", x.nanoseconds);
}

template <class F>
void describe(F& f, DurationInfo& x) {
  f("nanoseconds", x.nanoseconds);
}

template <class F>
void describe(F& f, Label& x) {
  f("key", x.key);
  f("value", x.value);
}

template <class F>
void describe(F& f, Labels& x) {
  f("labels", x.labels);
}

template <class F>
void describe(F& f, Parameter& x) {
  f("key", x.key);
  f("value", x.value);
}

template <class F>
void describe(F& f, Address& x) {
  f("hostname", x.hostname);
  f("ip", x.ip);
  f("port", x.port);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, URL& x) {
  f("scheme", x.scheme);
  f("address", x.address);
  f("path", x.path);
  f("query", x.query);
  f("fragment", x.fragment);
}

template <class F>
void describe(F& f, Scalar& x) {
  f("value", x.value);
}

template <class F>
void describe(F& f, Range& x) {
  f("begin", x.begin);
  f("end", x.end);
}

template <class F>
void describe(F& f, Ranges& x) {
  f("range", x.range);
}
template <class F>
void describe(F& f, Set& x) {
  f("item", x.item);
}
template <class F>
void describe(F& f, Text& x) {
  f("value", x.value);
}

template <class F>
void describe(F& f, Unavailability& x) {
  f("start", x.start);
  f("duration", x.duration);
}

template <class F>
void describe(F& f, Filters& x) {
  f("refuse_seconds", x.refuse_seconds);
}

// -- resources ----------------------------------------------------------------

template <class F>
void describe(F& f, AllocationInfo& x) {
  f("role", x.role);
}

template <class F>
void describe(F& f, ReservationInfo& x) {
  f("type", x.type);
  f("role", x.role);
  f("principal", x.principal);
  f("labels", x.labels);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, DiskPersistence& x) {
  f("id", x.id);
  f("principal", x.principal);
}

template <class F>
void describe(F& f, DiskSourceRoot& x) {
  f("root", x.root);
}

template <class F>
void describe(F& f, DiskSource& x) {
  f("type", x.type);
  f("path", x.path);
  f("mount", x.mount);
  f("vendor", x.vendor);
  f("id", x.id);
  f("metadata", x.metadata);
  f("profile", x.profile);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, DiskInfo& x) {
  f("persistence", x.persistence);
  f("volume", x.volume);
  f("source", x.source);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, Resource& x) {
  f("provider_id", x.provider_id);
  f("name", x.name);
  f("type", x.type);
  f("scalar", x.scalar);
  f("ranges", x.ranges);
  f("set", x.set);
  f("role", x.role);
  f("allocation_info", x.allocation_info);
  f("reservation", x.reservation);
  f("reservations", x.reservations);
  f("disk", x.disk);
  f("revocable", x.revocable);
  f("shared", x.shared);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, Attribute& x) {
  f("name", x.name);
  f("type", x.type);
  f("scalar", x.scalar);
  f("ranges", x.ranges);
  f("set", x.set);
  f("text", x.text);
  f.extra(x.extra);
}

// -- tasks
// ----------------------------------------------------------------------

template <class F>
void describe(F& f, EnvironmentVariable& x) {
  f("name", x.name);
  f("type", x.type);
  f("value", x.value);
  f("secret", x.secret);
}

template <class F>
void describe(F& f, Environment& x) {
  f("variables", x.variables);
}

template <class F>
void describe(F& f, CommandURI& x) {
  f("value", x.value);
  f("executable", x.executable);
  f("extract", x.extract);
  f("cache", x.cache);
  f("output_file", x.output_file);
}

template <class F>
void describe(F& f, CommandInfo& x) {
  f("uris", x.uris);
  f("environment", x.environment);
  f("shell", x.shell);
  f("value", x.value);
  f("arguments", x.arguments);
  f("user", x.user);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, DockerImage& x) {
  f("name", x.name);
  f("config", x.config);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, AppcImage& x) {
  f("name", x.name);
  f("id", x.id);
  f("labels", x.labels);
}

template <class F>
void describe(F& f, Image& x) {
  f("type", x.type);
  f("appc", x.appc);
  f("docker", x.docker);
  f("cached", x.cached);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, Volume& x) {
  f("mode", x.mode);
  f("container_path", x.container_path);
  f("host_path", x.host_path);
  f("image", x.image);
  f("source", x.source);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, IPAddress& x) {
  f("protocol", x.protocol);
  f("ip_address", x.ip_address);
}

template <class F>
void describe(F& f, PortMapping& x) {
  f("host_port", x.host_port);
  f("container_port", x.container_port);
  f("protocol", x.protocol);
}

template <class F>
void describe(F& f, NetworkInfo& x) {
  f("ip_addresses", x.ip_addresses);
  f("name", x.name);
  f("groups", x.groups);
  f("labels", x.labels);
  f("port_mappings", x.port_mappings);
}

template <class F>
void describe(F& f, DockerInfo& x) {
  f("image", x.image);
  f("network", x.network);
  f("port_mappings", x.port_mappings);
  f("privileged", x.privileged);
  f("parameters", x.parameters);
  f("force_pull_image", x.force_pull_image);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, MesosInfo& x) {
  f("image", x.image);
}

template <class F>
void describe(F& f, ContainerInfo& x) {
  f("type", x.type);
  f("volumes", x.volumes);
  f("hostname", x.hostname);
  f("docker", x.docker);
  f("mesos", x.mesos);
  f("network_infos", x.network_infos);
  f("linux_info", x.linux_info);
  f("rlimit_info", x.rlimit_info);
  f("tty_info", x.tty_info);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, KillPolicy& x) {
  f("grace_period", x.grace_period);
}

template <class F>
void describe(F& f, ExecutorInfo& x) {
  f("type", x.type);
  f("executor_id", x.executor_id);
  f("framework_id", x.framework_id);
  f("command", x.command);
  f("container", x.container);
  f("resources", x.resources);
  f("name", x.name);
  f("data", x.data);
  f("shutdown_grace_period", x.shutdown_grace_period);
  f("labels", x.labels);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, TaskInfo& x) {
  f("name", x.name);
  f("task_id", x.task_id);
  f("agent_id", x.agent_id);
  f("resources", x.resources);
  f("executor", x.executor);
  f("command", x.command);
  f("container", x.container);
  f("health_check", x.health_check);
  f("check", x.check);
  f("kill_policy", x.kill_policy);
  f("data", x.data);
  f("labels", x.labels);
  f("discovery", x.discovery);
  f("max_completion_time", x.max_completion_time);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, TaskGroupInfo& x) {
  f("tasks", x.tasks);
}

// -- statuses
// -------------------------------------------------------------------

template <class F>
void describe(F& f, ContainerStatus& x) {
  f("container_id", x.container_id);
  f("network_infos", x.network_infos);
  f("cgroup_info", x.cgroup_info);
  f("executor_pid", x.executor_pid);
}

template <class F>
void describe(F& f, TaskStatus& x) {
  f("task_id", x.task_id);
  f("state", x.state);
  f("message", x.message);
  f("source", x.source);
  f("reason", x.reason);
  f("data", x.data);
  f("agent_id", x.agent_id);
  f("executor_id", x.executor_id);
  f("timestamp", x.timestamp);
  f("uuid", x.uuid);
  f("healthy", x.healthy);
  f("check_status", x.check_status);
  f("labels", x.labels);
  f("container_status", x.container_status);
  f("unreachable_time", x.unreachable_time);
  f("limitation", x.limitation);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, OperationStatus& x) {
  f("operation_id", x.operation_id);
  f("state", x.state);
  f("message", x.message);
  f("converted_resources", x.converted_resources);
  f("uuid", x.uuid);
  f("agent_id", x.agent_id);
  f("resource_provider_id", x.resource_provider_id);
  f.extra(x.extra);
}

// -- offers
// -----------------------------------------------------------------------

template <class F>
void describe(F& f, LaunchOperation& x) {
  f("task_infos", x.task_infos);
}

template <class F>
void describe(F& f, LaunchGroupOperation& x) {
  f("executor", x.executor);
  f("task_group", x.task_group);
}

template <class F>
void describe(F& f, OfferOperation& x) {
  f("type", x.type);
  f("id", x.id);
  f("launch", x.launch);
  f("launch_group", x.launch_group);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, Offer& x) {
  f("id", x.id);
  f("framework_id", x.framework_id);
  f("agent_id", x.agent_id);
  f("hostname", x.hostname);
  f("url", x.url);
  f("domain", x.domain);
  f("resources", x.resources);
  f("attributes", x.attributes);
  f("executor_ids", x.executor_ids);
  f("unavailability", x.unavailability);
  f("allocation_info", x.allocation_info);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, InverseOffer& x) {
  f("id", x.id);
  f("url", x.url);
  f("framework_id", x.framework_id);
  f("agent_id", x.agent_id);
  f("unavailability", x.unavailability);
  f("resources", x.resources);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, ResourceRequest& x) {
  f("agent_id", x.agent_id);
  f("resources", x.resources);
}

// -- framework and master
// --------------------------------------------------------

template <class F>
void describe(F& f, FrameworkCapability& x) {
  f("type", x.type);
}

template <class F>
void describe(F& f, FrameworkInfo& x) {
  f("user", x.user);
  f("name", x.name);
  f("id", x.id);
  f("failover_timeout", x.failover_timeout);
  f("checkpoint", x.checkpoint);
  f("role", x.role);
  f("roles", x.roles);
  f("hostname", x.hostname);
  f("principal", x.principal);
  f("webui_url", x.webui_url);
  f("capabilities", x.capabilities);
  f("labels", x.labels);
  f("offer_filters", x.offer_filters);
  f.extra(x.extra);
}

template <class F>
void describe(F& f, MasterCapability& x) {
  f("type", x.type);
}

template <class F>
void describe(F& f, MasterInfo& x) {
  f("id", x.id);
  f("ip", x.ip);
  f("port", x.port);
  f("pid", x.pid);
  f("hostname", x.hostname);
  f("version", x.version);
  f("address", x.address);
  f("domain", x.domain);
  f("capabilities", x.capabilities);
  f.extra(x.extra);
}

// -- calls
// ------------------------------------------------------------------------

template <class F>
void describe(F& f, Subscribe& x) {
  f("framework_info", x.framework_info);
  f("suppressed_roles", x.suppressed_roles);
  f("offer_constraints", x.offer_constraints);
}

template <class F>
void describe(F& f, Accept& x) {
  f("offer_ids", x.offer_ids);
  f("operations", x.operations);
  f("filters", x.filters);
}

template <class F>
void describe(F& f, Decline& x) {
  f("offer_ids", x.offer_ids);
  f("filters", x.filters);
}

template <class F>
void describe(F& f, InverseOffersReply& x) {
  f("inverse_offer_ids", x.inverse_offer_ids);
  f("filters", x.filters);
}

template <class F>
void describe(F& f, RoleList& x) {
  f("roles", x.roles);
}

template <class F>
void describe(F& f, Kill& x) {
  f("task_id", x.task_id);
  f("agent_id", x.agent_id);
  f("kill_policy", x.kill_policy);
}

template <class F>
void describe(F& f, Shutdown& x) {
  f("executor_id", x.executor_id);
  f("agent_id", x.agent_id);
}

template <class F>
void describe(F& f, Acknowledge& x) {
  f("agent_id", x.agent_id);
  f("task_id", x.task_id);
  f("uuid", x.uuid);
}

template <class F>
void describe(F& f, AcknowledgeOperationStatus& x) {
  f("agent_id", x.agent_id);
  f("resource_provider_id", x.resource_provider_id);
  f("uuid", x.uuid);
  f("operation_id", x.operation_id);
}

template <class F>
void describe(F& f, ReconcileTask& x) {
  f("task_id", x.task_id);
  f("agent_id", x.agent_id);
}

template <class F>
void describe(F& f, Reconcile& x) {
  f("tasks", x.tasks);
}

template <class F>
void describe(F& f, ReconcileOperation& x) {
  f("operation_id", x.operation_id);
  f("agent_id", x.agent_id);
  f("resource_provider_id", x.resource_provider_id);
}

template <class F>
void describe(F& f, ReconcileOperations& x) {
  f("operations", x.operations);
}

template <class F>
void describe(F& f, ExecutorMessage& x) {
  f("agent_id", x.agent_id);
  f("executor_id", x.executor_id);
  f("data", x.data);
}

template <class F>
void describe(F& f, Request& x) {
  f("requests", x.requests);
}

// Field order is the .proto declaration order, which is how the master's JSON
// writer orders members.
template <class F>
void describe(F& f, Call& x) {
  f("framework_id", x.framework_id);
  f("type", x.type);
  f("subscribe", x.subscribe);
  f("accept", x.accept);
  f("decline", x.decline);
  f("accept_inverse_offers", x.accept_inverse_offers);
  f("decline_inverse_offers", x.decline_inverse_offers);
  f("revive", x.revive);
  f("kill", x.kill);
  f("shutdown", x.shutdown);
  f("acknowledge", x.acknowledge);
  f("acknowledge_operation_status", x.acknowledge_operation_status);
  f("reconcile", x.reconcile);
  f("reconcile_operations", x.reconcile_operations);
  f("message", x.message);
  f("request", x.request);
  f("suppress", x.suppress);
  f("update_framework", x.update_framework);
  f.extra(x.extra);
}

// -- events
// -----------------------------------------------------------------------

template <class F>
void describe(F& f, Subscribed& x) {
  f("framework_id", x.framework_id);
  f("heartbeat_interval_seconds", x.heartbeat_interval_seconds);
  f("master_info", x.master_info);
}

template <class F>
void describe(F& f, Offers& x) {
  f("offers", x.offers);
}

template <class F>
void describe(F& f, InverseOffers& x) {
  f("inverse_offers", x.inverse_offers);
}

template <class F>
void describe(F& f, Rescind& x) {
  f("offer_id", x.offer_id);
}

template <class F>
void describe(F& f, RescindInverseOffer& x) {
  f("inverse_offer_id", x.inverse_offer_id);
}

template <class F>
void describe(F& f, Update& x) {
  f("status", x.status);
}

template <class F>
void describe(F& f, UpdateOperationStatus& x) {
  f("status", x.status);
}

template <class F>
void describe(F& f, Failure& x) {
  f("agent_id", x.agent_id);
  f("executor_id", x.executor_id);
  f("status", x.status);
}

template <class F>
void describe(F& f, Error& x) {
  f("message", x.message);
}

// Declaration order, as above.
template <class F>
void describe(F& f, Event& x) {
  f("type", x.type);
  f("subscribed", x.subscribed);
  f("offers", x.offers);
  f("inverse_offers", x.inverse_offers);
  f("rescind", x.rescind);
  f("rescind_inverse_offer", x.rescind_inverse_offer);
  f("update", x.update);
  f("update_operation_status", x.update_operation_status);
  f("message", x.message);
  f("failure", x.failure);
  f("error", x.error);
  f.extra(x.extra);
}

} // namespace outrigger::protocol::detail
