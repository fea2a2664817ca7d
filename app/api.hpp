#pragma once
// The routes of the HTTP API (docs/api.yaml): turns requests into messages
// to the actors and their replies into responses. Each request that needs
// an actor is carried by a short-lived CAF actor, so the server's thread
// never waits.

#include "actors/messages.hpp"
#include "app/api_tokens.hpp"
#include "app/audit.hpp"
#include "app/http_server.hpp"
#include "app/metrics.hpp"
#include "app/rate_history.hpp"

#include <caf/actor_system.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::app {

class sandbox_reader;
class replica_router;

/// What the routes talk to.
struct api_context {
  caf::actor_system* sys = nullptr;
  task_book_actor book;
  offer_matcher_actor matcher;
  master_link_actor link;
  std::shared_ptr<service_metrics> metrics;
  /// Named tokens with scopes; none (or null): no authentication.
  std::shared_ptr<token_registry> tokens;
  bool protect_reads = false; ///< GETs need a token (read scope) too
  /// Where mutating requests are recorded (null: nowhere).
  std::shared_ptr<audit_log> audit;
  bool allow_unauthenticated = false; ///< shown in /v1/framework
  bool tls = false;                   ///< the API speaks HTTPS
  bool mutual_tls = false;            ///< clients need a certificate
  /// Recent launches/finishes/failures for GET /v1/stats (may be null).
  std::shared_ptr<const rate_history> stats;
  /// False once the service is stopping: mutating requests get 503.
  std::shared_ptr<std::atomic<bool>> accepting;
  caf::timespan timeout = std::chrono::seconds{30};
  double max_wait_seconds = 60; ///< long poll of /v1/results
  /// Reads agents' sandboxes (task logs and files); null: not available.
  std::shared_ptr<sandbox_reader> sandboxes;
  /// Leadership with --ha, shown by /readyz and /v1/framework (may be
  /// empty). Weak: the router holds the API's handler, hence this context.
  std::weak_ptr<const replica_router> replica;
};

/// Who may call a route: the scope a token needs (when tokens are
/// configured). Each scope includes the ones before it.
enum class access {
  open,   ///< anyone, always (health, readiness, metrics, the dashboard)
  read,   ///< a token with scope read, only with --protect-reads
  submit, ///< scope submit; refused (503) while the service stops
  admin,  ///< scope admin; refused (503) while the service stops
};

/// One route of the API: a method on a path pattern ("/v1/tasks/{id}", or
/// "/ui/{file}" for everything below /ui/),
/// who may call it and what answers it (`id` is the {id} of the path, 0
/// without one). The handler runs after the token check, with the caller
/// in `request.caller`. Rows with an `action` are mutating: each request is
/// written to the audit trail under that name.
struct api_route {
  std::string_view method;
  std::string_view pattern;
  access auth;
  void (*handle)(const std::shared_ptr<const api_context>&, http_request&,
                 std::uint64_t id, const responder&);
  std::string_view action = {}; ///< audit name ("submit"); empty: not audited
};

/// Every route, in the order the Allow header of a 405 lists methods. The
/// handler, the metrics' route label and the documentation test read it.
const std::vector<api_route>& api_routes();

/// The pattern of the route a path belongs to ("/v1/tasks/{id}"), or
/// "other": the route label of the request metrics.
std::string route_of(std::string_view path);

/// The handler of every route.
http_handler make_api_handler(std::shared_ptr<const api_context> ctx);

} // namespace outrigger::app
