#pragma once
// The offer_matcher actor: holds offers (OFFERS, RESCIND) and the pending
// tasks the task book announces, and runs matching passes (coalesced: one
// pass for a burst of events). A pass's launches go to the book first
// (launch_gate_actor); the ACCEPTs go out only once the book has them on
// disk, so a crash in between is reconciled, never launched twice. DECLINE,
// REVIVE and SUPPRESS go out at once.

#include "actors/messages.hpp"
#include "scheduling/offer_matcher/offer_matcher_state.hpp"

#include <caf/actor_system.hpp>

namespace outrigger::scheduling {

/// Spawns the matcher. It passes no offers until the first link_up and asks
/// `gate` (the task book) before every ACCEPT.
offer_matcher_actor spawn_offer_matcher(caf::actor_system& sys,
                                        offer_matcher_config cfg,
                                        launch_gate_actor gate);

} // namespace outrigger::scheduling
