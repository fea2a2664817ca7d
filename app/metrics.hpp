#pragma once
// The service's Prometheus metrics (prometheus-cpp registry, text format
// 0.0.4 served by our own HTTP server at /metrics). The actors keep plain
// counters; a poller copies them here every second (deltas for counters and
// histograms), so scraping never waits for an actor. Label sets are bounded:
// event and call types, HTTP status codes, task states and reasons, routes.

#include "actors/messages.hpp"

#include <memory>
#include <string>

namespace outrigger::app {

/// The registry and every metric family of outrigger.
class service_metrics {
public:
  explicit service_metrics(const std::string& version);
  ~service_metrics();

  /// Copies the actors' counters (call from one thread at a time).
  void update(const link_metrics& link, unsigned reconnect_budget);
  void update(const book_metrics& book);
  void update(const matcher_metrics& matcher);

  /// Counts an answered API request (route: "/v1/tasks/{id}" style).
  void count_request(const std::string& route, unsigned status);

  /// Counts a read of task output from an agent (logs, files, stderr
  /// tails): kind "logs" | "files" | "tail", outcome "ok" | "not_found" |
  /// "never_launched" | "gone" | "unreachable" | "bad_request", and the
  /// bytes served.
  void count_log_read(const std::string& kind, const std::string& outcome,
                      std::size_t bytes);

  /// Records this replica's role with --ha: outrigger_leader (1 leading,
  /// else 0); each election won counts in outrigger_leadership_changes_total.
  void set_leader(bool leading);

  /// The text exposition of every metric.
  std::string serialize() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace outrigger::app
