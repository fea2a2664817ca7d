#pragma once
// Resources and attributes as offered by agents (mesos.proto `Resource`,
// `Attribute`), including roles, reservations and disk information.

#include "protocol/basics.hpp"

namespace outrigger::protocol {

/// Resource.AllocationInfo: the role a resource is allocated to (MULTI_ROLE).
struct AllocationInfo {
  std::optional<std::string> role;
  bool operator==(const AllocationInfo&) const = default;
};

/// Resource.ReservationInfo: one level of a (possibly refined) reservation.
struct ReservationInfo {
  std::optional<reservation_type> type;
  std::optional<std::string> role;
  std::optional<std::string> principal;
  std::optional<Labels> labels;
  RawJson extra;
  bool operator==(const ReservationInfo&) const = default;
};

/// Resource.DiskInfo.Persistence.
struct DiskPersistence {
  std::string id;
  std::optional<std::string> principal;
  bool operator==(const DiskPersistence&) const = default;
};

/// Resource.DiskInfo.Source.Path and .Mount.
struct DiskSourceRoot {
  std::optional<std::string> root;
  bool operator==(const DiskSourceRoot&) const = default;
};

/// Resource.DiskInfo.Source.
struct DiskSource {
  disk_source_type type = disk_source_type::unknown;
  std::optional<DiskSourceRoot> path;
  std::optional<DiskSourceRoot> mount;
  std::optional<std::string> vendor;
  std::optional<std::string> id;
  std::optional<Labels> metadata;
  std::optional<std::string> profile;
  RawJson extra;
  bool operator==(const DiskSource&) const = default;
};

/// Resource.DiskInfo. The volume is kept as JSON text: only persistent-volume
/// operations need it, and they are carried through unchanged.
struct DiskInfo {
  std::optional<DiskPersistence> persistence;
  std::optional<RawJson> volume;
  std::optional<DiskSource> source;
  RawJson extra;
  bool operator==(const DiskInfo&) const = default;
};

/// One named resource: a scalar (cpus, mem, disk, gpus), ranges (ports) or a
/// set, with its role and reservation details.
struct Resource {
  std::optional<ResourceProviderID> provider_id;
  std::string name;
  value_type type = value_type::scalar;
  std::optional<Scalar> scalar;
  std::optional<Ranges> ranges;
  std::optional<Set> set;
  std::optional<std::string> role; ///< deprecated; "*" for unreserved
  std::optional<AllocationInfo> allocation_info;
  std::optional<ReservationInfo> reservation; ///< deprecated single level
  std::vector<ReservationInfo> reservations;  ///< refinement stack
  std::optional<DiskInfo> disk;
  std::optional<RawJson> revocable; ///< empty message when set
  std::optional<RawJson> shared;    ///< empty message when set
  RawJson extra;
  bool operator==(const Resource&) const = default;
};

/// An agent attribute used for placement constraints (e.g. rack:r1).
struct Attribute {
  std::string name;
  value_type type = value_type::text;
  std::optional<Scalar> scalar;
  std::optional<Ranges> ranges;
  std::optional<Set> set;
  std::optional<Text> text;
  RawJson extra;
  bool operator==(const Attribute&) const = default;
};

} // namespace outrigger::protocol
