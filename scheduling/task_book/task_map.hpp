#pragma once
// A flat hash map from task id to a small value: open addressing, linear
// probing, backward-shift deletion. The matcher looks up, inserts and
// erases one entry per placed task; with 100,000 pending tasks a node-based
// std::unordered_map costs two cache misses and an allocation per operation,
// this one about one miss and none.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace outrigger::scheduling {

/// Map from non-zero 64-bit ids to V (default-constructible, movable).
template <class V>
class task_map {
public:
  /// Number of entries.
  std::size_t size() const noexcept { return size_; }

  /// The value of `key`, or null.
  V* find(std::uint64_t key) noexcept {
    if (size_ == 0)
      return nullptr;
    for (auto i = home(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key)
        return &vals_[i];
      if (keys_[i] == 0)
        return nullptr;
    }
  }
  const V* find(std::uint64_t key) const noexcept {
    return const_cast<task_map*>(this)->find(key);
  }

  /// True when `key` has a value.
  bool contains(std::uint64_t key) const noexcept {
    return find(key) != nullptr;
  }

  /// Sets the value of `key` (key != 0); returns it.
  V& insert_or_assign(std::uint64_t key, V value) {
    if ((size_ + 1) * 5 > keys_.size() * 4) // load factor 0.8
      grow();
    auto i = home(key);
    while (keys_[i] != 0 && keys_[i] != key)
      i = (i + 1) & mask_;
    if (keys_[i] == 0) {
      keys_[i] = key;
      ++size_;
    }
    vals_[i] = std::move(value);
    return vals_[i];
  }

  /// Removes `key`; false when absent.
  bool erase(std::uint64_t key) noexcept {
    if (size_ == 0)
      return false;
    auto i = home(key);
    while (keys_[i] != key) {
      if (keys_[i] == 0)
        return false;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later members of the run into the hole so that
    // lookups never need tombstones.
    for (auto j = (i + 1) & mask_; keys_[j] != 0; j = (j + 1) & mask_) {
      auto h = home(keys_[j]);
      bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
      if (movable) {
        keys_[i] = keys_[j];
        vals_[i] = std::move(vals_[j]);
        i = j;
      }
    }
    keys_[i] = 0;
    vals_[i] = V{};
    --size_;
    return true;
  }

  /// Gives memory back when mostly empty (100,000 pending tasks that all
  /// launched must not pin their table). Not done by erase, so that a table
  /// that empties and refills keeps its room.
  void shrink_if_sparse() {
    if (keys_.size() > 1024 && size_ * 8 < keys_.size())
      rehash(std::max<std::size_t>(1024, keys_.size() / 4));
  }

  /// Calls f(key, value) for every entry (unordered).
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0)
        f(keys_[i], vals_[i]);
  }

  /// Makes room for `n` entries without growing.
  void reserve(std::size_t n) {
    while (n * 5 > keys_.size() * 4)
      grow();
  }

  /// Removes everything.
  void clear() {
    keys_.clear();
    vals_.clear();
    mask_ = 0;
    size_ = 0;
  }

private:
  std::size_t home(std::uint64_t key) const noexcept {
    // Fibonacci hashing: sequential ids spread over the table.
    return static_cast<std::size_t>((key * 11400714819323198485ull) >> shift_) &
           mask_;
  }

  void grow() { rehash(keys_.empty() ? 16 : keys_.size() * 2); }

  void rehash(std::size_t capacity) {
    auto old_keys = std::move(keys_);
    auto old_vals = std::move(vals_);
    keys_.assign(capacity, 0);
    vals_.clear();
    vals_.resize(capacity);
    mask_ = capacity - 1;
    shift_ = 64;
    for (auto c = capacity; c > 1; c /= 2)
      --shift_;
    size_ = 0;
    for (std::size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != 0)
        insert_or_assign(old_keys[i], std::move(old_vals[i]));
  }

  std::vector<std::uint64_t> keys_;
  std::vector<V> vals_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

} // namespace outrigger::scheduling
