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

std::optional<caf::timespan> reconnect_policy::on_failure() {
  if (failures_ < UINT_MAX)
    ++failures_;
  if (cfg_.max_reconnect != 0 && failures_ >= cfg_.max_reconnect)
    return std::nullopt;
  return jittered(base_delay(failures_));
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
