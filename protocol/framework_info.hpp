#pragma once
// Who the framework is (FrameworkInfo) and who the master is (MasterInfo).

#include "protocol/basics.hpp"

namespace outrigger::protocol {

/// FrameworkInfo.Capability.
struct FrameworkCapability {
  std::optional<framework_capability> type;
  bool operator==(const FrameworkCapability&) const = default;
};

/// The framework's identity and settings, sent in SUBSCRIBE and
/// UPDATE_FRAMEWORK. Mind the Mesos defaults: failover_timeout 0 removes the
/// framework the moment its stream closes, checkpoint false loses tasks on
/// agent restarts.
struct FrameworkInfo {
  std::string user;
  std::string name;
  std::optional<FrameworkID> id;
  std::optional<double> failover_timeout; ///< seconds
  std::optional<bool> checkpoint;
  std::optional<std::string> role; ///< deprecated: use roles + MULTI_ROLE
  std::vector<std::string> roles;
  std::optional<std::string> hostname;
  std::optional<std::string> principal;
  std::optional<std::string> webui_url;
  std::vector<FrameworkCapability> capabilities;
  std::optional<Labels> labels;
  std::optional<RawJson> offer_filters; ///< map<role, OfferFilters>
  RawJson extra;
  bool operator==(const FrameworkInfo&) const = default;

  /// True when `capabilities` lists `c`.
  bool has_capability(framework_capability c) const noexcept {
    for (auto& x : capabilities)
      if (x.type == c)
        return true;
    return false;
  }
};

/// MasterInfo.Capability.
struct MasterCapability {
  std::optional<master_capability> type;
  bool operator==(const MasterCapability&) const = default;
};

/// The leading master, as in SUBSCRIBED and in its ZooKeeper node.
struct MasterInfo {
  std::string id;
  std::uint32_t ip = 0; ///< IPv4 in network byte order read as little-endian
  std::uint32_t port = 5050;
  std::optional<std::string> pid;
  std::optional<std::string> hostname;
  std::optional<std::string> version;
  std::optional<Address> address;
  std::optional<RawJson> domain;
  std::vector<MasterCapability> capabilities;
  RawJson extra;
  bool operator==(const MasterInfo&) const = default;
};

} // namespace outrigger::protocol
