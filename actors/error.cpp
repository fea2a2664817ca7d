#include "actors/error.hpp"

#include <caf/exit_reason.hpp>
#include <caf/message.hpp>

namespace outrigger {

std::string_view to_string(ec code) noexcept {
  switch (code) {
    case ec::none:
      return "none";
    case ec::reconnect_budget_exhausted:
      return "reconnect_budget_exhausted";
    case ec::unauthorized:
      return "unauthorized";
    case ec::subscribe_rejected:
      return "subscribe_rejected";
    case ec::subscribe_refused:
      return "subscribe_refused";
    case ec::framework_removed:
      return "framework_removed";
    case ec::framework_failed_over:
      return "framework_failed_over";
    case ec::not_subscribed:
      return "not_subscribed";
    case ec::overloaded:
      return "overloaded";
    case ec::call_timeout:
      return "call_timeout";
    case ec::call_failed:
      return "call_failed";
    case ec::store_failed:
      return "store_failed";
    case ec::bad_address:
      return "bad_address";
    case ec::bad_config:
      return "bad_config";
    case ec::bad_credentials:
      return "bad_credentials";
    case ec::zookeeper_error:
      return "zookeeper_error";
    case ec::stopped:
      return "stopped";
    case ec::invalid_call:
      return "invalid_call";
  }
  return "unknown";
}

namespace {

// The context of our errors is a message of strings (make_error(code, "a",
// "b")); joins them with "; ".
std::string context_text(const caf::message& ctx) {
  std::string out;
  for (size_t i = 0; i < ctx.size(); ++i) {
    if (!out.empty())
      out += "; ";
    if (ctx.match_element<std::string>(i))
      out += ctx.get_as<std::string>(i);
    else
      out += "?"; // only strings are put into our contexts
  }
  return out;
}

// No "outrigger." prefix: a principal named like the service (a common
// choice) is a registered secret, and log redaction would mask the prefix.
std::string render(std::uint8_t code, caf::atom_value,
                   const caf::message& ctx) {
  std::string out{to_string(static_cast<ec>(code))};
  auto text = context_text(ctx);
  if (!text.empty()) {
    out += ": ";
    out += text;
  }
  return out;
}

} // namespace

void add_error_category(caf::actor_system_config& cfg) {
  cfg.add_error_category(caf::atom("outrigger"), render);
}

std::string describe(const caf::error& err) {
  if (!err)
    return "none";
  if (err.category() == caf::atom("outrigger"))
    return render(err.code(), err.category(), err.context());
  if (err.category() == caf::atom("exit"))
    return "exit." + to_string(static_cast<caf::exit_reason>(err.code()));
  if (err.category() == caf::atom("system"))
    return "system." + to_string(static_cast<caf::sec>(err.code()));
  return caf::to_string(err);
}

int exit_status(const caf::error& reason) noexcept {
  if (!reason)
    return 0;
  if (reason.category() == caf::atom("exit")) {
    auto r = static_cast<caf::exit_reason>(reason.code());
    return r == caf::exit_reason::normal || r == caf::exit_reason::user_shutdown
             ? 0
             : 1;
  }
  if (reason.category() != caf::atom("outrigger"))
    return 1;
  switch (static_cast<ec>(reason.code())) {
    case ec::none:
    case ec::stopped:
      return 0;
    case ec::reconnect_budget_exhausted:
      return 3;
    case ec::unauthorized:
    case ec::subscribe_rejected:
    case ec::subscribe_refused:
    case ec::bad_address:
    case ec::bad_config:
    case ec::bad_credentials:
      return 4;
    case ec::framework_removed:
    case ec::framework_failed_over:
      return 5;
    default:
      return 1;
  }
}

} // namespace outrigger
