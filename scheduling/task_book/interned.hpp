#pragma once
// Interned strings for the few values that repeat across many tasks and
// offers (roles, queues, users, agent ids, hostnames, attribute names and
// values). 100,000 task records must fit in a few hundred bytes each beyond
// their command (the memory goal), so a record holds an 8-byte handle
// instead of a 32-byte std::string per repeated value; equality is a pointer
// comparison, which the matcher's group keys rely on.
//
// Handles are counted and strings nobody holds are swept from the pool as
// it grows (it stays under twice the strings held, plus a constant), so
// submitters that invent a new queue or user per task, or agents that come
// back under new ids for months, cannot grow it without bound. The sweep is
// lazy so that a string dropped and interned again (an agent's id between
// two offers) is not freed and allocated each time.

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
  interned_entry() = default;
  explicit interned_entry(std::string_view t) : text(t) {}
  std::string text;
  /// Mutable: entries are elements of a set, keyed by their text only.
  mutable std::atomic<std::uint32_t> refs{0};
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
    // The entry is not touched after the decrement: only a sweep, under
    // the pool's lock, frees an entry once its count is zero, and only an
    // interning, under the same lock, may raise a count from zero.
    if (entry_ != &interned_empty_entry)
      entry_->refs.fetch_sub(1, std::memory_order_acq_rel);
  }

  const interned_entry* entry_;
};

/// Prints the string.
inline std::ostream& operator<<(std::ostream& os, const interned& s) {
  return os << s.str();
}

/// Number of distinct strings in the pool, held or not yet swept.
std::size_t interned_pool_size();

/// Number of distinct strings some handle holds (sweeps the pool first).
std::size_t interned_held();

} // namespace outrigger::scheduling

template <>
struct std::hash<outrigger::scheduling::interned> {
  std::size_t
  operator()(const outrigger::scheduling::interned& s) const noexcept {
    return s.hash();
  }
};
