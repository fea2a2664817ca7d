#include "scheduling/offer_matcher/constraints.hpp"

#include <algorithm>
#include <cstdio>

namespace outrigger::scheduling {

const interned* agent_attributes::find(const interned& name) const noexcept {
  for (auto& [n, v] : values)
    if (n == name)
      return &v;
  return nullptr;
}

std::string attribute_text(const protocol::Attribute& a) {
  using vt = protocol::value_type;
  switch (a.type) {
    case vt::scalar: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f", a.scalar ? a.scalar->value : 0.0);
      std::string s = buf;
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.')
        s.pop_back();
      return s;
    }
    case vt::ranges: {
      std::string s = "[";
      if (a.ranges)
        for (auto& r : a.ranges->range)
          s += (s.size() > 1 ? "," : "") + std::to_string(r.begin) + "-" +
               std::to_string(r.end);
      return s + "]";
    }
    case vt::set: {
      std::string s = "{";
      if (a.set)
        for (auto& x : a.set->item)
          s += (s.size() > 1 ? "," : "") + x;
      return s + "}";
    }
    default:
      return a.text ? a.text->value : std::string{};
  }
}

std::shared_ptr<const agent_attributes>
make_agent_attributes(const std::vector<protocol::Attribute>& attributes) {
  auto out = std::make_shared<agent_attributes>();
  for (auto& a : attributes)
    out->values.emplace_back(interned{a.name}, interned{attribute_text(a)});
  return out;
}

namespace {

// Interned once at start-up: no guard check on every evaluation.
const interned hostname_field{"hostname"};

} // namespace

const interned* field_value(const interned& field,
                            const placement_site& site) noexcept {
  if (field == hostname_field)
    return &site.hostname;
  if (!site.attributes)
    return nullptr;
  return site.attributes->find(field);
}

compiled_constraint::compiled_constraint(placement_constraint c)
  : c_(std::move(c)) {
  if (c_.op == constraint_op::like || c_.op == constraint_op::unlike)
    re_.emplace(c_.value, std::regex::ECMAScript | std::regex::optimize);
}

bool compiled_constraint::matches(const interned* value) {
  switch (c_.op) {
    case constraint_op::equals:
      return value && value->view() == c_.value;
    case constraint_op::like:
    case constraint_op::unlike: {
      if (!value)
        return c_.op == constraint_op::unlike;
      auto [i, fresh] = cache_.try_emplace(*value, false);
      if (fresh)
        i->second = std::regex_match(value->str(), *re_);
      return c_.op == constraint_op::like ? i->second : !i->second;
    }
    default:
      return true;
  }
}

bool placement_counts::tracked(const interned& queue,
                               const interned& field) const {
  auto i = fields_.find(queue);
  return i != fields_.end() && std::find(i->second.begin(), i->second.end(),
                                         field) != i->second.end();
}

void placement_counts::track(const interned& queue, const interned& field,
                             const std::vector<const placement_site*>& sites) {
  if (tracked(queue, field))
    return;
  fields_[queue].push_back(field);
  for (auto* site : sites)
    if (auto v = field_value(field, *site))
      ++counts_[key{queue, field, *v}];
}

void placement_counts::add(const interned& queue, const placement_site& site,
                           int delta) {
  auto i = fields_.find(queue);
  if (i == fields_.end())
    return;
  for (auto& field : i->second) {
    auto v = field_value(field, site);
    if (!v)
      continue;
    auto& n = counts_[key{queue, field, *v}];
    n = delta > 0 ? n + 1 : (n > 0 ? n - 1 : 0);
  }
}

std::uint32_t placement_counts::count(const interned& queue,
                                      const interned& field,
                                      const interned& value) const {
  auto i = counts_.find(key{queue, field, value});
  return i == counts_.end() ? 0 : i->second;
}

} // namespace outrigger::scheduling
