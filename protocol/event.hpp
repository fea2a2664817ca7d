#pragma once
// scheduler::Event: everything the master sends on the SUBSCRIBE stream.
// An event of a type this version does not know keeps `type` unset (or
// `unrecognized`) and its whole JSON in `extra`; it never fails to parse.

#include "protocol/call.hpp"
#include "protocol/task_status.hpp"

namespace outrigger::protocol {

/// Event.Subscribed.
struct Subscribed {
  FrameworkID framework_id;
  std::optional<double> heartbeat_interval_seconds;
  std::optional<MasterInfo> master_info;
  bool operator==(const Subscribed&) const = default;
};

/// Event.Offers.
struct Offers {
  std::vector<Offer> offers;
  bool operator==(const Offers&) const = default;
};

/// Event.InverseOffers.
struct InverseOffers {
  std::vector<InverseOffer> inverse_offers;
  bool operator==(const InverseOffers&) const = default;
};

/// Event.Rescind.
struct Rescind {
  OfferID offer_id;
  bool operator==(const Rescind&) const = default;
};

/// Event.RescindInverseOffer.
struct RescindInverseOffer {
  OfferID inverse_offer_id;
  bool operator==(const RescindInverseOffer&) const = default;
};

/// Event.Update.
struct Update {
  TaskStatus status;
  bool operator==(const Update&) const = default;
};

/// Event.UpdateOperationStatus.
struct UpdateOperationStatus {
  OperationStatus status;
  bool operator==(const UpdateOperationStatus&) const = default;
};

/// Event.Failure: an agent or executor went away.
struct Failure {
  std::optional<AgentID> agent_id;
  std::optional<ExecutorID> executor_id;
  std::optional<std::int32_t> status;
  bool operator==(const Failure&) const = default;
};

/// Event.Error: the master refuses the framework (e.g. "Framework has been
/// removed"); the stream ends after it.
struct Error {
  std::string message;
  bool operator==(const Error&) const = default;
};

/// A scheduler event.
struct Event {
  std::optional<event_type> type;
  std::optional<Subscribed> subscribed;
  std::optional<Offers> offers;
  std::optional<InverseOffers> inverse_offers;
  std::optional<Rescind> rescind;
  std::optional<RescindInverseOffer> rescind_inverse_offer;
  std::optional<Update> update;
  std::optional<UpdateOperationStatus> update_operation_status;
  std::optional<ExecutorMessage> message;
  std::optional<Failure> failure;
  std::optional<Error> error;
  RawJson extra;
  bool operator==(const Event&) const = default;
};

} // namespace outrigger::protocol
