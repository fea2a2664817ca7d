#pragma once
// Placement constraints as Marathon has them: on "hostname" or an agent
// attribute, EQUALS / LIKE / UNLIKE a value, UNIQUE or MAX_PER n. The
// counting operators count the tasks of the same queue already on each
// value (running ones and those placed in the current pass).

#include "protocol/resource.hpp"
#include "scheduling/task_book/task.hpp"

#include <memory>
#include <optional>
#include <regex>
#include <unordered_map>
#include <vector>

namespace outrigger::scheduling {

/// The attributes of an agent as text, e.g. rack=r1, zone=a, cores=16.
struct agent_attributes {
  std::vector<std::pair<interned, interned>> values; ///< name, value

  /// The value of attribute `name`, or null if the agent lacks it.
  const interned* find(const interned& name) const noexcept;
};

/// The text of an attribute value, as constraints compare it: a text as is,
/// a scalar without trailing zeros ("2", "1.5"), ranges as "[1-2,5-9]", a
/// set as "{a,b}".
std::string attribute_text(const protocol::Attribute& attribute);

/// Builds agent_attributes from an offer's attributes.
std::shared_ptr<const agent_attributes>
make_agent_attributes(const std::vector<protocol::Attribute>& attributes);

/// Where a task runs (or is about to): what constraints look at.
struct placement_site {
  interned agent_id;
  interned hostname;
  std::shared_ptr<const agent_attributes> attributes; ///< may be null
  interned agent_url; ///< "scheme://ip-or-host:port" from the offer's url
};

/// The value a constraint on `field` sees on a site: the hostname for
/// "hostname", else the attribute; null when the agent lacks it. A pointer,
/// not a copy: copying a handle costs an atomic increment, and this runs
/// per offer and constraint in every pass.
const interned* field_value(const interned& field,
                            const placement_site& site) noexcept;

/// A constraint ready for evaluation: LIKE / UNLIKE compiled once, their
/// results cached per value (agents of a cluster share few values).
class compiled_constraint {
public:
  explicit compiled_constraint(placement_constraint c);

  /// The constraint.
  const placement_constraint& spec() const noexcept { return c_; }

  /// EQUALS / LIKE / UNLIKE on a value; always true for the counting
  /// operators. A missing attribute fails EQUALS and LIKE, passes UNLIKE.
  bool matches(const interned* value);

private:
  placement_constraint c_;
  std::optional<std::regex> re_;
  std::unordered_map<interned, bool> cache_;
};

/// Tasks per (queue, field, value) for the counting constraints. Only the
/// (queue, field) pairs some pending task constrains are counted.
class placement_counts {
public:
  /// True when (queue, field) is counted.
  bool tracked(const interned& queue, const interned& field) const;

  /// Starts counting (queue, field) over the sites of the queue's tasks.
  void track(const interned& queue, const interned& field,
             const std::vector<const placement_site*>& sites);

  /// A task of `queue` arrived on (delta +1) or left (delta -1) `site`.
  void add(const interned& queue, const placement_site& site, int delta);

  /// Tasks of `queue` whose `field` has `value`.
  std::uint32_t count(const interned& queue, const interned& field,
                      const interned& value) const;

private:
  struct key {
    interned queue, field, value;
    bool operator==(const key&) const = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const noexcept {
      return k.queue.hash() * 31 + k.field.hash() * 17 + k.value.hash();
    }
  };
  std::unordered_map<interned, std::vector<interned>> fields_; // by queue
  std::unordered_map<key, std::uint32_t, key_hash> counts_;
};

} // namespace outrigger::scheduling
