#pragma once
// The zk_detector actor: watches the masters' group node in ZooKeeper and
// tells its listeners (master_link) who leads, at once on subscription and
// on every change, "no leader" included. It survives connection loss (the
// client reconnects within the session) and session expiry (it opens a new
// session and sets its watches again). ZooKeeper's threads only anon_send
// into it.

#include "actors/messages.hpp"
#include "actors/zk_detector/zk_detector_state.hpp"

#include <caf/actor_system.hpp>

namespace outrigger::zk {

/// Spawns the detector. It is detached (own thread): creating and closing a
/// ZooKeeper session can block.
zk_detector_actor spawn_zk_detector(caf::actor_system& sys, zk_config cfg);

} // namespace outrigger::zk
