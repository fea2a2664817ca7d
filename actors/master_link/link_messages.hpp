#pragma once
// What master_link sends to its listeners and callers: events, the
// subscription and its end, call outcomes; and the leader a detector reports.
// Part of the interfaces of actors/messages.hpp.

#include "actors/error.hpp"
#include "protocol/event.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace outrigger {

// == master_link: what listeners receive ======================================

/// An event from the master, shared read-only by all listeners (an OFFERS
/// event can be large; one copy serves everyone).
using event_ptr = std::shared_ptr<const protocol::Event>;

/// The link is subscribed: sent to listeners after the framework id is
/// stored durably, before any event of the new subscription.
struct subscription {
  std::string framework_id;
  std::string stream_id; ///< Mesos-Stream-Id of this subscription
  std::string leader;    ///< URL of the master that serves it
  caf::timespan heartbeat_interval{};
  bool new_framework = false; ///< the master assigned a new framework id
  bool operator==(const subscription&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription& x) {
  return f(caf::meta::type_name("subscription"), x.framework_id, x.stream_id,
           x.leader, x.heartbeat_interval, x.new_framework);
}

/// The master removed the framework (failover timeout passed or torn down
/// elsewhere): every task it owned is gone.
struct framework_removed {
  std::string framework_id; ///< the id that is no longer valid
  std::string message;      ///< the master's ERROR text
  bool operator==(const framework_removed&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, framework_removed& x) {
  return f(caf::meta::type_name("framework_removed"), x.framework_id,
           x.message);
}

/// Bit of an event type in a listener's event mask.
constexpr std::uint32_t event_bit(protocol::event_type t) noexcept {
  return std::uint32_t{1} << static_cast<unsigned>(t);
}

/// Every event type, HEARTBEAT included.
inline constexpr std::uint32_t all_events = 0xffffffffu;

/// Every event type except HEARTBEAT (which the link itself consumes).
inline constexpr std::uint32_t all_but_heartbeats =
  all_events & ~event_bit(protocol::event_type::heartbeat);

// == master_link: calls =======================================================

/// The HTTP outcome of a call (any status: 202, 400 with the master's text,
/// 403 while disconnected...). Calls that got no response fail with an error
/// instead (call_timeout, call_failed, not_subscribed, overloaded).
struct call_outcome {
  std::uint16_t status = 0;
  std::string body;        ///< the response body, at most 64 KiB
  caf::timespan latency{}; ///< request sent to response received
  bool operator==(const call_outcome&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_outcome& x) {
  return f(caf::meta::type_name("call_outcome"), x.status, x.body, x.latency);
}

// == leader detection =========================================================

/// The leading master as a detector sees it; `url` is empty when there is
/// no leader.
struct leader_info {
  std::string url;       ///< e.g. "http://10.0.0.5:5050"
  std::string master_id; ///< MasterInfo.id
  std::string node;      ///< e.g. "json.info_0000000003"
  bool operator==(const leader_info&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leader_info& x) {
  return f(caf::meta::type_name("leader_info"), x.url, x.master_id, x.node);
}

} // namespace outrigger

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::event_ptr)
