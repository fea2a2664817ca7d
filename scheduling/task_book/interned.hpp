#pragma once
// Interned strings for the few values that repeat across many tasks and
// offers (roles, queues, users, agent ids, hostnames, attribute names and
// values). 100,000 task records must fit in a few hundred bytes each beyond
// their command (the memory goal), so a record holds an 8-byte handle
// instead of a 32-byte std::string per repeated value; equality is a pointer
// comparison, which the matcher's group keys rely on.

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace outrigger::scheduling {

/// The empty string every default-constructed handle points to.
extern const std::string interned_empty;

/// A handle to a string in a process-wide pool. The pool only grows: it is
/// meant for values drawn from small sets (roles, agents of one cluster),
/// never for per-task values such as keys or commands. Thread-safe.
class interned {
public:
  /// The empty string (no lock: a constant).
  interned() noexcept : text_(&interned_empty) {
    // nop
  }

  /// Interns `text` (takes the pool's lock once).
  explicit interned(std::string_view text);

  /// The string.
  const std::string& str() const noexcept { return *text_; }
  /// The string as a view.
  std::string_view view() const noexcept { return *text_; }
  /// True for the empty string.
  bool empty() const noexcept { return text_->empty(); }

  /// Same string (pointer comparison: one pool, one copy of each string).
  bool operator==(const interned& other) const noexcept {
    return text_ == other.text_;
  }

  /// A hash consistent with operator==.
  std::size_t hash() const noexcept { return std::hash<const void*>{}(text_); }

private:
  const std::string* text_;
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
