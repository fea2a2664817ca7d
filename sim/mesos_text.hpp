#pragma once
// Text the master writes into error messages, reproduced exactly: resources
// as `operator<<` prints them, sets as stout's stringify, and the checks
// whose messages reach schedulers (role names, resource validity, ids).

#include "protocol/resource_math.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace outrigger::sim {

/// A scalar as Value::Scalar's operator<< prints it (15 significant digits,
/// three decimals kept): 100, 0.1, 2016.
std::string scalar_text(double value);

/// Ranges as "[31000-31099, 32000-32099]".
std::string ranges_text(const protocol::Ranges& ranges);

/// One resource as Resource's operator<<, e.g. `cpus(allocated: *):0.1`,
/// `ports(allocated: *):[31000-32000]`, `cpus(reservations:
/// [(STATIC,analytics)]):1` (src/common/resources.cpp:2594-2640).
std::string resource_text(const protocol::Resource& r);

/// Resources joined with "; " ("{}" when empty), as Resources' operator<<.
std::string resources_text(const std::vector<protocol::Resource>& rs);

/// A set as stout's stringify: "{ a, b }".
std::string set_text(const std::set<std::string>& items);

/// roles::validate (src/common/roles.cpp): nullopt for a valid role.
std::optional<std::string> validate_role(const std::string& role);

/// common::validation::validateID (src/common/validation.cpp).
std::optional<std::string> validate_id(const std::string& id);

/// Resources::validate for one resource (src/common/resources.cpp:838-):
/// the checks a scheduler can trip, with their messages.
std::optional<std::string> validate_resource(const protocol::Resource& r);

/// The first error of validate_resource over a list.
std::optional<std::string>
validate_resources(const std::vector<protocol::Resource>& rs);

/// The same resources with allocation_info {role} set where absent
/// (protobuf::injectAllocationInfo, applied to every operation of an
/// ACCEPT before validation).
std::vector<protocol::Resource>
with_allocation(std::vector<protocol::Resource> rs, const std::string& role);

/// The same resources without allocation_info (Resources::unallocate).
std::vector<protocol::Resource>
without_allocation(std::vector<protocol::Resource> rs);

} // namespace outrigger::sim
