#pragma once
// The master_link actor: owns the connection to the leading Mesos master
// (see link_state for the decisions and the transport for the I/O). Thin:
// its behavior routes messages into link_state and carries out the effects.
//
// Wiring (app/serve.cpp): the task book is the framework id store and hears
// the UPDATEs; the matcher hears OFFERS and RESCINDs:
//   auto factory = make_http_transport(ioc, http_cfg);
//   leader_source_actor leaders;                       // zk:// only:
//   if (zk_cfg) leaders = zk::spawn_zk_detector(sys, *zk_cfg);
//   auto link = spawn_master_link(sys, cfg, framework_id_store_actor{book},
//                                 *factory, leaders,
//                                 {{link_listener_actor{book}, updates},
//                                  {link_listener_actor{matcher}, offers}});
//   anon_send(book, atom::connect_v, *link);    // and the same to the matcher
//   self->monitor(*link);   // down_msg.reason -> exit_status(reason)
// Shutdown: anon_send(*link, atom::disconnect_v) (or an exit message) closes
// the stream without teardown; atom::teardown tears the framework down.
// The link quits with an ec error when it gives up (reconnect budget spent,
// credentials rejected, framework removed with policy stop, ...); the app
// turns that reason into the process exit status with exit_status().

#include "actors/master_link/link_config.hpp"
#include "actors/master_link/transport.hpp"
#include "actors/messages.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <vector>

namespace outrigger::link {

/// A listener registered when the link is spawned.
struct link_subscriber {
  link_listener_actor listener;
  std::uint32_t mask = all_but_heartbeats; ///< see event_bit
};

/// Validates `cfg` and spawns the link. `leaders` is required for a zk://
/// master setting and ignored otherwise. The link starts at once: it loads
/// the framework id from `store` and subscribes. Listeners that must not
/// miss the first events (task book, offer matcher, status tracker) are
/// given here: one that subscribes later with atom::subscribe receives
/// link_up at once, but not the events that came before it.
caf::expected<master_link_actor>
spawn_master_link(caf::actor_system& sys, link_config cfg,
                  framework_id_store_actor store,
                  transport_factory make_transport,
                  leader_source_actor leaders = {},
                  std::vector<link_subscriber> listeners = {});

} // namespace outrigger::link
