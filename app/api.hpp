#pragma once
// The routes of the HTTP API (docs/api.yaml): turns requests into messages
// to the actors and their replies into responses. Each request that needs
// an actor is carried by a short-lived CAF actor, so the server's thread
// never waits.

#include "actors/messages.hpp"
#include "app/http_server.hpp"
#include "app/metrics.hpp"

#include <caf/actor_system.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace outrigger::app {

/// What the routes talk to.
struct api_context {
  caf::actor_system* sys = nullptr;
  task_book_actor book;
  offer_matcher_actor matcher;
  master_link_actor link;
  std::shared_ptr<service_metrics> metrics;
  std::string token;          ///< bearer token; empty: no authentication
  bool protect_reads = false; ///< GETs need the token too
  /// False once the service is stopping: mutating requests get 503.
  std::shared_ptr<std::atomic<bool>> accepting;
  caf::timespan timeout = std::chrono::seconds{30};
  double max_wait_seconds = 60; ///< long poll of /v1/results
};

/// The handler of every route.
http_handler make_api_handler(std::shared_ptr<const api_context> ctx);

} // namespace outrigger::app
