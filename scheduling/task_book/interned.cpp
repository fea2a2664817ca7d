#include "scheduling/task_book/interned.hpp"

#include <mutex>
#include <unordered_set>

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
  // Node-based: element addresses stay valid as the set grows.
  std::unordered_set<std::string, text_hash, std::equal_to<>> strings;
};

pool& the_pool() {
  // Never destroyed: handles may outlive static destruction order.
  static auto* p = new pool;
  return *p;
}

} // namespace

const std::string interned_empty;

interned::interned(std::string_view text) {
  if (text.empty()) {
    text_ = &interned_empty;
    return;
  }
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  auto i = p.strings.find(text);
  if (i == p.strings.end())
    i = p.strings.emplace(text).first;
  text_ = &*i;
}

std::size_t interned_pool_size() {
  auto& p = the_pool();
  std::lock_guard guard{p.mtx};
  return p.strings.size();
}

} // namespace outrigger::scheduling
