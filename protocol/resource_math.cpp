#include "protocol/resource_math.hpp"

#include <algorithm>
#include <cmath>

namespace outrigger::protocol {

// -- ranges
// ---------------------------------------------------------------------

Ranges normalize(Ranges r) {
  auto& v = r.range;
  // A range with begin > end is empty; the master rejects it, we drop it.
  std::erase_if(v, [](const Range& x) { return x.begin > x.end; });
  std::sort(v.begin(), v.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  std::vector<Range> out;
  out.reserve(v.size());
  for (auto& x : v) {
    // Merge overlapping and adjacent intervals (end + 1 cannot overflow
    // unless end is the maximum, which then covers everything after it).
    if (!out.empty() &&
        (out.back().end == UINT64_MAX || x.begin <= out.back().end + 1)) {
      out.back().end = std::max(out.back().end, x.end);
    } else {
      out.push_back(x);
    }
  }
  v = std::move(out);
  return r;
}

Ranges ranges_union(const Ranges& a, const Ranges& b) {
  Ranges out = a;
  out.range.insert(out.range.end(), b.range.begin(), b.range.end());
  return normalize(std::move(out));
}

Ranges ranges_difference(const Ranges& a, const Ranges& b) {
  auto left = normalize(a).range;
  auto cut = normalize(b).range;
  std::vector<Range> out;
  std::size_t j = 0;
  for (auto x : left) {
    while (j < cut.size() && cut[j].end < x.begin)
      ++j;
    auto k = j;
    bool alive = true;
    while (alive && k < cut.size() && cut[k].begin <= x.end) {
      if (cut[k].begin > x.begin)
        out.push_back({x.begin, cut[k].begin - 1});
      if (cut[k].end >= x.end)
        alive = false;
      else
        x.begin = cut[k].end + 1;
      ++k;
    }
    if (alive)
      out.push_back(x);
  }
  return Ranges{std::move(out)};
}

bool ranges_contain(const Ranges& a, const Ranges& b) {
  return ranges_difference(b, a).range.empty();
}

std::uint64_t ranges_count(const Ranges& r) {
  std::uint64_t n = 0;
  for (auto& x : normalize(r).range)
    n += x.end - x.begin + 1;
  return n;
}

std::optional<Ranges> take_values(const Ranges& available, std::uint64_t count,
                                  std::uint64_t skip) {
  auto all = normalize(available);
  if (ranges_count(all) < count)
    return std::nullopt;
  // Skipping wraps around, so a spread start never causes a false "no room".
  auto total = ranges_count(all);
  skip = total == 0 ? 0 : skip % total;
  Ranges out;
  auto take_from = [&](std::uint64_t& left, std::uint64_t& to_skip) {
    for (auto& x : all.range) {
      if (left == 0)
        return;
      auto size = x.end - x.begin + 1;
      if (to_skip >= size) {
        to_skip -= size;
        continue;
      }
      auto begin = x.begin + to_skip;
      to_skip = 0;
      auto n = std::min(left, x.end - begin + 1);
      out.range.push_back({begin, begin + n - 1});
      left -= n;
    }
  };
  auto left = count;
  take_from(left, skip);
  if (left > 0) {
    // Wrap: take from the beginning, excluding what was already taken.
    all = ranges_difference(all, out);
    std::uint64_t no_skip = 0;
    take_from(left, no_skip);
  }
  return normalize(std::move(out));
}

// -- scalars
// --------------------------------------------------------------------

namespace {

std::int64_t to_fixed(double v) {
  return std::llround(v * 1000.0);
}
double from_fixed(std::int64_t v) {
  return static_cast<double>(v) / 1000.0;
}

} // namespace

double round_scalar(double value) {
  return from_fixed(to_fixed(value));
}

// -- resources
// ------------------------------------------------------------------

std::string_view reservation_role(const Resource& r) {
  if (!r.reservations.empty() && r.reservations.back().role)
    return *r.reservations.back().role;
  if (r.role)
    return *r.role;
  return "*";
}

bool is_unreserved(const Resource& r) {
  return r.reservations.empty() && !r.reservation && reservation_role(r) == "*";
}

bool same_kind(const Resource& a, const Resource& b) {
  return a.name == b.name && a.type == b.type &&
         reservation_role(a) == reservation_role(b) &&
         a.allocation_info == b.allocation_info &&
         a.reservation == b.reservation && a.reservations == b.reservations &&
         a.disk == b.disk && a.provider_id == b.provider_id &&
         a.revocable.has_value() == b.revocable.has_value() &&
         a.shared.has_value() == b.shared.has_value();
}

namespace {

bool is_empty(const Resource& r) {
  switch (r.type) {
    case value_type::scalar:
      return !r.scalar || to_fixed(r.scalar->value) <= 0;
    case value_type::ranges:
      return !r.ranges || r.ranges->range.empty();
    case value_type::set:
      return !r.set || r.set->item.empty();
    default:
      return true; // TEXT is not a resource type the master accepts
  }
}

// Brings a resource into canonical form (rounded scalar, normalized ranges,
// de-duplicated set) so that equality means equal amounts.
Resource canonical(Resource r) {
  if (r.scalar)
    r.scalar->value = round_scalar(r.scalar->value);
  if (r.ranges)
    r.ranges = normalize(std::move(*r.ranges));
  if (r.set) {
    auto& items = r.set->item;
    std::vector<std::string> unique;
    for (auto& x : items)
      if (std::find(unique.begin(), unique.end(), x) == unique.end())
        unique.push_back(x);
    items = std::move(unique);
  }
  return r;
}

void merge_into(Resource& into, const Resource& r) {
  switch (into.type) {
    case value_type::scalar:
      into.scalar = Scalar{
        from_fixed(to_fixed(into.scalar->value) + to_fixed(r.scalar->value))};
      break;
    case value_type::ranges:
      into.ranges = ranges_union(*into.ranges, *r.ranges);
      break;
    case value_type::set:
      for (auto& x : r.set->item)
        if (std::find(into.set->item.begin(), into.set->item.end(), x) ==
            into.set->item.end())
          into.set->item.push_back(x);
      break;
    default:
      break;
  }
}

void remove_from(Resource& from, const Resource& r) {
  switch (from.type) {
    case value_type::scalar:
      from.scalar = Scalar{
        from_fixed(to_fixed(from.scalar->value) - to_fixed(r.scalar->value))};
      break;
    case value_type::ranges:
      from.ranges = ranges_difference(*from.ranges, *r.ranges);
      break;
    case value_type::set:
      std::erase_if(from.set->item, [&](const std::string& x) {
        auto& gone = r.set->item;
        return std::find(gone.begin(), gone.end(), x) != gone.end();
      });
      break;
    default:
      break;
  }
}

bool covers(const Resource& have, const Resource& want) {
  switch (have.type) {
    case value_type::scalar:
      return to_fixed(have.scalar->value) >= to_fixed(want.scalar->value);
    case value_type::ranges:
      return ranges_contain(*have.ranges, *want.ranges);
    case value_type::set:
      return std::all_of(want.set->item.begin(), want.set->item.end(),
                         [&](const std::string& x) {
                           auto& items = have.set->item;
                           return std::find(items.begin(), items.end(), x) !=
                                  items.end();
                         });
    default:
      return false;
  }
}

} // namespace

resource_set::resource_set(const std::vector<Resource>& resources) {
  for (auto& r : resources)
    *this += r;
}

resource_set& resource_set::operator+=(const Resource& r) {
  if (is_empty(r))
    return *this;
  for (auto& x : items_) {
    if (same_kind(x, r)) {
      merge_into(x, r);
      return *this;
    }
  }
  items_.push_back(canonical(r));
  return *this;
}

resource_set& resource_set::operator+=(const resource_set& other) {
  for (auto& r : other.items_)
    *this += r;
  return *this;
}

resource_set& resource_set::operator-=(const Resource& r) {
  if (is_empty(r))
    return *this;
  for (auto i = items_.begin(); i != items_.end(); ++i) {
    if (same_kind(*i, r)) {
      remove_from(*i, r);
      if (is_empty(*i))
        items_.erase(i);
      return *this;
    }
  }
  return *this;
}

resource_set& resource_set::operator-=(const resource_set& other) {
  for (auto& r : other.items_)
    *this -= r;
  return *this;
}

bool resource_set::contains(const Resource& r) const {
  if (is_empty(r))
    return true;
  for (auto& x : items_)
    if (same_kind(x, r))
      return covers(x, r);
  return false;
}

bool resource_set::contains(const resource_set& other) const {
  return std::all_of(other.items_.begin(), other.items_.end(),
                     [this](const Resource& r) { return contains(r); });
}

resource_set
resource_set::filter(const std::function<bool(const Resource&)>& keep) const {
  resource_set out;
  for (auto& r : items_)
    if (keep(r))
      out.items_.push_back(r);
  return out;
}

resource_set resource_set::allocated_to(std::string_view role) const {
  return filter([role](const Resource& r) {
    return !r.allocation_info || !r.allocation_info->role ||
           *r.allocation_info->role == role;
  });
}

resource_set resource_set::reserved_for(std::string_view role) const {
  return filter([role](const Resource& r) {
    return !is_unreserved(r) && reservation_role(r) == role;
  });
}

resource_set resource_set::unreserved() const {
  return filter([](const Resource& r) { return is_unreserved(r); });
}

double resource_set::scalar(std::string_view name) const {
  std::int64_t total = 0;
  for (auto& r : items_)
    if (r.name == name && r.type == value_type::scalar)
      total += to_fixed(r.scalar->value);
  return from_fixed(total);
}

Ranges resource_set::ranges(std::string_view name) const {
  Ranges out;
  for (auto& r : items_)
    if (r.name == name && r.type == value_type::ranges)
      out = ranges_union(out, *r.ranges);
  return out;
}

Resource scalar_resource(std::string name, double value) {
  Resource r;
  r.name = std::move(name);
  r.type = value_type::scalar;
  r.scalar = Scalar{round_scalar(value)};
  return r;
}

Resource ranges_resource(std::string name, Ranges value) {
  Resource r;
  r.name = std::move(name);
  r.type = value_type::ranges;
  r.ranges = normalize(std::move(value));
  return r;
}

Resource set_resource(std::string name, std::vector<std::string> items) {
  Resource r;
  r.name = std::move(name);
  r.type = value_type::set;
  r.set = Set{std::move(items)};
  return r;
}

} // namespace outrigger::protocol
