#include "sim/timer_queue.hpp"

namespace outrigger::sim {

timer_queue::id timer_queue::schedule(sim_time at, std::function<void()> fn) {
  auto key = next_id_++;
  live_.emplace(key, std::move(fn));
  heap_.push(entry{at, seq_++, key});
  return key;
}

void timer_queue::cancel(id t) {
  if (t != 0)
    live_.erase(t);
}

void timer_queue::drop_dead() const {
  while (!heap_.empty() && live_.count(heap_.top().key) == 0)
    heap_.pop();
}

std::optional<sim_time> timer_queue::next() const {
  drop_dead();
  if (heap_.empty())
    return std::nullopt;
  return heap_.top().at;
}

std::size_t timer_queue::run_until(sim_time now) {
  std::size_t ran = 0;
  for (;;) {
    drop_dead();
    if (heap_.empty() || heap_.top().at > now)
      return ran;
    auto key = heap_.top().key;
    heap_.pop();
    auto it = live_.find(key);
    auto fn = std::move(it->second);
    live_.erase(it);
    fn();
    ++ran;
  }
}

void timer_queue::clear() {
  live_.clear();
  heap_ = {};
}

} // namespace outrigger::sim
