#pragma once
// Snapshots of the actors' counters and gauges, answered to atom::metrics
// and turned into Prometheus metrics by app/metrics.cpp.

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

// == master_link: metrics =====================================================

/// A latency histogram in seconds (Prometheus style, non-cumulative counts;
/// counts has one more element than bounds: the +Inf bucket).
struct latency_histogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;

  /// An empty histogram with these upper bounds (ascending).
  static latency_histogram with_bounds(std::vector<double> upper) {
    latency_histogram h;
    h.counts.assign(upper.size() + 1, 0);
    h.bounds = std::move(upper);
    return h;
  }

  /// Counts one observation of `seconds`.
  void observe(double seconds) {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
      ++i;
    if (i < counts.size())
      ++counts[i];
    sum += seconds;
    ++count;
  }
};

/// Connection state and counters of master_link, for /metrics and /readyz.
struct link_metrics {
  bool connected = false;          ///< subscribed right now
  std::string phase;               ///< e.g. "subscribed", "backoff"
  std::string leader;              ///< URL of the current (or last) master
  std::string framework_id;        ///< "" before the first SUBSCRIBED
  std::uint64_t subscriptions = 0; ///< successful SUBSCRIBEDs
  /// Subscriptions served by another master than the one before.
  std::uint64_t leader_changes = 0;
  unsigned consecutive_failures = 0; ///< since SUBSCRIBED or a new leader
  double outage_seconds = 0; ///< without a subscription so far (0: none)
  double outage_timeout_seconds = 0; ///< when the link gives up (0: never)
  std::map<std::string, std::uint64_t> reconnects; ///< by reason
  /// Attempts to subscribe that did not succeed, by reason: refused,
  /// timeout, connection, not_recovered, not_leader, unavailable,
  /// http_error, redirect_limit, bad_redirect, no_leader, store, protocol.
  std::map<std::string, std::uint64_t> attempts;
  /// Seconds from losing a working subscription to SUBSCRIBED again.
  latency_histogram resubscribe_time;
  std::uint64_t heartbeats = 0;
  std::map<std::string, std::uint64_t> events; ///< by event type name
  /// Calls by (type name, HTTP status); status 0 means no response.
  std::map<std::pair<std::string, std::uint16_t>, std::uint64_t> calls;
  latency_histogram call_latency;
  std::uint64_t calls_in_flight = 0;  ///< calls sent, not answered yet
  std::uint64_t acks_dropped = 0;     ///< not sent: unsubscribed or too many
  std::uint64_t acks_outstanding = 0; ///< sent, not answered yet
};

// == scheduling metrics =======================================================

/// Counters and gauges of the task book and its status tracker.
struct book_metrics {
  std::map<std::string, std::uint64_t> tasks; ///< by phase name
  std::map<std::pair<std::string, std::string>, std::uint64_t>
    results;                        ///< terminal results by (state, reason)
  std::uint64_t results_cursor = 0; ///< newest result
  std::uint64_t results_read = 0;   ///< highest cursor handed to a reader
  std::uint64_t launches = 0;       ///< attempts written into ACCEPTs
  std::uint64_t retries = 0;        ///< attempts after the first
  std::uint64_t updates = 0;        ///< status updates applied or not
  std::uint64_t acks = 0;           ///< ACKNOWLEDGEs sent
  std::uint64_t kills_sent = 0;
  std::uint64_t reconcile_rounds = 0; ///< explicit rounds (subscriptions)
  std::uint64_t reconcile_calls = 0;
  std::uint64_t commits = 0;
  std::uint64_t store_bytes = 0;       ///< log bytes since the last snapshot
  double oldest_queued_seconds = 0;    ///< age of the oldest queued task
  latency_histogram commit_latency;    ///< store commit, seconds
  latency_histogram event_latency;     ///< UPDATE received to applied+durable
  latency_histogram submit_to_running; ///< submission to first RUNNING
  latency_histogram submit_to_launch;  ///< submission to first launch
  latency_histogram launch_to_running; ///< first launch to its RUNNING
};

/// Counters and gauges of the offer matcher.
struct matcher_metrics {
  std::uint64_t offers_received = 0;
  std::uint64_t offers_accepted = 0;
  std::uint64_t offers_declined = 0;
  std::uint64_t offers_rescinded = 0;
  std::uint64_t offers_held = 0;
  std::uint64_t pending = 0; ///< tasks waiting for an offer
  std::uint64_t groups = 0;  ///< their groups
  std::uint64_t passes = 0;
  std::uint64_t launches = 0; ///< tasks sent in ACCEPTs
  std::uint64_t revives = 0;
  std::uint64_t suppresses = 0;
  latency_histogram hold_time; ///< offer received to accepted/declined
  latency_histogram pass_time; ///< one matching pass
};

} // namespace outrigger

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::link_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::book_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::matcher_metrics)
