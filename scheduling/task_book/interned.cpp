#include "scheduling/task_book/interned.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace outrigger::scheduling {

namespace {

// Entries hashed and compared by their text; transparent, so lookups by
// string_view need no temporary string.
struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
  std::size_t operator()(const interned_entry& e) const noexcept {
    return (*this)(std::string_view{e.text});
  }
};

struct text_equal {
  using is_transparent = void;
  static std::string_view text(std::string_view s) noexcept { return s; }
  static std::string_view text(const interned_entry& e) noexcept {
    return e.text;
  }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return text(a) == text(b);
  }
};

struct pool {
  static constexpr std::size_t min_sweep = 1024;

  std::mutex mtx;
  // Node-based: an entry keeps its address while the set rehashes, and its
  // text sits in the node (short strings inline), one cache miss a lookup.
  std::unordered_set<interned_entry, text_hash, text_equal> entries;
  // The next sweep runs when the pool reaches this many strings.
  std::size_t sweep_at = min_sweep;

  // Frees the strings no handle holds (called under mtx).
  void sweep() {
    for (auto i = entries.begin(); i != entries.end();) {
      if (i->refs.load(std::memory_order_acquire) == 0)
        i = entries.erase(i);
      else
        ++i;
    }
    sweep_at = std::max(min_sweep, 2 * entries.size());
  }
};

pool& the_pool() {
  // Never destroyed: handles in other statics may outlive it otherwise.
  static auto* p = new pool;
  return *p;
}

} // namespace

interned_entry interned_empty_entry;

interned::interned(std::string_view text) : entry_(&interned_empty_entry) {
  if (text.empty())
    return;
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  auto i = p.entries.find(text);
  if (i == p.entries.end()) {
    if (p.entries.size() >= p.sweep_at)
      p.sweep();
    i = p.entries.emplace(text).first;
  }
  // Increments from zero happen only here, under the lock, which is what
  // lets a sweep free the entries at zero safely under the same lock.
  i->refs.fetch_add(1, std::memory_order_relaxed);
  entry_ = &*i;
}

std::size_t interned_pool_size() {
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  return p.entries.size();
}

std::size_t interned_held() {
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  p.sweep();
  return p.entries.size();
}

} // namespace outrigger::scheduling
