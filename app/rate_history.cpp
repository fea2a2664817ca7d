#include "app/rate_history.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace outrigger::app {

namespace {

std::string rfc3339(rate_history::clock::time_point t) {
  auto secs = rate_history::clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::uint64_t growth(std::uint64_t now, std::uint64_t before) {
  return now >= before ? now - before : now;
}

} // namespace

rate_history::rate_history(clock::time_point started,
                           std::chrono::seconds interval, std::size_t slots)
  : started_(started), interval_(interval), slots_(slots == 0 ? 1 : slots) {}

std::int64_t rate_history::index_of(clock::time_point t) const {
  auto s =
    std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
  return s / interval_.count();
}

void rate_history::record(clock::time_point now, const activity_totals& t,
                          double oldest_pending_seconds) {
  std::lock_guard<std::mutex> guard{mutex_};
  oldest_pending_ = oldest_pending_seconds;
  if (!have_base_) {
    have_base_ = true;
    last_ = t;
    return;
  }
  auto idx = index_of(now);
  auto& s = slots_[static_cast<std::size_t>(idx) % slots_.size()];
  if (s.index != idx)
    s = slot{idx, {}}; // the slot held an interval older than the window
  s.counts.launches += growth(t.launches, last_.launches);
  s.counts.finishes += growth(t.finishes, last_.finishes);
  s.counts.failures += growth(t.failures, last_.failures);
  last_ = t;
}

std::string rate_history::to_json(clock::time_point now) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto current = index_of(now);
  auto n = static_cast<std::int64_t>(slots_.size());
  auto intervals = nlohmann::json::array();
  for (auto idx = current - n + 1; idx <= current; ++idx) {
    auto& s = slots_[static_cast<std::size_t>(idx % n)];
    activity_totals c = s.index == idx ? s.counts : activity_totals{};
    clock::time_point start{std::chrono::seconds{idx * interval_.count()}};
    intervals.push_back({{"start", rfc3339(start)},
                         {"launches", c.launches},
                         {"finishes", c.finishes},
                         {"failures", c.failures}});
  }
  auto uptime =
    std::chrono::duration_cast<std::chrono::seconds>(now - started_).count();
  nlohmann::json j{{"started_at", rfc3339(started_)},
                   {"uptime_seconds", uptime < 0 ? 0 : uptime},
                   {"oldest_pending_seconds", oldest_pending_},
                   {"interval_seconds", interval_.count()},
                   {"intervals", std::move(intervals)}};
  return j.dump();
}

activity_totals totals_of(
  std::uint64_t launches,
  const std::vector<std::pair<std::string, std::uint64_t>>& results_by_state) {
  activity_totals t;
  t.launches = launches;
  for (auto& [state, n] : results_by_state) {
    if (state == "FINISHED")
      t.finishes += n;
    else if (state != "KILLED") // a kill was asked for: not a failure
      t.failures += n;
  }
  return t;
}

} // namespace outrigger::app
