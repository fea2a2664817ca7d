#pragma once
// Arithmetic over Mesos resources, with the master's semantics: resources of
// the same kind (name, type, role, reservations, allocation, disk, provider)
// merge; scalars are fixed-point with three decimals so that ten tasks of 0.1
// cpus fit exactly into 1.0; ranges and sets are kept normalized.

#include "protocol/resource.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace outrigger::protocol {

// -- ranges
// ---------------------------------------------------------------------

/// Sorted, non-overlapping, non-adjacent intervals ([1-2],[3-5] -> [1-5]).
Ranges normalize(Ranges r);
/// Union of two range lists (normalized).
Ranges ranges_union(const Ranges& a, const Ranges& b);
/// Values of `a` that are not in `b` (normalized).
Ranges ranges_difference(const Ranges& a, const Ranges& b);
/// True when every value of `b` is in `a`.
bool ranges_contain(const Ranges& a, const Ranges& b);
/// Number of values covered, e.g. 1001 for [31000-32000].
std::uint64_t ranges_count(const Ranges& r);
/// The `count` lowest values of `available` as ranges, or nullopt when there
/// are fewer. `skip` values are passed over first (to spread port choices).
std::optional<Ranges> take_values(const Ranges& available, std::uint64_t count,
                                  std::uint64_t skip = 0);

// -- scalars
// --------------------------------------------------------------------

/// Rounds to the master's precision (three decimal digits).
double round_scalar(double value);

// -- resources
// ------------------------------------------------------------------

/// The role a resource is reserved for ("*" when unreserved): the last
/// reservation of a refined stack, or the deprecated `role` field.
std::string_view reservation_role(const Resource& r);
/// True when the resource carries no reservation.
bool is_unreserved(const Resource& r);
/// True when two resources are of the same kind and may be merged.
bool same_kind(const Resource& a, const Resource& b);

/// A normalized collection of resources: at most one entry per kind, no empty
/// entries. The value type the matcher computes with.
class resource_set {
public:
  resource_set() = default;

  /// Merges same-kind entries and drops empty ones.
  explicit resource_set(const std::vector<Resource>& resources);

  /// The normalized entries, in first-seen order.
  const std::vector<Resource>& items() const noexcept { return items_; }
  bool empty() const noexcept { return items_.empty(); }

  /// Adds one resource (merging with an entry of the same kind).
  resource_set& operator+=(const Resource& r);
  resource_set& operator+=(const resource_set& other);

  /// Removes what `other` holds; what is not there is ignored, entries that
  /// become empty disappear. Check contains() first for an exact result.
  resource_set& operator-=(const Resource& r);
  resource_set& operator-=(const resource_set& other);

  /// True when every entry of `other` is covered by a same-kind entry here.
  bool contains(const resource_set& other) const;
  bool contains(const Resource& r) const;

  /// The entries for which `keep` holds.
  resource_set filter(const std::function<bool(const Resource&)>& keep) const;

  /// Entries allocated to `role` (allocation_info.role; entries without
  /// allocation info belong to every role, as for non-MULTI_ROLE offers).
  resource_set allocated_to(std::string_view role) const;
  /// Entries reserved for `role`.
  resource_set reserved_for(std::string_view role) const;
  /// Entries without any reservation.
  resource_set unreserved() const;

  /// Sum of the scalar entries named `name` (e.g. "cpus"), across kinds.
  double scalar(std::string_view name) const;
  /// Union of the range entries named `name` (e.g. "ports"), across kinds.
  Ranges ranges(std::string_view name) const;

  bool operator==(const resource_set&) const = default;

private:
  std::vector<Resource> items_;
};

/// Builds an unreserved scalar resource, e.g. scalar_resource("cpus", 0.5).
Resource scalar_resource(std::string name, double value);
/// Builds an unreserved ranges resource, e.g. ports [31000-31009].
Resource ranges_resource(std::string name, Ranges value);
/// Builds an unreserved set resource.
Resource set_resource(std::string name, std::vector<std::string> items);

} // namespace outrigger::protocol
