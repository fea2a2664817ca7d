#pragma once
// Helpers for the master_link tests: events as the master sends them, and
// lookups in a list of link_state effects.

#include "actors/master_link/master_address.hpp"
#include "actors/master_link/master_link_state.hpp"
#include "protocol/event.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace outrigger::test {

/// SUBSCRIBED with a framework id and a heartbeat interval.
inline event_ptr subscribed_event(std::string id, double heartbeat = 15.0) {
  auto e = std::make_shared<protocol::Event>();
  e->type = protocol::event_type::subscribed;
  e->subscribed = protocol::Subscribed{protocol::FrameworkID{std::move(id)},
                                       heartbeat, std::nullopt};
  return e;
}

/// An event of a type without payload (HEARTBEAT, ...).
inline event_ptr plain_event(protocol::event_type type) {
  auto e = std::make_shared<protocol::Event>();
  e->type = type;
  return e;
}

/// HEARTBEAT.
inline event_ptr heartbeat_event() {
  return plain_event(protocol::event_type::heartbeat);
}

/// OFFERS with one offer `id`.
inline event_ptr offers_event(std::string id) {
  auto e = std::make_shared<protocol::Event>();
  e->type = protocol::event_type::offers;
  protocol::Offer offer;
  offer.id = protocol::OfferID{std::move(id)};
  e->offers = protocol::Offers{{offer}};
  return e;
}

/// ERROR with a message.
inline event_ptr error_event(std::string message) {
  auto e = std::make_shared<protocol::Event>();
  e->type = protocol::event_type::error;
  e->error = protocol::Error{std::move(message)};
  return e;
}

/// A SUBSCRIBE response head.
inline stream_head head(std::uint64_t gen, std::uint16_t status,
                        std::string stream_id = {}, std::string location = {},
                        std::string body = {}) {
  return stream_head{gen, status, std::move(stream_id), std::move(location),
                     std::move(body)};
}

/// A call result.
inline call_result result(std::uint64_t id, std::uint16_t status,
                          std::string body = {}, std::string error = {}) {
  return call_result{id, status, std::move(body), std::move(error)};
}

/// Every effect of type T, in order.
template <class T>
std::vector<T> all(const link::effects& fx) {
  std::vector<T> out;
  for (auto& e : fx)
    if (auto* x = std::get_if<T>(&e))
      out.push_back(*x);
  return out;
}

/// True when an effect of type T is present.
template <class T>
bool has(const link::effects& fx) {
  return !all<T>(fx).empty();
}

/// The position of the first effect of type T, or -1.
template <class T>
int index_of(const link::effects& fx) {
  for (size_t i = 0; i < fx.size(); ++i)
    if (std::holds_alternative<T>(fx[i]))
      return static_cast<int>(i);
  return -1;
}

/// The first timer of `kind`, if any.
inline std::optional<link::fx::start_timer> timer_of(const link::effects& fx,
                                                     link::timer kind) {
  for (auto& t : all<link::fx::start_timer>(fx))
    if (t.kind == kind)
      return t;
  return std::nullopt;
}

/// A link_state with a clock the test moves; each suite adds its own ways
/// to drive it.
struct link_harness {
  link::link_config cfg;
  caf::actor_clock::time_point now{};
  std::unique_ptr<link::link_state> st;

  explicit link_harness(link::link_config c) : cfg(std::move(c)) {
    auto addrs = link::parse_master_addresses(cfg.master);
    REQUIRE(addrs);
    st =
      std::make_unique<link::link_state>(cfg, *addrs, [this] { return now; });
  }

  /// Fires the pending retry timer found in `fx`; returns its effects.
  link::effects fire_retry(const link::effects& fx) {
    auto t = timer_of(fx, link::timer::retry);
    REQUIRE(t);
    return st->on_timer(link::timer::retry, t->token);
  }
};

} // namespace outrigger::test
