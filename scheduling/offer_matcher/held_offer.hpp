#pragma once
// Offers as the matcher holds them: the few numbers a matching pass compares
// (fixed-point, like the master's resource arithmetic) plus what is needed to
// build TaskInfos later — per resource entry a shared "template" (the
// Resource without its value: name, role, allocation_info, reservations)
// and the amount. 10,000 held offers then cost a few MB instead of
// thousands of protocol::Resource copies.

#include "protocol/offer.hpp"
#include "scheduling/offer_matcher/constraints.hpp"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace outrigger::scheduling {

/// The resource kinds the matcher packs.
enum class resource_dim : std::uint8_t { cpus, mem, disk, gpus, ports };

/// Names as Mesos spells them: "cpus", "mem", "disk", "gpus", "ports".
std::string_view to_string(resource_dim d) noexcept;

/// Amounts per dimension: scalars in thousandths (the master's precision),
/// ports as a count.
struct amounts {
  std::array<std::int64_t, 5> v{};

  std::int64_t& operator[](resource_dim d) noexcept {
    return v[static_cast<std::size_t>(d)];
  }
  std::int64_t operator[](resource_dim d) const noexcept {
    return v[static_cast<std::size_t>(d)];
  }
  /// True when every dimension is at least `need`'s.
  bool covers(const amounts& need) const noexcept {
    return v[0] >= need.v[0] && v[1] >= need.v[1] && v[2] >= need.v[2] &&
           v[3] >= need.v[3] && v[4] >= need.v[4];
  }
  amounts& operator-=(const amounts& x) noexcept {
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] -= x.v[i];
    return *this;
  }
  bool operator==(const amounts&) const = default;
};

/// A scalar in thousandths, rounded as the master rounds.
std::int64_t to_milli(double value) noexcept;

/// What a task spec needs, as amounts.
amounts needs_of(const task_resources& r) noexcept;

/// One usable resource entry of an offer.
struct offer_entry {
  std::uint32_t tmpl = 0; ///< index into the resource_templates table
  resource_dim dim = resource_dim::cpus;
  bool reserved = false;   ///< reserved for the role: used first
  std::int64_t amount = 0; ///< scalar, thousandths
  protocol::Ranges ports;  ///< for ports
};

/// An offer the matcher holds.
struct held_offer {
  protocol::OfferID id;
  protocol::AgentID agent_id;
  placement_site site; ///< agent, hostname, attributes
  interned role;       ///< the role the offer is allocated to
  time_point received_at{};
  std::uint64_t arrival = 0; ///< arrival order: breaks ties in a pass
  amounts offered;           ///< usable amounts when it arrived
  std::vector<offer_entry> entries;
};

/// The distinct resource templates of all offers, interned. Most offers of
/// a cluster share the same few (cpus/mem/disk/ports of role r).
class resource_templates {
public:
  /// The index of `r` without its value (adds it when new).
  std::uint32_t intern(const protocol::Resource& r);

  /// The template; its value fields are unset.
  const protocol::Resource& operator[](std::uint32_t i) const {
    return items_[i];
  }

  /// Number of templates.
  std::size_t size() const noexcept { return items_.size(); }

private:
  std::vector<protocol::Resource> items_;
  std::unordered_multimap<std::size_t, std::uint32_t> by_hash_;
};

/// Converts an offer. Entries the matcher cannot use for plain tasks are left
/// out: revocable or shared resources, persistent volumes and mount disks,
/// reservations for other roles, names other than the five dimensions.
/// `default_role` applies when neither the offer nor its resources carry
/// allocation info (frameworks without MULTI_ROLE).
held_offer make_held_offer(const protocol::Offer& offer, time_point now,
                           interned default_role,
                           resource_templates& templates);

} // namespace outrigger::scheduling
