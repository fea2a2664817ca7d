#pragma once
// Task ids by client key in about 20 bytes per task (the goal is 100,000
// tasks in 100 MB): a flat table from the key's 64-bit hash to the id. The
// key itself stays in the task's spec, where a lookup compares it. Two keys
// with the same hash (practically never) go to a small side map.

#include "scheduling/task_book/task.hpp"
#include "scheduling/task_book/task_map.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace outrigger::scheduling {

/// The hash key_index uses (never 0, the table's empty marker).
struct key_hash {
  std::uint64_t operator()(std::string_view key) const noexcept {
    auto h = static_cast<std::uint64_t>(std::hash<std::string_view>{}(key));
    return h == 0 ? 1 : h;
  }
};

/// Maps client keys to task ids; `key_of(id)` must give a known id's key.
/// `Hash` is a parameter so that tests can make every key collide.
template <class Hash = key_hash>
class basic_key_index {
public:
  /// The id of `key`, if known.
  template <class KeyOf>
  std::optional<task_id> find(std::string_view key, KeyOf&& key_of) const {
    if (auto* id = flat_.find(hash(key)); id && key_of(*id) == key)
      return *id;
    if (collisions_.empty())
      return std::nullopt;
    auto i = collisions_.find(std::string{key});
    return i == collisions_.end() ? std::nullopt : std::optional{i->second};
  }

  /// Adds (or replaces) `key`.
  template <class KeyOf>
  void insert(std::string_view key, task_id id, KeyOf&& key_of) {
    auto h = hash(key);
    auto* existing = flat_.find(h);
    if (!existing || key_of(*existing) == key)
      flat_.insert_or_assign(h, id);
    else
      collisions_[std::string{key}] = id;
  }

  /// Removes `key`, which belongs to `id`.
  template <class KeyOf>
  void erase(std::string_view key, task_id id, KeyOf&& key_of) {
    auto h = hash(key);
    auto* existing = flat_.find(h);
    if (!existing || *existing != id) {
      collisions_.erase(std::string{key});
      return;
    }
    flat_.erase(h);
    // A key of the same hash waiting on the side takes the free place.
    for (auto i = collisions_.begin(); i != collisions_.end(); ++i)
      if (hash(i->first) == h) {
        flat_.insert_or_assign(h, i->second);
        collisions_.erase(i);
        break;
      }
    (void)key_of;
  }

  /// Number of keys.
  std::size_t size() const noexcept {
    return flat_.size() + collisions_.size();
  }

private:
  static std::uint64_t hash(std::string_view key) noexcept {
    return Hash{}(key);
  }

  task_map<task_id> flat_;
  std::unordered_map<std::string, task_id> collisions_;
};

/// The task book's key index.
using key_index = basic_key_index<>;

} // namespace outrigger::scheduling
