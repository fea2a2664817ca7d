#include "scheduling/offer_matcher/held_offer.hpp"

#include "protocol/resource_math.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace outrigger::scheduling {

namespace {

constexpr std::array<std::string_view, 5> dim_names = {"cpus", "mem", "disk",
                                                       "gpus", "ports"};

std::optional<resource_dim> dim_of(const protocol::Resource& r) {
  for (std::size_t i = 0; i < dim_names.size(); ++i)
    if (r.name == dim_names[i])
      return static_cast<resource_dim>(i);
  return std::nullopt;
}

// Resources reserved for `role` or one of its ancestors may be used by a
// task of `role` ("eng" reservations serve "eng/web").
bool usable_by(const protocol::Resource& r, std::string_view role) {
  if (protocol::is_unreserved(r))
    return true;
  auto owner = protocol::reservation_role(r);
  return owner == role ||
         (role.starts_with(owner) && role.size() > owner.size() &&
          role[owner.size()] == '/');
}

std::size_t hash_of(const protocol::Resource& r) {
  auto h = std::hash<std::string>{}(r.name);
  auto mix = [&h](std::size_t x) { h = h * 1099511628211ull ^ x; };
  mix(std::hash<std::string_view>{}(protocol::reservation_role(r)));
  if (r.allocation_info && r.allocation_info->role)
    mix(std::hash<std::string>{}(*r.allocation_info->role));
  mix(r.reservations.size());
  mix(r.disk.has_value());
  return h;
}

} // namespace

std::string_view to_string(resource_dim d) noexcept {
  return dim_names[static_cast<std::size_t>(d)];
}

std::int64_t to_milli(double value) noexcept {
  return std::llround(value * 1000.0);
}

amounts needs_of(const task_resources& r) noexcept {
  amounts a;
  a[resource_dim::cpus] = to_milli(r.cpus);
  a[resource_dim::mem] = to_milli(r.mem);
  a[resource_dim::disk] = to_milli(r.disk);
  a[resource_dim::gpus] = to_milli(r.gpus);
  a[resource_dim::ports] = r.ports;
  return a;
}

std::uint32_t resource_templates::intern(const protocol::Resource& r) {
  protocol::Resource t = r;
  t.scalar.reset();
  t.ranges.reset();
  t.set.reset();
  auto h = hash_of(t);
  auto [b, e] = by_hash_.equal_range(h);
  for (auto i = b; i != e; ++i)
    if (items_[i->second] == t)
      return i->second;
  auto index = static_cast<std::uint32_t>(items_.size());
  items_.push_back(std::move(t));
  by_hash_.emplace(h, index);
  return index;
}

held_offer make_held_offer(const protocol::Offer& offer, time_point now,
                           interned default_role,
                           resource_templates& templates) {
  held_offer out;
  out.id = offer.id;
  out.agent_id = offer.agent_id;
  out.site.agent_id = interned{offer.agent_id.value};
  out.site.hostname = interned{offer.hostname};
  if (offer.url && offer.url->address.port > 0) {
    auto& addr = offer.url->address;
    auto host = addr.ip ? *addr.ip : addr.hostname.value_or(offer.hostname);
    if (host.find(':') != std::string::npos)
      host = "[" + host + "]"; // IPv6
    out.site.agent_url = interned{
      (offer.url->scheme.empty() ? std::string{"http"} : offer.url->scheme) +
      "://" + host + ":" + std::to_string(addr.port)};
  }
  out.site.attributes = make_agent_attributes(offer.attributes);
  out.received_at = now;
  out.role = default_role;
  if (offer.allocation_info && offer.allocation_info->role) {
    out.role = interned{*offer.allocation_info->role};
  } else {
    for (auto& r : offer.resources)
      if (r.allocation_info && r.allocation_info->role) {
        out.role = interned{*r.allocation_info->role};
        break;
      }
  }
  for (auto& r : offer.resources) {
    auto dim = dim_of(r);
    if (!dim || r.revocable || r.shared || !usable_by(r, out.role.view()))
      continue;
    if (r.disk && (r.disk->persistence || r.disk->source))
      continue; // volumes and mount disks need explicit use
    offer_entry e;
    e.dim = *dim;
    e.reserved = !protocol::is_unreserved(r);
    if (*dim == resource_dim::ports) {
      if (r.type != protocol::value_type::ranges || !r.ranges)
        continue;
      e.ports = protocol::normalize(*r.ranges);
      e.amount = static_cast<std::int64_t>(protocol::ranges_count(e.ports));
    } else {
      if (r.type != protocol::value_type::scalar || !r.scalar)
        continue;
      e.amount = to_milli(r.scalar->value);
    }
    if (e.amount <= 0)
      continue;
    e.tmpl = templates.intern(r);
    out.offered[e.dim] += e.amount;
    out.entries.push_back(std::move(e));
  }
  // Reserved entries first: a task uses its role's reservations before
  // unreserved resources (stable, so equal entries keep the offer's order).
  std::stable_partition(out.entries.begin(), out.entries.end(),
                        [](const offer_entry& e) { return e.reserved; });
  return out;
}

} // namespace outrigger::scheduling
