#pragma once
// The connection state machine of master_link. It decides; it does no I/O and
// keeps no time of its own: every input returns the effects to carry out
// (open a stream, start a timer, store the id, notify listeners, quit), which
// the actor executes in order. Unit tests drive it directly.
//
// Phases: loading (framework id from the store) -> resolving (zk://, no
// leader yet) -> connecting (SUBSCRIBE sent, following 307s) -> persisting
// (SUBSCRIBED received, id being stored; later events are held) ->
// subscribed -> on failure backoff -> connecting ... ; removing (the master
// removed the framework, the id is being erased); stopped.

#include "actors/master_link/heartbeat_watchdog.hpp"
#include "actors/master_link/link_config.hpp"
#include "actors/master_link/master_address.hpp"
#include "actors/master_link/reconnect_policy.hpp"
#include "actors/messages.hpp"

#include <caf/actor_clock.hpp>
#include <caf/expected.hpp>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace outrigger::link {

/// Where the link is.
enum class phase : std::uint8_t {
  idle,
  loading,
  resolving,
  connecting,
  persisting,
  subscribed,
  backoff,
  removing,
  stopped,
};

/// The phase's name, e.g. "subscribed".
std::string_view to_string(phase p) noexcept;

/// The link's timers; each carries a token so that stale ones are ignored.
enum class timer : std::uint8_t {
  retry,             ///< backoff elapsed, or the wait for a leader
  subscribe_timeout, ///< attempt did not reach SUBSCRIBED
  heartbeat,         ///< watchdog period
  call_timeout,      ///< call got no response
};

/// Effects the actor carries out, in order.
namespace fx {
/// Ask the store for the framework id (reply: on_id_loaded).
struct load_id {};
/// Open a SUBSCRIBE stream.
struct open_stream {
  std::uint64_t gen;
  master_url url;
  std::string body;
};
/// Drop a stream.
struct close_stream {
  std::uint64_t gen;
};
/// Store the framework id durably (reply: on_persisted).
struct persist_id {
  std::uint64_t gen;
  std::string id;
};
/// Erase the stored framework id (reply: on_erased).
struct erase_id {};
/// Start a timer (its expiry: on_timer).
struct start_timer {
  timer kind;
  caf::timespan delay;
  std::uint64_t token;
};
/// Send a call on a call connection.
struct send_call {
  std::uint64_t id;
  master_url url;
  std::string stream_id;
  std::string body;
};
/// Send encoded calls pipelined, answers reported as one ack_outcome.
struct send_acks {
  master_url url;
  std::string stream_id;
  encoded_calls_ptr calls;
};
/// Abandon a call.
struct cancel_call {
  std::uint64_t id;
};
/// Answer the requester of call `id`.
struct reply_call {
  std::uint64_t id;
  caf::expected<call_outcome> result;
};
/// Tell listeners the link is subscribed.
struct notify_up {
  subscription sub;
};
/// Tell listeners the subscription ended.
struct notify_down {
  std::string reason;
};
/// Tell listeners the framework was removed and its tasks are gone.
struct notify_removed {
  framework_removed info;
};
/// Hand an event to the listeners that asked for its type.
struct forward_event {
  event_ptr event;
};
/// Stop the actor; a default error means a normal stop.
struct quit {
  caf::error reason;
};
} // namespace fx

/// One effect.
using effect =
  std::variant<fx::load_id, fx::open_stream, fx::close_stream, fx::persist_id,
               fx::erase_id, fx::start_timer, fx::send_call, fx::send_acks,
               fx::cancel_call, fx::reply_call, fx::notify_up, fx::notify_down,
               fx::notify_removed, fx::forward_event, fx::quit>;

/// Effects of one input, in execution order.
using effects = std::vector<effect>;

/// The connection state machine.
class link_state {
public:
  using time_point = caf::actor_clock::time_point;
  /// The link's clock (the actor passes CAF's, so tests control it).
  using clock_fn = std::function<time_point()>;

  /// @pre validate(cfg) passed and `addrs` is parse_master_addresses(cfg).
  link_state(link_config cfg, master_addresses addrs, clock_fn clock);

  // -- inputs -----------------------------------------------------------------

  /// Begins: loads the framework id.
  effects start();
  /// The store answered the load.
  effects on_id_loaded(caf::expected<std::string> id);
  /// The detector reports a leader (or none: empty url).
  effects on_leader(const leader_info& leader);
  /// The head of a SUBSCRIBE response arrived.
  effects on_stream_head(const stream_head& head);
  /// An event of stream `gen` arrived.
  effects on_stream_event(std::uint64_t gen, event_ptr event);
  /// Stream (or attempt) `closed.gen` ended.
  effects on_stream_closed(const stream_closed& closed);
  /// The store answered persist_id for attempt `gen`.
  effects on_persisted(std::uint64_t gen, const caf::error& err);
  /// The store answered erase_id.
  effects on_erased(const caf::error& err);
  /// A timer expired.
  effects on_timer(timer kind, std::uint64_t token);
  /// A call from a requester; `id` is the actor's handle for its reply.
  effects on_call(std::uint64_t id, protocol::Call call);
  /// The transport finished a call.
  effects on_call_result(const call_result& result);
  /// ACKNOWLEDGEs to send without a reply (see master_link_actor).
  effects on_acks(const encoded_calls_ptr& calls);
  /// The transport's account of fire-and-forget calls.
  void on_acks_done(const ack_outcome& outcome);
  /// Stop without tearing down: closes the stream, keeps the id.
  effects disconnect();
  /// Tear the framework down; the reply goes to call `id`.
  effects teardown(std::uint64_t id);

  // -- inspection
  // ---------------------------------------------------------------

  phase current_phase() const noexcept { return phase_; }
  /// The framework id sent with the next SUBSCRIBE ("" for a new one).
  const std::string& framework_id() const noexcept { return framework_id_; }
  /// Mesos-Stream-Id of the current subscription.
  const std::string& stream_id() const noexcept { return stream_id_; }
  /// The URL of the current (or last) attempt.
  const std::optional<master_url>& current_url() const noexcept { return url_; }
  /// Generation of the current attempt.
  std::uint64_t generation() const noexcept { return gen_; }
  const reconnect_policy& policy() const noexcept { return policy_; }
  const heartbeat_watchdog& watchdog() const noexcept { return watchdog_; }
  /// Snapshot of state and counters.
  link_metrics metrics() const;
  /// The current subscription, when subscribed.
  std::optional<subscription> current_subscription() const;

private:
  struct pending_call {
    std::uint64_t id = 0;
    std::string type;
    std::string body;
    time_point sent{};
    bool teardown = false;
  };

  // Opens a new attempt at the best target, or waits for a leader.
  void begin_attempt(effects& out);
  // Opens attempt `gen_ + 1` at `url`.
  void open(const master_url& url, effects& out);
  // A failed attempt: backoff or, with the budget spent, stop. `reason`
  // labels the attempt in metrics (default: `kind`).
  void fail(std::string_view kind, const std::string& detail, effects& out,
            std::string_view reason = {});
  // A "not yet" answer (recovering, not the leader): retry soon, no budget
  // spent (reconnect_policy::on_not_ready). `kind` as in fail(), `reason`
  // labels the attempt.
  void not_ready(std::string_view kind, std::string_view reason,
                 const std::string& detail, effects& out);
  // Stops with ec::reconnect_budget_exhausted after `kind`: `detail`.
  void give_up(std::string_view kind, const std::string& detail, effects& out);
  // A working subscription ended: reconnect soon (not a failure).
  void drop(std::string_view kind, const std::string& detail, effects& out,
            caf::timespan delay);
  // Closes the current stream, if one is open.
  void close_current(effects& out);
  // Stops the link for good.
  void stop(caf::error reason, effects& out);
  // An in-band ERROR event.
  void on_error_event(const std::string& message, effects& out);
  // SUBSCRIBED arrived on the current attempt.
  void on_subscribed(const protocol::Event& event, effects& out);
  // Handles an event of the current, subscribed stream.
  void deliver(event_ptr event, effects& out);
  // A call got no response in time.
  void on_call_timeout(std::uint64_t id, effects& out);
  // Sends queued calls while connections are free.
  void pump(effects& out);
  // Fails every queued call with `err`.
  void fail_queued(const caf::error& err, effects& out);
  // The SUBSCRIBE body for the current framework id.
  std::string subscribe_body() const;
  // Counts a call outcome for the metrics.
  void count_call(const std::string& type, std::uint16_t status,
                  std::optional<caf::timespan> latency);

  link_config cfg_;
  master_addresses addrs_;
  clock_fn clock_;
  reconnect_policy policy_;
  heartbeat_watchdog watchdog_;

  phase phase_ = phase::idle;
  std::string framework_id_; // sent in SUBSCRIBE; "" for a new framework
  std::uint64_t gen_ = 0;    // current attempt
  bool stream_open_ = false; // gen_ has a stream the transport holds
  std::uint64_t retry_token_ = 0;
  unsigned hops_ = 0;                   // redirects followed in this attempt
  std::size_t next_master_ = 0;         // static list: next index to try
  std::optional<master_url> url_;       // target of the current attempt
  std::optional<master_url> leader_;    // zk:// leader from the detector
  std::optional<master_url> preferred_; // static list: last good master
  std::string pending_stream_id_;       // from the 200 head, until SUBSCRIBED
  std::string stream_id_;               // of the current subscription
  std::optional<subscription> sub_;
  std::vector<event_ptr> held_;                     // events while persisting
  std::optional<protocol::Event> subscribed_event_; // forwarded after persist
  std::map<std::uint64_t, std::string> persisting_; // gen -> id being stored
  std::string removed_message_;                     // ERROR text while removing
  bool teardown_requested_ = false; // removing because of our TEARDOWN

  std::optional<time_point> lost_at_; // the subscription dropped then

  std::deque<pending_call> queue_;
  std::map<std::uint64_t, pending_call> in_flight_;

  link_metrics metrics_;
};

} // namespace outrigger::link
