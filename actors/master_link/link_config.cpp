#include "actors/master_link/link_config.hpp"

#include "actors/error.hpp"
#include "actors/master_link/master_address.hpp"

namespace outrigger::link {

protocol::FrameworkInfo default_framework_info(std::string name,
                                               std::string user) {
  using protocol::framework_capability;
  protocol::FrameworkInfo info;
  info.name = std::move(name);
  info.user = std::move(user);
  info.failover_timeout = 7.0 * 24 * 3600; // one week
  info.checkpoint = true;
  info.roles = {"*"};
  for (auto c : {framework_capability::partition_aware,
                 framework_capability::task_killing_state,
                 framework_capability::multi_role})
    info.capabilities.push_back(protocol::FrameworkCapability{c});
  return info;
}

caf::error validate(const link_config& cfg) {
  auto bad = [](std::string what) {
    return caf::make_error(ec::bad_config, std::move(what));
  };
  if (auto addrs = parse_master_addresses(cfg.master, cfg.https); !addrs)
    return addrs.error();
  if (auto err = validate(cfg.backoff))
    return err;
  if (cfg.framework.name.empty())
    return bad("the framework name is empty");
  if (cfg.framework.user.empty())
    return bad("the framework user is empty");
  if (cfg.framework.has_capability(
        protocol::framework_capability::multi_role) &&
      cfg.framework.roles.empty())
    return bad("a MULTI_ROLE framework needs at least one role");
  if (cfg.max_missed_heartbeats == 0)
    return bad("max_missed_heartbeats must be at least 1");
  if (cfg.default_heartbeat <= caf::timespan::zero())
    return bad("default_heartbeat must be positive");
  if (cfg.subscribe_timeout <= caf::timespan::zero())
    return bad("subscribe_timeout must be positive");
  if (cfg.call_timeout <= caf::timespan::zero())
    return bad("call_timeout must be positive");
  if (cfg.max_in_flight == 0)
    return bad("max_in_flight must be at least 1");
  if (cfg.max_outstanding_acks == 0)
    return bad("max_outstanding_acks must be at least 1");
  if (cfg.max_redirects > 100)
    return bad("max_redirects must be at most 100");
  return {};
}

} // namespace outrigger::link
