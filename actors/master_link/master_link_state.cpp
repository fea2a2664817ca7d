#include "actors/master_link/master_link_state.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "protocol/calls.hpp"
#include "protocol/codec.hpp"

#include <algorithm>

namespace outrigger::link {

namespace {

constexpr std::string_view component = "master_link";

std::string seconds_text(caf::timespan d) {
  return log::to_text(d);
}

} // namespace

std::string_view to_string(phase p) noexcept {
  switch (p) {
    case phase::idle:
      return "idle";
    case phase::loading:
      return "loading";
    case phase::resolving:
      return "resolving";
    case phase::connecting:
      return "connecting";
    case phase::persisting:
      return "persisting";
    case phase::subscribed:
      return "subscribed";
    case phase::backoff:
      return "backoff";
    case phase::removing:
      return "removing";
    case phase::stopped:
      return "stopped";
  }
  return "unknown";
}

link_state::link_state(link_config cfg, master_addresses addrs, clock_fn clock)
  : cfg_(std::move(cfg)), addrs_(std::move(addrs)), clock_(std::move(clock)),
    policy_(cfg_.backoff),
    watchdog_(cfg_.max_missed_heartbeats, cfg_.default_heartbeat) {
  metrics_.call_latency = latency_histogram::with_bounds(
    {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0});
  metrics_.resubscribe_time = latency_histogram::with_bounds(
    {0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300});
}

// -- start and leader ---------------------------------------------------------

effects link_state::start() {
  if (phase_ != phase::idle)
    return {};
  phase_ = phase::loading;
  return {fx::load_id{}};
}

effects link_state::on_id_loaded(caf::expected<std::string> id) {
  effects out;
  if (phase_ != phase::loading)
    return out;
  if (!id) {
    stop(caf::make_error(ec::store_failed, "cannot load the framework id: " +
                                             describe(id.error())),
         out);
    return out;
  }
  framework_id_ = std::move(*id);
  metrics_.framework_id = framework_id_;
  log::info(component, "starting",
            {{"framework_id", framework_id_.empty() ? "(new)" : framework_id_},
             {"master", cfg_.master}});
  policy_.begin_outage(clock_()); // no subscription yet: the clock runs
  begin_attempt(out);
  return out;
}

effects link_state::on_leader(const leader_info& leader) {
  effects out;
  if (!addrs_.zk || phase_ == phase::stopped)
    return out;
  if (leader.url.empty()) {
    if (leader_)
      log::warn(component, "no leading master known");
    leader_.reset();
    return out; // a live stream stays; the watchdog guards it
  }
  auto url = parse_master_url(leader.url, cfg_.https);
  if (!url) {
    log::warn(component, "ignoring unusable leader address",
              {{"url", leader.url}, {"error", url.error()}});
    return out;
  }
  bool same = leader_ && leader_->same_origin(*url);
  leader_ = std::move(*url);
  if (same)
    return out;
  log::info(component, "leading master",
            {{"url", leader_->origin()}, {"node", leader.node}});
  policy_.on_leader_change(); // a fresh, fast schedule for the new leader
  switch (phase_) {
    case phase::resolving:
    case phase::backoff:
      ++retry_token_; // the pending timer is obsolete: new information
      begin_attempt(out);
      break;
    case phase::connecting:
    case phase::persisting:
      if (!url_ || !url_->same_origin(*leader_)) {
        close_current(out);
        begin_attempt(out);
      }
      break;
    case phase::subscribed:
      if (!url_ || !url_->same_origin(*leader_))
        drop("leader_change", "new leader " + leader_->origin(), out,
             caf::timespan::zero());
      break;
    default:
      break;
  }
  return out;
}

// -- attempts -----------------------------------------------------------------

void link_state::begin_attempt(effects& out) {
  hops_ = 0;
  if (addrs_.zk) {
    if (!leader_) {
      phase_ = phase::resolving;
      ++retry_token_;
      out.emplace_back(
        fx::start_timer{timer::retry, cfg_.subscribe_timeout, retry_token_});
      log::info(component, "waiting for a leading master",
                {{"zk", addrs_.zk->hosts + addrs_.zk->path}});
      return;
    }
    open(*leader_, out);
    return;
  }
  if (preferred_) {
    auto target = *preferred_;
    open(target, out);
    return;
  }
  auto& list = addrs_.masters;
  open(list[next_master_ % list.size()], out);
}

void link_state::open(const master_url& url, effects& out) {
  ++gen_;
  url_ = url;
  stream_open_ = true;
  pending_stream_id_.clear();
  phase_ = phase::connecting;
  log::info(component, "subscribing",
            {{"url", url.to_string()},
             {"framework_id", framework_id_.empty() ? "(new)" : framework_id_},
             {"attempt", gen_}});
  out.emplace_back(fx::open_stream{gen_, url, subscribe_body()});
  out.emplace_back(
    fx::start_timer{timer::subscribe_timeout, cfg_.subscribe_timeout, gen_});
}

std::string link_state::subscribe_body() const {
  auto info = cfg_.framework;
  info.id.reset();
  if (!framework_id_.empty())
    info.id = protocol::FrameworkID{framework_id_};
  return protocol::to_json(
    protocol::make_subscribe(std::move(info), cfg_.suppressed_roles));
}

void link_state::close_current(effects& out) {
  if (stream_open_) {
    out.emplace_back(fx::close_stream{gen_});
    stream_open_ = false;
  }
  held_.clear();
  subscribed_event_.reset();
}

void link_state::fail(std::string_view kind, const std::string& detail,
                      effects& out, std::string_view reason) {
  close_current(out);
  watchdog_.disarm();
  ++metrics_.reconnects[std::string{kind}];
  ++metrics_.attempts[std::string{reason.empty() ? kind : reason}];
  preferred_.reset();
  ++next_master_; // static list: the next attempt tries the next master
  auto delay = policy_.on_failure(clock_());
  if (!delay) {
    give_up(kind, detail, out);
    return;
  }
  log::warn(component, "attempt failed",
            {{"reason", reason.empty() ? kind : reason},
             {"detail", detail},
             {"failures", policy_.consecutive_failures()},
             {"retry_in", *delay}});
  phase_ = phase::backoff;
  ++retry_token_;
  out.emplace_back(fx::start_timer{timer::retry, *delay, retry_token_});
}

void link_state::not_ready(std::string_view kind, std::string_view reason,
                           const std::string& detail, effects& out) {
  close_current(out);
  watchdog_.disarm();
  ++metrics_.reconnects[std::string{kind}];
  ++metrics_.attempts[std::string{reason}];
  preferred_.reset();
  if (!addrs_.zk)
    ++next_master_; // static list: the leader may be the next one
  auto delay = policy_.on_not_ready(clock_());
  if (!delay) {
    give_up(kind, detail, out);
    return;
  }
  log::info(component, "master not ready yet",
            {{"reason", reason}, {"detail", detail}, {"retry_in", *delay}});
  phase_ = phase::backoff;
  ++retry_token_;
  out.emplace_back(fx::start_timer{timer::retry, *delay, retry_token_});
}

void link_state::give_up(std::string_view kind, const std::string& detail,
                         effects& out) {
  std::string text;
  if (policy_.timed_out())
    text = "gave up: no subscription for " +
           seconds_text(cfg_.backoff.outage_timeout) +
           " (master outage timeout), " +
           std::to_string(policy_.consecutive_failures()) +
           " consecutive failed attempts since the last leader change";
  else
    text = "gave up after " + std::to_string(policy_.consecutive_failures()) +
           " consecutive failed attempts to subscribe (max_reconnect=" +
           std::to_string(cfg_.backoff.max_reconnect) + ")";
  text += "; last failure: " + std::string{kind} + ": " + detail;
  stop(caf::make_error(ec::reconnect_budget_exhausted, log::redact(text)), out);
}

void link_state::drop(std::string_view kind, const std::string& detail,
                      effects& out, caf::timespan delay) {
  close_current(out);
  watchdog_.disarm();
  ++metrics_.reconnects[std::string{kind}];
  metrics_.connected = false;
  sub_.reset();
  stream_id_.clear();
  if (!addrs_.zk && url_)
    preferred_ = url_; // the master that served us is the best guess
  lost_at_ = clock_();
  policy_.begin_outage(*lost_at_);
  fail_queued(caf::make_error(ec::not_subscribed, "the subscription ended"),
              out);
  log::warn(component, "subscription lost",
            {{"reason", kind}, {"detail", detail}, {"reconnect_in", delay}});
  out.emplace_back(fx::notify_down{std::string{kind} + ": " + detail});
  if (delay <= caf::timespan::zero()) {
    begin_attempt(out);
    return;
  }
  phase_ = phase::backoff;
  ++retry_token_;
  out.emplace_back(fx::start_timer{timer::retry, delay, retry_token_});
}

void link_state::stop(caf::error reason, effects& out) {
  bool was_up = phase_ == phase::subscribed;
  close_current(out);
  watchdog_.disarm();
  metrics_.connected = false;
  fail_queued(caf::make_error(ec::stopped, "the master link stopped"), out);
  for (auto& [id, pc] : in_flight_) {
    out.emplace_back(fx::cancel_call{id});
    out.emplace_back(fx::reply_call{
      id, caf::make_error(ec::stopped, "the master link stopped")});
  }
  in_flight_.clear();
  if (was_up)
    out.emplace_back(fx::notify_down{"stopped"});
  sub_.reset();
  phase_ = phase::stopped;
  if (reason)
    log::error(component, "master link stopped", {{"reason", reason}});
  else
    log::info(component, "master link stopped");
  out.emplace_back(fx::quit{std::move(reason)});
}

// -- timers ------------------------------------------------------------------

effects link_state::on_timer(timer kind, std::uint64_t token) {
  effects out;
  switch (kind) {
    case timer::retry:
      if (token != retry_token_)
        break;
      if (phase_ == phase::backoff)
        begin_attempt(out);
      else if (phase_ == phase::resolving)
        fail("no_leader",
             "no leading master known after " +
               seconds_text(cfg_.subscribe_timeout),
             out);
      break;
    case timer::subscribe_timeout:
      if (token != gen_)
        break;
      if (phase_ == phase::connecting)
        fail("timeout",
             "no SUBSCRIBED from " + (url_ ? url_->origin() : "") + " within " +
               seconds_text(cfg_.subscribe_timeout),
             out);
      else if (phase_ == phase::persisting)
        fail("store",
             "the framework id store did not confirm within " +
               seconds_text(cfg_.subscribe_timeout),
             out);
      break;
    case timer::heartbeat:
      if (token != gen_ || phase_ != phase::subscribed)
        break;
      if (watchdog_.on_tick() == heartbeat_watchdog::verdict::dead) {
        drop("heartbeat",
             "nothing from the master for " +
               std::to_string(watchdog_.missed()) + " heartbeat periods of " +
               seconds_text(watchdog_.period()),
             out, caf::timespan::zero());
      } else {
        out.emplace_back(
          fx::start_timer{timer::heartbeat, watchdog_.period(), gen_});
      }
      break;
    case timer::call_timeout:
      on_call_timeout(token, out);
      break;
  }
  return out;
}

} // namespace outrigger::link
