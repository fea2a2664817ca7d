#pragma once
// Settings of master_link. The defaults follow design.md, contract 11 (defaults
// that make restarts safe): a long failover_timeout, checkpointing, and the
// capabilities a modern framework needs.

#include "actors/master_link/reconnect_policy.hpp"
#include "protocol/framework_info.hpp"

#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace outrigger::link {

/// What to do when the master says the framework was removed.
enum class removed_policy : std::uint8_t {
  /// Forget the id, report the tasks gone, subscribe as a new framework.
  new_framework,
  /// Forget the id, report the tasks gone, stop with ec::framework_removed.
  stop,
};

/// Settings of master_link.
struct link_config {
  /// Masters: "host:port,https://host:port" or "zk://h:2181,h2:2181/mesos".
  std::string master;
  /// Scheme for list entries written without one.
  bool https = false;
  /// The framework; its `id` is ignored (the framework id store has it).
  protocol::FrameworkInfo framework;
  /// Roles subscribed as suppressed.
  std::vector<std::string> suppressed_roles;
  /// Reconnect budget (max_reconnect) and backoff.
  backoff_config backoff;
  /// 307 hops followed in one attempt before it counts as failed.
  unsigned max_redirects = 5;
  /// Silent heartbeat periods after which the stream is declared dead.
  unsigned max_missed_heartbeats = 3;
  /// Heartbeat period assumed when SUBSCRIBED carries none.
  caf::timespan default_heartbeat = std::chrono::seconds{15};
  /// From sending SUBSCRIBE to receiving SUBSCRIBED (per attempt, also the
  /// time a zk:// link waits for a leader before counting a failure).
  caf::timespan subscribe_timeout = std::chrono::seconds{20};
  /// From sending a call to its response.
  caf::timespan call_timeout = std::chrono::seconds{10};
  /// Calls on the wire at once (one call connection each).
  std::size_t max_in_flight = 8;
  /// Calls waiting for a free connection; more fail with ec::overloaded.
  std::size_t max_queued_calls = 1024;
  /// ACKNOWLEDGEs sent and not yet answered; more are dropped (counted):
  /// the agent re-sends an unacknowledged update, so a dropped ACK delays
  /// a task's next update, it never loses one.
  std::size_t max_outstanding_acks = 262144;
  /// Events held while the new framework id is being stored.
  std::size_t max_buffered_events = 10000;
  /// Reaction to "Framework has been removed".
  removed_policy on_removed = removed_policy::new_framework;
};

/// A FrameworkInfo with outrigger's safe defaults: failover_timeout one week
/// (Mesos' default 0 kills every task when the stream closes), checkpoint on,
/// capabilities PARTITION_AWARE, TASK_KILLING_STATE and MULTI_ROLE, roles
/// ["*"].
protocol::FrameworkInfo default_framework_info(std::string name,
                                               std::string user);

/// Checks a configuration (ec::bad_config or ec::bad_address naming the
/// setting).
caf::error validate(const link_config& cfg);

} // namespace outrigger::link
