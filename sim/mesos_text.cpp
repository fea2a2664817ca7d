#include "sim/mesos_text.hpp"

#include <cmath>
#include <cstdio>

namespace outrigger::sim {

using protocol::Resource;
using protocol::value_type;

std::string scalar_text(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", protocol::round_scalar(value));
  return buf;
}

std::string ranges_text(const protocol::Ranges& ranges) {
  std::string out = "[";
  for (std::size_t i = 0; i < ranges.range.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += std::to_string(ranges.range[i].begin) + "-" +
           std::to_string(ranges.range[i].end);
  }
  return out + "]";
}

namespace {

std::string reservation_text(const protocol::ReservationInfo& r) {
  std::string out = r.type ? std::string{to_string(*r.type)} : "UNKNOWN";
  out += "," + r.role.value_or("*");
  if (r.principal)
    out += "," + *r.principal;
  return out;
}

} // namespace

std::string resource_text(const Resource& r) {
  std::string out = r.name;
  if (r.allocation_info)
    out += "(allocated: " + r.allocation_info->role.value_or("") + ")";
  // The master prints the post-refinement format: a deprecated `role` other
  // than "*" is a STATIC reservation (upgradeResource).
  std::vector<std::string> levels;
  for (auto& x : r.reservations)
    levels.push_back(reservation_text(x));
  if (levels.empty() && !protocol::is_unreserved(r))
    levels.push_back((r.reservation ? "DYNAMIC," : "STATIC,") +
                     std::string{protocol::reservation_role(r)});
  if (!levels.empty()) {
    out += "(reservations: [";
    for (std::size_t i = 0; i < levels.size(); ++i)
      out += (i > 0 ? ",(" : "(") + levels[i] + ")";
    out += "])";
  }
  if (r.revocable)
    out += "{REV}";
  if (r.shared)
    out += "<SHARED>";
  out += ":";
  switch (r.type) {
    case value_type::scalar:
      out += scalar_text(r.scalar ? r.scalar->value : 0);
      break;
    case value_type::ranges:
      out += ranges_text(r.ranges.value_or(protocol::Ranges{}));
      break;
    case value_type::set: {
      out += "{";
      if (r.set)
        for (std::size_t i = 0; i < r.set->item.size(); ++i)
          out += (i > 0 ? ", " : "") + r.set->item[i];
      out += "}";
      break;
    }
    default:
      break;
  }
  return out;
}

std::string resources_text(const std::vector<Resource>& rs) {
  if (rs.empty())
    return "{}";
  std::string out;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (i > 0)
      out += "; ";
    out += resource_text(rs[i]);
  }
  return out;
}

std::string set_text(const std::set<std::string>& items) {
  std::string out = "{ ";
  bool first = true;
  for (auto& x : items) {
    if (!first)
      out += ", ";
    out += x;
    first = false;
  }
  return out + " }";
}

std::optional<std::string> validate_role(const std::string& role) {
  if (role == "*")
    return std::nullopt;
  if (!role.empty() && role.front() == '/')
    return "Role '" + role + "' cannot start with a slash";
  if (!role.empty() && role.back() == '/')
    return "Role '" + role + "' cannot end with a slash";
  if (role.find("//") != std::string::npos)
    return "Role '" + role + "' cannot contain two adjacent slashes";
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= role.size()) {
    auto j = role.find('/', i);
    if (j == std::string::npos)
      j = role.size();
    if (j > i)
      parts.push_back(role.substr(i, j - i));
    i = j + 1;
  }
  if (parts.empty())
    return "Role names cannot be the empty string";
  for (auto& c : parts) {
    if (c == "." || c == ".." || c == "*")
      return "Role '" + role + "' cannot include '" + c + "' as a component";
    if (c.front() == '-')
      return "Role component '" + c +
             "' is invalid because it starts with a dash";
    if (c.find_first_of("\x09\x0a\x0b\x0c\x0d\x20\x08") != std::string::npos)
      return "Role component '" + c +
             "' is invalid because it contains backspace or whitespace";
  }
  return std::nullopt;
}

std::optional<std::string> validate_id(const std::string& id) {
  if (id.empty())
    return "ID must not be empty";
  if (id.size() > 255)
    return "ID must not be greater than 255 characters";
  if (id == "." || id == "..")
    return "'" + id + "' is disallowed";
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
      return "'" + id + "' contains invalid characters";
  return std::nullopt;
}

std::optional<std::string> validate_resource(const Resource& r) {
  if (r.name.empty())
    return "Empty resource name";
  switch (r.type) {
    case value_type::scalar:
      if (!r.scalar || r.ranges || r.set)
        return "Invalid scalar resource";
      if (std::isnan(r.scalar->value) ||
          (r.scalar->value != 0 &&
           protocol::round_scalar(r.scalar->value) <= 0))
        return "Invalid scalar resource: value <= 0";
      break;
    case value_type::ranges: {
      if (r.scalar || !r.ranges || r.set)
        return "Invalid ranges resource";
      auto& v = r.ranges->range;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i].begin > v[i].end)
          return "Invalid ranges resource: begin > end";
        for (std::size_t j = i + 1; j < v.size(); ++j)
          if (v[i].begin <= v[j].begin && v[j].begin <= v[i].end)
            return "Invalid ranges resource: overlapping ranges";
      }
      break;
    }
    case value_type::set: {
      if (r.scalar || r.ranges || !r.set)
        return "Invalid set resource";
      auto& v = r.set->item;
      for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = i + 1; j < v.size(); ++j)
          if (v[i] == v[j])
            return "Invalid set resource: duplicated elements";
      break;
    }
    default:
      return "Unsupported resource type";
  }
  if (r.disk && r.name != "disk")
    return "DiskInfo should not be set for " + r.name + " resource";
  if (r.reservations.empty()) {
    if (auto e = validate_role(r.role.value_or("*")))
      return e;
    if (r.reservation) {
      if (r.reservation->type)
        return "'Resource.ReservationInfo.type' must not be set for the "
               "'Resource.reservation' field";
      if (r.reservation->role)
        return "'Resource.ReservationInfo.role' must not be set for the "
               "'Resource.reservation' field";
      if (r.role.value_or("*") == "*")
        return "Invalid reservation: role \"*\" cannot be dynamically "
               "reserved";
    }
  } else {
    for (auto& x : r.reservations) {
      if (!x.type)
        return "Invalid reservation: 'Resource.ReservationInfo.type' field "
               "must be set.";
      if (!x.role)
        return "Invalid reservation: 'Resource.ReservationInfo.role' field "
               "must be set.";
      if (auto e = validate_role(*x.role))
        return e;
      if (*x.role == "*")
        return "Invalid reservation: role \"*\" cannot be reserved";
    }
  }
  return std::nullopt;
}

std::optional<std::string> validate_resources(const std::vector<Resource>& rs) {
  for (auto& r : rs)
    if (auto e = validate_resource(r))
      return e;
  return std::nullopt;
}

std::vector<Resource> with_allocation(std::vector<Resource> rs,
                                      const std::string& role) {
  for (auto& r : rs)
    if (!r.allocation_info)
      r.allocation_info = protocol::AllocationInfo{role};
  return rs;
}

std::vector<Resource> without_allocation(std::vector<Resource> rs) {
  for (auto& r : rs)
    r.allocation_info.reset();
  return rs;
}

} // namespace outrigger::sim
