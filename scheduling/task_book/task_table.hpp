#pragma once
// The task book's tasks by id. Ids are handed out in increasing order and
// the oldest terminal tasks are forgotten first, so a deque of slots indexed
// by `id - base` holds them without the 50-odd bytes per task a tree node
// costs (the memory goal: 100,000 tasks in 100 MB). The interface is
// the part of std::map the book uses; elements are map-like pairs.

#include "scheduling/task_book/task.hpp"

#include <cstddef>
#include <deque>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace outrigger::scheduling {

/// Tasks by id, in id order.
class task_table {
public:
  using value_type = std::pair<const task_id, task_record>;

  /// Walks the present tasks in id order. It holds an id, not a slot, so
  /// erasing other tasks (which may shift the slots) leaves it valid, as
  /// with std::map.
  template <bool Const>
  class basic_iterator {
  public:
    using table_ptr = std::conditional_t<Const, const task_table*, task_table*>;
    using reference = std::conditional_t<Const, const value_type&, value_type&>;
    using pointer = std::conditional_t<Const, const value_type*, value_type*>;
    using iterator_category = std::forward_iterator_tag;
    using difference_type = std::ptrdiff_t;

    basic_iterator() = default;
    basic_iterator(table_ptr t, task_id pos) : t_(t), pos_(pos) { skip(); }
    reference operator*() const { return *t_->slots_[pos_ - t_->base_]; }
    pointer operator->() const { return &**this; }
    basic_iterator& operator++() {
      ++pos_;
      skip();
      return *this;
    }
    bool operator==(const basic_iterator& o) const {
      return at_end() ? o.at_end() : pos_ == o.pos_;
    }

  private:
    bool at_end() const { return pos_ >= t_->base_ + t_->slots_.size(); }
    void skip() {
      if (pos_ < t_->base_)
        pos_ = t_->base_;
      while (!at_end() && !t_->slots_[pos_ - t_->base_])
        ++pos_;
    }
    table_ptr t_ = nullptr;
    task_id pos_ = 0;
  };
  using iterator = basic_iterator<false>;
  using const_iterator = basic_iterator<true>;

  iterator begin() { return {this, base_}; }
  iterator end() { return {this, base_ + slots_.size()}; }
  const_iterator begin() const { return {this, base_}; }
  const_iterator end() const { return {this, base_ + slots_.size()}; }

  /// Number of tasks.
  std::size_t size() const noexcept { return count_; }

  /// The task `id`, or end().
  iterator find(task_id id) { return {this, present(id) ? id : past()}; }
  const_iterator find(task_id id) const {
    return {this, present(id) ? id : past()};
  }

  /// The task `id`; throws std::out_of_range when absent.
  task_record& at(task_id id) {
    return const_cast<task_record&>(std::as_const(*this).at(id));
  }
  const task_record& at(task_id id) const {
    auto i = find(id);
    if (i == end())
      throw std::out_of_range("no task " + std::to_string(id));
    return i->second;
  }

  /// The first task with an id greater than `id`.
  const_iterator upper_bound(task_id id) const {
    return {this, std::min(id + 1, past())};
  }

  /// Inserts `t` as task `id` unless present; ids below the first present
  /// one are refused (they were forgotten).
  std::pair<iterator, bool> emplace(task_id id, task_record t) {
    if (slots_.empty() && count_ == 0)
      base_ = id;
    if (id < base_)
      throw std::out_of_range("task id " + std::to_string(id) +
                              " is below the table");
    auto i = static_cast<std::size_t>(id - base_);
    if (i < slots_.size() && slots_[i])
      return {iterator{this, id}, false};
    if (i >= slots_.size())
      slots_.resize(i + 1);
    slots_[i].emplace(id, std::move(t));
    ++count_;
    return {iterator{this, id}, true};
  }

  /// Removes the task at `pos`.
  void erase(iterator pos) {
    slots_[pos->first - base_].reset();
    --count_;
    // Forgotten tasks are the oldest: the front empties and is dropped.
    while (!slots_.empty() && !slots_.front()) {
      slots_.pop_front();
      ++base_;
    }
    if (slots_.empty())
      base_ = 1;
  }

  /// Same tasks with the same content.
  bool operator==(const task_table& o) const {
    if (count_ != o.count_)
      return false;
    auto a = begin();
    auto b = o.begin();
    for (; a != end(); ++a, ++b)
      if (a->first != b->first || !(a->second == b->second))
        return false;
    return true;
  }

private:
  bool present(task_id id) const {
    return id >= base_ && id - base_ < slots_.size() && slots_[id - base_];
  }
  task_id past() const { return base_ + slots_.size(); }

  std::deque<std::optional<value_type>> slots_;
  task_id base_ = 1;
  std::size_t count_ = 0;
};

} // namespace outrigger::scheduling
