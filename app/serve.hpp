#pragma once
// `outrigger serve`: wires the actors, the HTTP API, the metrics and (with
// --dev) an embedded simulated cluster, then runs until SIGTERM/SIGINT or
// until the master link gives up.

#include "app/config.hpp"

#include <string>

namespace outrigger::app {

/// Runs the service; returns the process exit status (0 after a signal, 3
/// when the reconnect budget is spent, 4 for bad configuration or
/// credentials, 5 when the framework was removed or taken over, 1 else).
int run_serve(serve_settings settings, const std::string& version);

} // namespace outrigger::app
