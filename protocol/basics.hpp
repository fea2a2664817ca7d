#pragma once
// Small building blocks of the Mesos v1 API: identifiers, labels, values.
//
// Naming: messages carry their protobuf names (TaskStatus, Offer, FrameworkID)
// so that they read like the Mesos documentation and cannot collide with the
// snake_case field names, which are exactly the wire names. Optional protobuf
// fields are std::optional (unset fields are not written), repeated fields are
// std::vector (empty ones are not written). Every message that may grow new
// fields keeps the members this version does not know in `extra`.

#include "protocol/enums.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outrigger::protocol {

/// A protobuf `bytes` field; travels as base64 in JSON.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

/// JSON members a message had beyond the ones modeled here, as the text of a
/// JSON object (or empty). Re-encoding writes them back, so nothing is lost.
struct RawJson {
  std::string text;
  bool empty() const noexcept { return text.empty(); }
  bool operator==(const RawJson&) const = default;
};

// -- identifiers: {"value": "..."} on the wire --------------------------------

#define OUTRIGGER_ID_TYPE(name)                                                \
  struct name {                                                                \
    std::string value;                                                         \
    bool operator==(const name&) const = default;                              \
    auto operator<=>(const name&) const = default;                             \
  };

OUTRIGGER_ID_TYPE(FrameworkID)
OUTRIGGER_ID_TYPE(OfferID)
OUTRIGGER_ID_TYPE(AgentID)
OUTRIGGER_ID_TYPE(TaskID)
OUTRIGGER_ID_TYPE(ExecutorID)
OUTRIGGER_ID_TYPE(ResourceProviderID)
OUTRIGGER_ID_TYPE(OperationID)
#undef OUTRIGGER_ID_TYPE

/// A container id; nested containers name their parent.
struct ContainerID {
  std::string value;
  std::vector<ContainerID> parent; ///< zero or one element (recursive type)
  bool operator==(const ContainerID&) const = default;
};

/// A UUID message: {"value": <16 raw bytes as base64>}.
struct UUID {
  Bytes value;
  bool operator==(const UUID&) const = default;
};

/// Absolute time in nanoseconds since the epoch.
struct TimeInfo {
  std::int64_t nanoseconds = 0;
  bool operator==(const TimeInfo&) const = default;
};

/// A duration in nanoseconds.
struct DurationInfo {
  std::int64_t nanoseconds = 0;
  bool operator==(const DurationInfo&) const = default;
};

/// A key with an optional value.
struct Label {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const Label&) const = default;
};

/// Free-form metadata attached to frameworks, tasks, statuses, reservations.
struct Labels {
  std::vector<Label> labels;
  bool operator==(const Labels&) const = default;
};

/// A key and a value, e.g. a docker parameter or a URL query item.
struct Parameter {
  std::string key;
  std::string value;
  bool operator==(const Parameter&) const = default;
};

/// A network address as the master reports it.
struct Address {
  std::optional<std::string> hostname;
  std::optional<std::string> ip;
  std::int32_t port = 0;
  RawJson extra;
  bool operator==(const Address&) const = default;
};

/// An agent or master URL in structured form.
struct URL {
  std::string scheme;
  Address address;
  std::optional<std::string> path;
  std::vector<Parameter> query;
  std::optional<std::string> fragment;
  bool operator==(const URL&) const = default;
};

// -- Value: the payload of resources and attributes ---------------------------

/// Value.Scalar.
struct Scalar {
  double value = 0;
  bool operator==(const Scalar&) const = default;
};

/// Value.Range: an inclusive interval.
struct Range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  bool operator==(const Range&) const = default;
};

/// Value.Ranges.
struct Ranges {
  std::vector<Range> range;
  bool operator==(const Ranges&) const = default;
};

/// Value.Set.
struct Set {
  std::vector<std::string> item;
  bool operator==(const Set&) const = default;
};

/// Value.Text.
struct Text {
  std::string value;
  bool operator==(const Text&) const = default;
};

/// A window during which a machine is unavailable (maintenance).
struct Unavailability {
  TimeInfo start;
  std::optional<DurationInfo> duration;
  bool operator==(const Unavailability&) const = default;
};

/// The filter a scheduler attaches to DECLINE or ACCEPT.
struct Filters {
  std::optional<double> refuse_seconds; ///< unset: the master uses 5 s
  bool operator==(const Filters&) const = default;
};

} // namespace outrigger::protocol
