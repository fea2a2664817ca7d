#include "scheduling/task_book/interned.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace outrigger::scheduling {

namespace {

// Transparent hashing lets lookups by string_view avoid a temporary string.
struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct pool {
  std::mutex mtx;
  // Keys view their entry's text; entries live on the heap so handles keep
  // their address while the map rehashes.
  std::unordered_map<std::string_view, std::unique_ptr<interned_entry>,
                     text_hash, std::equal_to<>>
    entries;
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
    auto e = std::make_unique<interned_entry>();
    e->text.assign(text);
    std::string_view key = e->text;
    i = p.entries.emplace(key, std::move(e)).first;
  }
  // Increments from zero happen only here, under the lock, which is what
  // lets release_slow decide "last handle" safely under the same lock.
  i->second->refs.fetch_add(1, std::memory_order_relaxed);
  entry_ = i->second.get();
}

void interned::release_slow() noexcept {
  // Fast path: not the last handle, so no one can be freeing the entry.
  auto n = entry_->refs.load(std::memory_order_relaxed);
  while (n > 1) {
    if (entry_->refs.compare_exchange_weak(n, n - 1, std::memory_order_release,
                                           std::memory_order_relaxed))
      return;
  }
  // Possibly the last: decide under the lock, where no new handle can appear
  // except by copying one that is still counted.
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  if (entry_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    p.entries.erase(std::string_view{entry_->text});
}

std::size_t interned_pool_size() {
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  return p.entries.size();
}

} // namespace outrigger::scheduling
