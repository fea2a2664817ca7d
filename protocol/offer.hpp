#pragma once
// Offers, inverse offers and the operations a framework applies to offers.

#include "protocol/task_info.hpp"

namespace outrigger::protocol {

/// Offer.Operation.Launch.
struct LaunchOperation {
  std::vector<TaskInfo> task_infos;
  bool operator==(const LaunchOperation&) const = default;
};

/// Offer.Operation.LaunchGroup.
struct LaunchGroupOperation {
  ExecutorInfo executor;
  TaskGroupInfo task_group;
  bool operator==(const LaunchGroupOperation&) const = default;
};

/// One operation of an ACCEPT. LAUNCH and LAUNCH_GROUP are modeled; the
/// others (RESERVE, CREATE, ...) travel in `extra` unchanged, next to `type`.
struct OfferOperation {
  std::optional<operation_type> type;
  std::optional<OperationID> id;
  std::optional<LaunchOperation> launch;
  std::optional<LaunchGroupOperation> launch_group;
  RawJson extra;
  bool operator==(const OfferOperation&) const = default;
};

/// Resources of one agent offered to one framework.
struct Offer {
  OfferID id;
  FrameworkID framework_id;
  AgentID agent_id;
  std::string hostname;
  std::optional<URL> url;
  std::optional<RawJson> domain;
  std::vector<Resource> resources;
  std::vector<Attribute> attributes;
  std::vector<ExecutorID> executor_ids;
  std::optional<Unavailability> unavailability;
  std::optional<AllocationInfo> allocation_info;
  RawJson extra;
  bool operator==(const Offer&) const = default;
};

/// A request from the master to give resources back (maintenance).
struct InverseOffer {
  OfferID id;
  std::optional<URL> url;
  FrameworkID framework_id;
  std::optional<AgentID> agent_id;
  Unavailability unavailability;
  std::vector<Resource> resources;
  RawJson extra;
  bool operator==(const InverseOffer&) const = default;
};

/// mesos.v1.Request: resources a framework asks the allocator for.
struct ResourceRequest {
  std::optional<AgentID> agent_id;
  std::vector<Resource> resources;
  bool operator==(const ResourceRequest&) const = default;
};

} // namespace outrigger::protocol
