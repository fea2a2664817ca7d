#pragma once
// Errors of the actors as values: one code enum, registered with CAF so that
// `caf::make_error(ec::x, "context")` works and `actor_system::render` prints
// "reconnect_budget_exhausted: <context>". Contexts never contain
// secrets: callers pass text through log::redact() when it came from outside.

#include <caf/make_message.hpp> // CAF_ERROR_CODE_ENUM needs it first

#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace outrigger {

/// Error codes of the outrigger actors.
enum class ec : std::uint8_t {
  /// Not an error.
  none = 0,
  /// master_link: max_reconnect consecutive attempts failed; the process must
  /// exit non-zero so that the orchestrator restarts it.
  reconnect_budget_exhausted,
  /// The master rejected the credentials (HTTP 401) or the principal (403).
  unauthorized,
  /// The master answered SUBSCRIBE with a 4xx: the configuration is wrong.
  subscribe_rejected,
  /// The master refused the subscription in-band (an ERROR event).
  subscribe_refused,
  /// The master removed the framework and the policy says stop.
  framework_removed,
  /// Another scheduler subscribed with this framework id.
  framework_failed_over,
  /// A call was made while no subscription is active.
  not_subscribed,
  /// Too many calls are queued; the caller should retry later.
  overloaded,
  /// A call got no HTTP response within the per-call timeout.
  call_timeout,
  /// A call failed below HTTP (connect, TLS, connection lost).
  call_failed,
  /// The framework id store failed to read or write durably.
  store_failed,
  /// A master address (list, URL, zk:// URL or redirect) is malformed.
  bad_address,
  /// A configuration value is out of range or inconsistent.
  bad_config,
  /// A credentials file or variable is missing or malformed.
  bad_credentials,
  /// ZooKeeper refused or failed an operation.
  zookeeper_error,
  /// The link was stopped (disconnect or teardown) while a request waited.
  stopped,
  /// A call the link refuses to send (no type, UNKNOWN, SUBSCRIBE): an
  /// UNKNOWN call crashes a real master (design.md §M1).
  invalid_call,
};

/// The code's name, e.g. "reconnect_budget_exhausted".
std::string_view to_string(ec code) noexcept;

/// Registers the "outrigger" error category so that `sys.render(err)` and
/// logs print readable errors. Call before constructing the actor_system.
void add_error_category(caf::actor_system_config& cfg);

/// Renders any error without an actor system: "<code>: <context>" for ours
/// (e.g. "reconnect_budget_exhausted: gave up after ..."), "system.<code>" or
/// "exit.<reason>" for CAF's.
std::string describe(const caf::error& err);

/// The process exit status for an actor's exit reason: 0 for a normal or
/// user-requested stop, 3 when the reconnect budget is exhausted, 4 for
/// rejected credentials or configuration, 5 when the framework was removed
/// (policy stop) or taken over, 1 for anything else.
int exit_status(const caf::error& reason) noexcept;

} // namespace outrigger

CAF_ERROR_CODE_ENUM(outrigger::ec, "outrigger")
