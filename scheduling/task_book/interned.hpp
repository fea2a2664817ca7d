#pragma once
// Interned strings for the few values that repeat across many tasks and
// offers (roles, queues, users, agent ids, hostnames, attribute names and
// values). 100,000 task records must fit in a few hundred bytes each beyond
// their command (the memory goal), so a record holds an 8-byte handle
// instead of a 32-byte std::string per repeated value; equality is a pointer
// comparison, which the matcher's group keys rely on.
//
// Handles are counted: a string leaves the pool when its last handle goes,
// so submitters that invent a new queue or user per task, or agents that
// come back under new ids for months, cannot grow the pool without bound.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace outrigger::scheduling {

/// One pooled string and the number of handles to it (internal).
struct interned_entry {
  std::string text;
  std::atomic<std::uint32_t> refs{0};
};

/// The entry of the empty string; never counted, never freed.
extern interned_entry interned_empty_entry;

/// A handle to a string in a process-wide pool. Thread-safe: copying a
/// handle is one atomic increment; interning takes the pool's lock once.
class interned {
public:
  /// The empty string (no lock: a constant).
  interned() noexcept : entry_(&interned_empty_entry) {
    // nop
  }

  /// Interns `text` (takes the pool's lock once).
  explicit interned(std::string_view text);

  interned(const interned& other) noexcept : entry_(other.entry_) { acquire(); }

  interned(interned&& other) noexcept : entry_(other.entry_) {
    other.entry_ = &interned_empty_entry;
  }

  interned& operator=(const interned& other) noexcept {
    if (entry_ != other.entry_) {
      release();
      entry_ = other.entry_;
      acquire();
    }
    return *this;
  }

  interned& operator=(interned&& other) noexcept {
    if (this != &other) {
      release();
      entry_ = other.entry_;
      other.entry_ = &interned_empty_entry;
    }
    return *this;
  }

  ~interned() { release(); }

  /// The string.
  const std::string& str() const noexcept { return entry_->text; }
  /// The string as a view (valid while a handle to it lives).
  std::string_view view() const noexcept { return entry_->text; }
  /// True for the empty string.
  bool empty() const noexcept { return entry_->text.empty(); }

  /// Same string (pointer comparison: one pool, one copy of each string).
  bool operator==(const interned& other) const noexcept {
    return entry_ == other.entry_;
  }

  /// A hash consistent with operator==.
  std::size_t hash() const noexcept { return std::hash<const void*>{}(entry_); }

private:
  void acquire() noexcept {
    if (entry_ != &interned_empty_entry)
      entry_->refs.fetch_add(1, std::memory_order_relaxed);
  }

  void release() noexcept {
    if (entry_ != &interned_empty_entry)
      release_slow();
  }

  // Drops one count; the last one removes the string under the pool's lock.
  void release_slow() noexcept;

  interned_entry* entry_;
};

/// Prints the string.
inline std::ostream& operator<<(std::ostream& os, const interned& s) {
  return os << s.str();
}

/// Number of distinct strings in the pool (for metrics and tests).
std::size_t interned_pool_size();

} // namespace outrigger::scheduling

template <>
struct std::hash<outrigger::scheduling::interned> {
  std::size_t
  operator()(const outrigger::scheduling::interned& s) const noexcept {
    return s.hash();
  }
};
