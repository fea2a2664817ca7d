// link_state: calls on the call connections, teardown, disconnect, metrics.

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/master_link_state.hpp"
#include "protocol/calls.hpp"
#include "protocol/codec.hpp"

#include <chrono>

namespace outrigger::link {

namespace {

constexpr std::string_view component = "master_link";

std::string type_name(const protocol::Call& call) {
  if (!call.type)
    return "(none)";
  auto name = protocol::to_string(*call.type);
  return name.empty() ? "UNRECOGNIZED" : std::string{name};
}

} // namespace

effects link_state::on_call(std::uint64_t id, protocol::Call call) {
  effects out;
  auto type = type_name(call);
  // An UNKNOWN call crashes a real master (design.md §M1); SUBSCRIBE
  // belongs to the link alone.
  if (!call.type || *call.type == protocol::call_type::unknown ||
      *call.type == protocol::call_type::unrecognized ||
      *call.type == protocol::call_type::subscribe) {
    out.emplace_back(fx::reply_call{
      id, caf::make_error(ec::invalid_call,
                          "refusing to send a call of type " + type)});
    return out;
  }
  if (phase_ != phase::subscribed) {
    out.emplace_back(fx::reply_call{
      id, caf::make_error(ec::not_subscribed,
                          "no subscription to a master (link is " +
                            std::string{to_string(phase_)} + ")")});
    return out;
  }
  if (queue_.size() >= cfg_.max_queued_calls) {
    out.emplace_back(fx::reply_call{
      id, caf::make_error(ec::overloaded, std::to_string(queue_.size()) +
                                            " calls are already queued")});
    return out;
  }
  if (!call.framework_id)
    call.framework_id = protocol::FrameworkID{framework_id_};
  queue_.push_back({id, std::move(type), protocol::to_json(call), {}, false});
  pump(out);
  return out;
}

effects link_state::on_acks(const encoded_calls_ptr& calls) {
  effects out;
  if (!calls || calls->bodies.empty())
    return out;
  auto n = calls->bodies.size();
  // Dropping is safe: the agent re-sends every update until it is
  // acknowledged, and the book acknowledges a re-sent update again.
  if (phase_ != phase::subscribed ||
      metrics_.acks_outstanding + n > cfg_.max_outstanding_acks) {
    metrics_.acks_dropped += n;
    return out;
  }
  metrics_.acks_outstanding += n;
  out.emplace_back(fx::send_acks{*url_, stream_id_, calls});
  return out;
}

void link_state::on_acks_done(const ack_outcome& o) {
  auto n = o.accepted + o.rejected + o.lost;
  metrics_.acks_outstanding -= std::min(metrics_.acks_outstanding, n);
  if (o.accepted)
    metrics_.calls[{"ACKNOWLEDGE", 202}] += o.accepted;
  if (o.rejected)
    metrics_.calls[{"ACKNOWLEDGE", o.reject_status}] += o.rejected;
  if (o.lost)
    metrics_.calls[{"ACKNOWLEDGE", 0}] += o.lost;
}

effects link_state::teardown(std::uint64_t id) {
  effects out;
  if (phase_ != phase::subscribed) {
    out.emplace_back(fx::reply_call{
      id, caf::make_error(ec::not_subscribed,
                          "cannot tear down: no subscription (link is " +
                            std::string{to_string(phase_)} + ")")});
    return out;
  }
  log::warn(component, "tearing the framework down (all its tasks are killed)",
            {{"framework_id", framework_id_}});
  auto call = protocol::make_teardown(protocol::FrameworkID{framework_id_});
  // First in line: nothing queued after a teardown matters any more.
  queue_.push_front({id, "TEARDOWN", protocol::to_json(call), {}, true});
  pump(out);
  return out;
}

effects link_state::disconnect() {
  effects out;
  if (phase_ == phase::stopped)
    return out;
  log::info(component,
            "disconnecting without teardown: tasks keep running "
            "and the next start resumes the framework",
            {{"framework_id", framework_id_}});
  stop({}, out);
  return out;
}

void link_state::pump(effects& out) {
  while (phase_ == phase::subscribed && !queue_.empty() &&
         in_flight_.size() < cfg_.max_in_flight) {
    auto pc = std::move(queue_.front());
    queue_.pop_front();
    pc.sent = clock_();
    out.emplace_back(fx::send_call{pc.id, *url_, stream_id_, pc.body});
    out.emplace_back(
      fx::start_timer{timer::call_timeout, cfg_.call_timeout, pc.id});
    pc.body.clear();
    in_flight_.emplace(pc.id, std::move(pc));
  }
}

void link_state::fail_queued(const caf::error& err, effects& out) {
  for (auto& pc : queue_)
    out.emplace_back(fx::reply_call{pc.id, err});
  queue_.clear();
}

effects link_state::on_call_result(const call_result& result) {
  effects out;
  auto i = in_flight_.find(result.id);
  if (i == in_flight_.end())
    return out; // timed out or cancelled already
  auto pc = std::move(i->second);
  in_flight_.erase(i);
  auto latency = clock_() - pc.sent;
  if (result.status == 0) {
    count_call(pc.type, 0, std::nullopt);
    log::warn(component, "call failed",
              {{"type", pc.type}, {"error", log::redact(result.error)}});
    out.emplace_back(fx::reply_call{
      pc.id, caf::make_error(ec::call_failed,
                             pc.type + ": " + log::redact(result.error))});
  } else {
    count_call(pc.type, result.status, latency);
    if (result.status >= 300)
      log::warn(component, "call answered with an error",
                {{"type", pc.type},
                 {"status", result.status},
                 {"body", log::redact(result.body.substr(0, 512))}});
    out.emplace_back(
      fx::reply_call{pc.id, call_outcome{result.status, result.body, latency}});
  }
  if (pc.teardown && result.status >= 200 && result.status < 300 &&
      phase_ == phase::subscribed) {
    // The master removed the framework; forget its id, then stop.
    close_current(out);
    watchdog_.disarm();
    metrics_.connected = false;
    sub_.reset();
    fail_queued(caf::make_error(ec::stopped, "framework torn down"), out);
    out.emplace_back(fx::notify_down{"framework torn down"});
    teardown_requested_ = true;
    phase_ = phase::removing;
    out.emplace_back(fx::erase_id{});
    return out;
  }
  pump(out);
  return out;
}

void link_state::on_call_timeout(std::uint64_t id, effects& out) {
  auto i = in_flight_.find(id);
  if (i == in_flight_.end())
    return;
  auto pc = std::move(i->second);
  in_flight_.erase(i);
  count_call(pc.type, 0, std::nullopt);
  log::warn(component, "call timed out",
            {{"type", pc.type}, {"timeout", cfg_.call_timeout}});
  out.emplace_back(fx::cancel_call{id});
  out.emplace_back(fx::reply_call{
    id,
    caf::make_error(ec::call_timeout, "no response to " + pc.type + " within " +
                                        log::to_text(cfg_.call_timeout))});
  pump(out);
}

void link_state::count_call(const std::string& type, std::uint16_t status,
                            std::optional<caf::timespan> latency) {
  ++metrics_.calls[{type, status}];
  if (!latency)
    return;
  metrics_.call_latency.observe(
    std::chrono::duration<double>(*latency).count());
}

link_metrics link_state::metrics() const {
  auto m = metrics_;
  m.phase = std::string{to_string(phase_)};
  m.consecutive_failures = policy_.consecutive_failures();
  if (auto since = policy_.outage_since(); since && phase_ != phase::stopped)
    m.outage_seconds = std::chrono::duration<double>(clock_() - *since).count();
  m.outage_timeout_seconds =
    std::chrono::duration<double>(cfg_.backoff.outage_timeout).count();
  m.calls_in_flight = in_flight_.size();
  if (m.leader.empty() && url_)
    m.leader = url_->origin();
  return m;
}

std::optional<subscription> link_state::current_subscription() const {
  return sub_;
}

} // namespace outrigger::link
