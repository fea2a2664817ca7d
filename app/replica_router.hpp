#pragma once
// The API of a replica with --ha. The leader answers every request itself.
// A standby answers /healthz, /readyz and /metrics itself and forwards every
// other request to the leader (a reverse proxy), so that a client behind a
// Kubernetes Service, which reaches any replica, never needs to know who
// leads: no redirect to follow, no leader address to reach from outside.
// While no leader is known, or while the new leader loads the state, the
// answer is 503 with Retry-After.
//
// Without --ha the router always serves locally (it only answers 503 until
// the scheduler has started).

#include "app/http_client.hpp"
#include "app/http_server.hpp"
#include "app/leader_election.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace outrigger::app {

class service_metrics;

/// What a replica knows about leadership (shown by /readyz, /v1/framework).
struct replica_status {
  bool ha = false; ///< --ha given
  replica_role role = replica_role::joining;
  std::string leader_url; ///< the leader's API ("" unknown)
  std::string self_url;   ///< this replica's advertised API
};

/// How a standby forwards.
struct forward_options {
  std::string self_url;             ///< this replica's advertised API
  client_tls tls;                   ///< trust of the leader's API
  std::chrono::seconds timeout{75}; ///< above the longest long poll
  std::size_t max_in_flight = 64;   ///< more at once: 503
};

/// Routes each request to the local API or to the leader.
class replica_router : public std::enable_shared_from_this<replica_router> {
public:
  /// `ha`: false serves locally once serve_locally() was called.
  replica_router(bool ha, forward_options options,
                 std::shared_ptr<service_metrics> metrics);

  /// The server's handler.
  http_handler handler();

  /// The election's news (any thread).
  void set_role(replica_role role);
  void set_leader(const std::string& url);

  /// From now on requests are answered by `local` (the scheduler's API).
  void serve_locally(http_handler local);

  /// A copy of what is known now (any thread).
  replica_status status() const;

  /// Requests being forwarded right now.
  std::size_t in_flight() const { return in_flight_.load(); }

private:
  void answer(http_request req, responder done);
  void forward(http_request req, responder done, std::string leader);

  bool ha_;
  forward_options options_;
  std::shared_ptr<service_metrics> metrics_;
  mutable std::mutex m_;
  replica_status status_;
  http_handler local_;
  std::atomic<std::size_t> in_flight_{0};
};

/// The request target of a decoded path and query, percent-encoded again
/// ("/v1/tasks" and {state: "RUNNING"} give "/v1/tasks?state=RUNNING").
std::string encode_target(const std::string& path,
                          const std::map<std::string, std::string>& query);

/// The token of an "Authorization: Bearer <token>" value ("" otherwise).
std::string bearer_token(const std::string& authorization);

} // namespace outrigger::app
