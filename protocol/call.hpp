#pragma once
// scheduler::Call: everything a framework sends to the master. Like the
// protobuf, a call is a `type` plus the one sub-message of that type; the
// master validates that the two agree, so both are kept as sent.

#include "protocol/framework_info.hpp"
#include "protocol/offer.hpp"

namespace outrigger::protocol {

/// Call.Subscribe.
struct Subscribe {
  FrameworkInfo framework_info;
  std::vector<std::string> suppressed_roles;
  std::optional<RawJson> offer_constraints;
  bool operator==(const Subscribe&) const = default;
};

/// Call.Accept: apply operations to offers (all on one agent).
struct Accept {
  std::vector<OfferID> offer_ids;
  std::vector<OfferOperation> operations;
  std::optional<Filters> filters;
  bool operator==(const Accept&) const = default;
};

/// Call.Decline.
struct Decline {
  std::vector<OfferID> offer_ids;
  std::optional<Filters> filters;
  bool operator==(const Decline&) const = default;
};

/// Call.AcceptInverseOffers and Call.DeclineInverseOffers.
struct InverseOffersReply {
  std::vector<OfferID> inverse_offer_ids;
  std::optional<Filters> filters;
  bool operator==(const InverseOffersReply&) const = default;
};

/// Call.Revive and Call.Suppress: no roles means all of the framework's.
struct RoleList {
  std::vector<std::string> roles;
  bool operator==(const RoleList&) const = default;
};

/// Call.Kill.
struct Kill {
  TaskID task_id;
  std::optional<AgentID> agent_id;
  std::optional<KillPolicy> kill_policy;
  bool operator==(const Kill&) const = default;
};

/// Call.Shutdown: stop an executor.
struct Shutdown {
  ExecutorID executor_id;
  AgentID agent_id;
  bool operator==(const Shutdown&) const = default;
};

/// Call.Acknowledge: echo the uuid of the update being acknowledged.
struct Acknowledge {
  AgentID agent_id;
  TaskID task_id;
  Bytes uuid;
  bool operator==(const Acknowledge&) const = default;
};

/// Call.AcknowledgeOperationStatus.
struct AcknowledgeOperationStatus {
  std::optional<AgentID> agent_id;
  std::optional<ResourceProviderID> resource_provider_id;
  Bytes uuid;
  OperationID operation_id;
  bool operator==(const AcknowledgeOperationStatus&) const = default;
};

/// Call.Reconcile.Task.
struct ReconcileTask {
  TaskID task_id;
  std::optional<AgentID> agent_id;
  bool operator==(const ReconcileTask&) const = default;
};

/// Call.Reconcile: no tasks means implicit reconciliation of all tasks.
struct Reconcile {
  std::vector<ReconcileTask> tasks;
  bool operator==(const Reconcile&) const = default;
};

/// Call.ReconcileOperations.Operation.
struct ReconcileOperation {
  OperationID operation_id;
  std::optional<AgentID> agent_id;
  std::optional<ResourceProviderID> resource_provider_id;
  bool operator==(const ReconcileOperation&) const = default;
};

/// Call.ReconcileOperations.
struct ReconcileOperations {
  std::vector<ReconcileOperation> operations;
  bool operator==(const ReconcileOperations&) const = default;
};

/// Call.Message and Event.Message: opaque data to or from an executor.
struct ExecutorMessage {
  AgentID agent_id;
  ExecutorID executor_id;
  Bytes data;
  bool operator==(const ExecutorMessage&) const = default;
};

/// Call.Request.
struct Request {
  std::vector<ResourceRequest> requests;
  bool operator==(const Request&) const = default;
};

/// A scheduler call. Build one with the helpers in protocol/calls.hpp.
struct Call {
  std::optional<FrameworkID> framework_id;
  std::optional<call_type> type;
  std::optional<Subscribe> subscribe;
  std::optional<Accept> accept;
  std::optional<Decline> decline;
  std::optional<InverseOffersReply> accept_inverse_offers;
  std::optional<InverseOffersReply> decline_inverse_offers;
  std::optional<RoleList> revive;
  std::optional<Kill> kill;
  std::optional<Shutdown> shutdown;
  std::optional<Acknowledge> acknowledge;
  std::optional<AcknowledgeOperationStatus> acknowledge_operation_status;
  std::optional<Reconcile> reconcile;
  std::optional<ReconcileOperations> reconcile_operations;
  std::optional<ExecutorMessage> message;
  std::optional<Request> request;
  std::optional<RoleList> suppress;
  std::optional<Subscribe> update_framework; ///< same shape as Subscribe
  RawJson extra;
  bool operator==(const Call&) const = default;
};

} // namespace outrigger::protocol
