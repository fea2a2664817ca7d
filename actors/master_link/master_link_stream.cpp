// link_state: the SUBSCRIBE stream: response heads, events, SUBSCRIBED and
// the durable framework id, in-band errors (removed framework), stream ends.

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/master_link_state.hpp"

namespace outrigger::link {

namespace {

constexpr std::string_view component = "master_link";

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  return out;
}

// The master's words for a framework it no longer knows (design.md
// §M8: "Framework has been removed"); a few variants for other versions.
bool is_removal(std::string_view message) {
  auto m = lower(message);
  return m.find("has been removed") != std::string::npos ||
         m.find("framework removed") != std::string::npos ||
         m.find("was removed") != std::string::npos;
}

// The reason label of an attempt that failed without an HTTP response.
std::string_view connection_reason(std::string_view detail) {
  auto d = lower(detail);
  if (d.find("refused") != std::string::npos)
    return "refused";
  if (d.find("timed out") != std::string::npos ||
      d.find("timeout") != std::string::npos)
    return "timeout";
  return "connection";
}

} // namespace

// -- the stream ---------------------------------------------------------------

effects link_state::on_stream_head(const stream_head& head) {
  effects out;
  if (head.gen != gen_ || phase_ != phase::connecting || !url_)
    return out;
  auto from = url_->to_string();
  auto body = log::redact(head.body.substr(0, 512));
  auto status = std::to_string(head.status);
  if (head.status == 200) {
    pending_stream_id_ = head.stream_id;
    return out;
  }
  stream_open_ = false; // the transport is done with a non-200 response
  switch (head.status) {
    case 307: {
      if (++hops_ > cfg_.max_redirects) {
        fail("redirect_limit",
             "more than " + std::to_string(cfg_.max_redirects) +
               " redirects, last from " + from,
             out);
        break;
      }
      auto next = resolve_redirect(*url_, head.location);
      if (!next) {
        fail("bad_redirect", describe(next.error()), out);
        break;
      }
      if (addrs_.zk && leader_ && !next->same_origin(*leader_)) {
        // ZooKeeper already names this master, but it has not noticed yet
        // and still points at the previous leader (design.md §M15): ask it
        // again shortly instead of following it to a dead master.
        not_ready("redirect", "not_leader",
                  from + " redirects to " + next->origin() +
                    " while ZooKeeper names " + leader_->origin(),
                  out);
        break;
      }
      log::info(component, "following redirect",
                {{"from", from}, {"to", next->to_string()}, {"hop", hops_}});
      open(*next, out);
      break;
    }
    case 401:
      stop(caf::make_error(ec::unauthorized,
                           "the master at " + from +
                             " rejected the credentials (HTTP 401 "
                             "Unauthorized): check the principal and "
                             "secret"),
           out);
      break;
    case 403:
      stop(caf::make_error(ec::unauthorized,
                           "the master at " + from +
                             " refused access (HTTP 403): " + body),
           out);
      break;
    case 503:
      // The master's "not yet" answers (src/master/http.cpp: the leader
      // recovering its registry, a master that knows no leader) are part
      // of every failover: retried soon, no budget spent.
      if (head.body.find("not finished recovery") != std::string::npos)
        not_ready("unavailable", "not_recovered",
                  "HTTP 503 from " + from + ": " + body, out);
      else if (head.body.find("No leader elected") != std::string::npos ||
               head.body.find("Not the leading master") != std::string::npos)
        not_ready("unavailable", "not_leader",
                  "HTTP 503 from " + from + ": " + body, out);
      else
        fail("unavailable", "HTTP 503 from " + from + ": " + body, out);
      break;
    default:
      if (head.status >= 400 && head.status < 500 && head.status != 404 &&
          head.status != 408 && head.status != 429) {
        stop(caf::make_error(ec::subscribe_rejected,
                             "the master at " + from +
                               " rejected SUBSCRIBE with HTTP " + status +
                               ": " + body),
             out);
      } else {
        fail("http_error", "HTTP " + status + " from " + from + ": " + body,
             out);
      }
  }
  return out;
}

effects link_state::on_stream_event(std::uint64_t gen, event_ptr event) {
  effects out;
  if (gen != gen_ || !event || !stream_open_)
    return out;
  watchdog_.on_activity();
  auto type = event->type.value_or(protocol::event_type::unknown);
  if (type == protocol::event_type::error) {
    on_error_event(event->error ? event->error->message : "", out);
    return out;
  }
  switch (phase_) {
    case phase::connecting:
      if (type == protocol::event_type::subscribed && event->subscribed)
        on_subscribed(*event, out);
      else
        log::warn(component, "event before SUBSCRIBED ignored",
                  {{"type", protocol::to_string(type)}});
      break;
    case phase::persisting:
      if (held_.size() >= cfg_.max_buffered_events)
        fail("store", "the framework id store is too slow: event buffer full",
             out);
      else
        held_.push_back(std::move(event));
      break;
    case phase::subscribed:
      deliver(std::move(event), out);
      break;
    default:
      break;
  }
  return out;
}

void link_state::on_subscribed(const protocol::Event& event, effects& out) {
  if (pending_stream_id_.empty()) {
    fail("protocol", "the SUBSCRIBE response carried no Mesos-Stream-Id", out);
    return;
  }
  auto& id = event.subscribed->framework_id.value;
  if (id.empty()) {
    fail("protocol", "SUBSCRIBED without a framework id", out);
    return;
  }
  phase_ = phase::persisting;
  subscribed_event_ = event;
  persisting_[gen_] = id;
  out.emplace_back(fx::persist_id{gen_, id});
}

effects link_state::on_persisted(std::uint64_t gen, const caf::error& err) {
  effects out;
  std::string stored;
  if (auto i = persisting_.find(gen); i != persisting_.end()) {
    stored = std::move(i->second);
    persisting_.erase(i);
  }
  if (gen != gen_ || phase_ != phase::persisting || !subscribed_event_) {
    // The attempt was abandoned while the store wrote. A new framework's id
    // is now durable and known to the master: subscribe with it rather
    // than create (and orphan) yet another framework.
    if (!err && framework_id_.empty() && !stored.empty() &&
        phase_ != phase::stopped) {
      framework_id_ = stored;
      metrics_.framework_id = stored;
      log::info(component, "adopting the stored id of an abandoned attempt",
                {{"framework_id", stored}});
    }
    return out;
  }
  if (err) {
    fail("store", "cannot store the framework id durably: " + describe(err),
         out);
    return out;
  }
  auto event =
    std::make_shared<const protocol::Event>(std::move(*subscribed_event_));
  subscribed_event_.reset();
  auto& s = *event->subscribed;
  bool new_framework = framework_id_ != s.framework_id.value;
  framework_id_ = s.framework_id.value;
  stream_id_ = pending_stream_id_;
  phase_ = phase::subscribed;
  policy_.on_success();
  if (lost_at_) {
    metrics_.resubscribe_time.observe(
      std::chrono::duration<double>(clock_() - *lost_at_).count());
    lost_at_.reset();
  }
  auto period = watchdog_.arm(s.heartbeat_interval_seconds);
  out.emplace_back(fx::start_timer{timer::heartbeat, period, gen_});
  ++metrics_.subscriptions;
  metrics_.connected = true;
  if (!metrics_.leader.empty() && metrics_.leader != url_->origin())
    ++metrics_.leader_changes;
  metrics_.leader = url_->origin();
  metrics_.framework_id = framework_id_;
  sub_ = subscription{framework_id_, stream_id_, url_->origin(), period,
                      new_framework};
  log::info(component, "subscribed",
            {{"framework_id", framework_id_},
             {"leader", url_->origin()},
             {"stream_id", stream_id_},
             {"heartbeat", period},
             {"new_framework", new_framework}});
  out.emplace_back(fx::notify_up{*sub_});
  deliver(std::move(event), out);
  auto held = std::move(held_);
  held_.clear();
  for (auto& e : held)
    if (phase_ == phase::subscribed)
      deliver(std::move(e), out);
  pump(out);
  return out;
}

void link_state::deliver(event_ptr event, effects& out) {
  auto type = event->type.value_or(protocol::event_type::unknown);
  auto name = protocol::to_string(type);
  ++metrics_.events[name.empty() ? "UNRECOGNIZED" : std::string{name}];
  if (type == protocol::event_type::heartbeat)
    ++metrics_.heartbeats;
  out.emplace_back(fx::forward_event{std::move(event)});
}

void link_state::on_error_event(const std::string& message, effects& out) {
  auto text = log::redact(message);
  if (is_removal(message) && !framework_id_.empty()) {
    log::warn(component, "the master removed the framework",
              {{"framework_id", framework_id_}, {"message", text}});
    bool was_up = phase_ == phase::subscribed;
    close_current(out);
    watchdog_.disarm();
    if (was_up) {
      metrics_.connected = false;
      sub_.reset();
      fail_queued(caf::make_error(ec::not_subscribed, "framework removed"),
                  out);
      out.emplace_back(fx::notify_down{"framework removed: " + text});
    }
    removed_message_ = text;
    teardown_requested_ = false;
    phase_ = phase::removing;
    out.emplace_back(fx::erase_id{});
    return;
  }
  if (lower(message).find("failed over") != std::string::npos) {
    stop(caf::make_error(ec::framework_failed_over,
                         "another scheduler subscribed with framework id " +
                           framework_id_ + " (" + text + ")"),
         out);
    return;
  }
  stop(caf::make_error(ec::subscribe_refused,
                       "the master refused the subscription: " + text),
       out);
}

effects link_state::on_erased(const caf::error& err) {
  effects out;
  if (phase_ != phase::removing)
    return out;
  if (err) {
    stop(caf::make_error(ec::store_failed,
                         "cannot erase the framework id: " + describe(err)),
         out);
    return out;
  }
  auto old = std::move(framework_id_);
  framework_id_.clear();
  metrics_.framework_id.clear();
  if (teardown_requested_) {
    log::info(component, "framework torn down", {{"framework_id", old}});
    stop({}, out);
    return out;
  }
  out.emplace_back(
    fx::notify_removed{framework_removed{old, removed_message_}});
  if (cfg_.on_removed == removed_policy::stop) {
    stop(caf::make_error(ec::framework_removed,
                         "the master removed framework " + old + " (" +
                           removed_message_ +
                           "); its tasks are gone and the stored id was "
                           "cleared, so the next start subscribes a new "
                           "framework"),
         out);
    return out;
  }
  log::warn(component, "subscribing as a new framework",
            {{"removed_framework_id", old}});
  ++metrics_.reconnects["framework_removed"];
  begin_attempt(out);
  return out;
}

effects link_state::on_stream_closed(const stream_closed& closed) {
  effects out;
  if (closed.gen != gen_ || !stream_open_)
    return out;
  stream_open_ = false;
  auto reason = log::redact(closed.reason);
  switch (phase_) {
    case phase::connecting:
    case phase::persisting:
      fail("connection",
           (closed.clean ? "stream ended before SUBSCRIBED: " : "") + reason +
             " (" + (url_ ? url_->origin() : "") + ")",
           out, connection_reason(reason));
      break;
    case phase::subscribed:
      drop(closed.clean ? "stream_ended" : "stream_cut", reason, out,
           policy_.after_drop());
      break;
    default:
      break;
  }
  return out;
}

} // namespace outrigger::link
