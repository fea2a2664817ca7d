#include "actors/master_link/reconnect_policy.hpp"

#include "actors/error.hpp"

#include <climits>

namespace outrigger::link {

caf::error validate(const backoff_config& cfg) {
  if (cfg.floor <= caf::timespan::zero())
    return caf::make_error(ec::bad_config, "backoff floor must be positive");
  if (cfg.cap < cfg.floor)
    return caf::make_error(ec::bad_config,
                           "backoff cap must not be below the floor");
  if (!(cfg.jitter >= 0.0 && cfg.jitter <= 0.9))
    return caf::make_error(ec::bad_config,
                           "backoff jitter must lie in [0, 0.9]");
  if (cfg.outage_timeout < caf::timespan::zero())
    return caf::make_error(ec::bad_config,
                           "outage_timeout must not be negative");
  if (cfg.not_ready_interval <= caf::timespan::zero())
    return caf::make_error(ec::bad_config,
                           "not_ready_interval must be positive");
  if (cfg.not_ready_window < caf::timespan::zero())
    return caf::make_error(ec::bad_config,
                           "not_ready_window must not be negative");
  return {};
}

namespace {

std::uint64_t seed_of(const backoff_config& cfg) {
  if (cfg.seed != 0)
    return cfg.seed;
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

} // namespace

reconnect_policy::reconnect_policy(backoff_config cfg)
  : cfg_(cfg), rng_(seed_of(cfg)) {
  // nop
}

void reconnect_policy::begin_outage(time_point now) {
  if (!since_)
    since_ = now;
}

std::optional<caf::timespan>
reconnect_policy::within_outage(time_point now, caf::timespan delay) {
  begin_outage(now);
  if (cfg_.outage_timeout <= caf::timespan::zero())
    return delay;
  auto deadline = *since_ + cfg_.outage_timeout;
  if (now >= deadline) {
    timed_out_ = true;
    return std::nullopt;
  }
  auto left = std::chrono::duration_cast<caf::timespan>(deadline - now);
  return delay < left ? delay : left;
}

std::optional<caf::timespan> reconnect_policy::on_failure(time_point now) {
  if (failures_ < UINT_MAX)
    ++failures_;
  not_ready_since_.reset(); // a failure ends a streak of "not yet"
  if (cfg_.max_reconnect != 0 && failures_ >= cfg_.max_reconnect) {
    timed_out_ = false;
    return std::nullopt;
  }
  return within_outage(now, jittered(base_delay(failures_)));
}

std::optional<caf::timespan> reconnect_policy::on_not_ready(time_point now) {
  if (!not_ready_since_)
    not_ready_since_ = now;
  if (now - *not_ready_since_ < cfg_.not_ready_window)
    return within_outage(now, cfg_.not_ready_interval);
  // The master has been "about to be ready" for too long: back off (it
  // still does not count against max_reconnect).
  auto n = failures_ < UINT_MAX ? failures_ + 1 : failures_;
  return within_outage(now, jittered(base_delay(n)));
}

void reconnect_policy::on_leader_change() noexcept {
  failures_ = 0;
  not_ready_since_.reset();
}

void reconnect_policy::on_success() noexcept {
  failures_ = 0;
  since_.reset();
  not_ready_since_.reset();
  timed_out_ = false;
}

caf::timespan reconnect_policy::after_drop() {
  return jittered(cfg_.floor);
}

unsigned reconnect_policy::remaining() const noexcept {
  if (cfg_.max_reconnect == 0)
    return UINT_MAX;
  return failures_ >= cfg_.max_reconnect ? 0 : cfg_.max_reconnect - failures_;
}

caf::timespan reconnect_policy::base_delay(unsigned n) const noexcept {
  auto d = cfg_.floor;
  for (unsigned i = 1; i < n && d < cfg_.cap; ++i)
    d *= 2;
  return d < cfg_.cap ? d : cfg_.cap;
}

caf::timespan reconnect_policy::jittered(caf::timespan base) {
  std::uniform_real_distribution<double> u{0.0, 1.0};
  auto factor = 1.0 - cfg_.jitter * u(rng_);
  auto ns = static_cast<double>(base.count()) * factor;
  auto d = caf::timespan{static_cast<caf::timespan::rep>(ns)};
  return d > caf::timespan::zero() ? d : caf::timespan{1};
}

} // namespace outrigger::link
