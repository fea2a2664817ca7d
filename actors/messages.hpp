#pragma once
// Every atom, message type and typed actor interface of outrigger's actors,
// in one place (the Broker/VAST pattern of the style guide). Sections, one
// per actor; each handler has a comment saying what it means.
//
// Protocol values (protocol::Call, events) only travel in-process, so they
// are CAF_ALLOW_UNSAFE_MESSAGE_TYPE; the small structs declared here are
// inspectable so that CAF's test DSL can print and compare them.

#include "actors/error.hpp"
#include "protocol/event.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace outrigger {

// == master_link: what listeners receive ======================================

/// An event from the master, shared read-only by all listeners (an OFFERS
/// event can be large; one copy serves everyone).
using event_ptr = std::shared_ptr<const protocol::Event>;

/// The link is subscribed: sent to listeners after the framework id is
/// stored durably, before any event of the new subscription.
struct subscription {
  std::string framework_id;
  std::string stream_id; ///< Mesos-Stream-Id of this subscription
  std::string leader;    ///< URL of the master that serves it
  caf::timespan heartbeat_interval{};
  bool new_framework = false; ///< the master assigned a new framework id
  bool operator==(const subscription&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription& x) {
  return f(caf::meta::type_name("subscription"), x.framework_id, x.stream_id,
           x.leader, x.heartbeat_interval, x.new_framework);
}

/// The master removed the framework (failover timeout passed or torn down
/// elsewhere): every task it owned is gone.
struct framework_removed {
  std::string framework_id; ///< the id that is no longer valid
  std::string message;      ///< the master's ERROR text
  bool operator==(const framework_removed&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, framework_removed& x) {
  return f(caf::meta::type_name("framework_removed"), x.framework_id,
           x.message);
}

/// Bit of an event type in a listener's event mask.
constexpr std::uint32_t event_bit(protocol::event_type t) noexcept {
  return std::uint32_t{1} << static_cast<unsigned>(t);
}

/// Every event type, HEARTBEAT included.
inline constexpr std::uint32_t all_events = 0xffffffffu;

/// Every event type except HEARTBEAT (which the link itself consumes).
inline constexpr std::uint32_t all_but_heartbeats =
  all_events & ~event_bit(protocol::event_type::heartbeat);

// == master_link: calls =======================================================

/// The HTTP outcome of a call (any status: 202, 400 with the master's text,
/// 403 while disconnected...). Calls that got no response fail with an error
/// instead (call_timeout, call_failed, not_subscribed, overloaded).
struct call_outcome {
  std::uint16_t status = 0;
  std::string body;        ///< the response body, at most 64 KiB
  caf::timespan latency{}; ///< request sent to response received
  bool operator==(const call_outcome&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_outcome& x) {
  return f(caf::meta::type_name("call_outcome"), x.status, x.body, x.latency);
}

// == leader detection =========================================================

/// The leading master as a detector sees it; `url` is empty when there is
/// no leader.
struct leader_info {
  std::string url;       ///< e.g. "http://10.0.0.5:5050"
  std::string master_id; ///< MasterInfo.id
  std::string node;      ///< e.g. "json.info_0000000003"
  bool operator==(const leader_info&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leader_info& x) {
  return f(caf::meta::type_name("leader_info"), x.url, x.master_id, x.node);
}

// == master_link: metrics =====================================================

/// A latency histogram in seconds (Prometheus style, non-cumulative counts;
/// counts has one more element than bounds: the +Inf bucket).
struct latency_histogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;

  /// An empty histogram with these upper bounds (ascending).
  static latency_histogram with_bounds(std::vector<double> upper) {
    latency_histogram h;
    h.counts.assign(upper.size() + 1, 0);
    h.bounds = std::move(upper);
    return h;
  }

  /// Counts one observation of `seconds`.
  void observe(double seconds) {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
      ++i;
    if (i < counts.size())
      ++counts[i];
    sum += seconds;
    ++count;
  }
};

/// Connection state and counters of master_link, for /metrics and /readyz.
struct link_metrics {
  bool connected = false;          ///< subscribed right now
  std::string phase;               ///< e.g. "subscribed", "backoff"
  std::string leader;              ///< URL of the current (or last) master
  std::string framework_id;        ///< "" before the first SUBSCRIBED
  std::uint64_t subscriptions = 0; ///< successful SUBSCRIBEDs
  /// Subscriptions served by another master than the one before.
  std::uint64_t leader_changes = 0;
  unsigned consecutive_failures = 0; ///< since the last SUBSCRIBED
  std::map<std::string, std::uint64_t> reconnects; ///< by reason
  std::uint64_t heartbeats = 0;
  std::map<std::string, std::uint64_t> events; ///< by event type name
  /// Calls by (type name, HTTP status); status 0 means no response.
  std::map<std::pair<std::string, std::uint16_t>, std::uint64_t> calls;
  latency_histogram call_latency;
};

// == master_link: internal messages from the transport ========================

/// Response head of a SUBSCRIBE request (for non-200 also its short body).
struct stream_head {
  std::uint64_t gen = 0; ///< attempt the response belongs to
  std::uint16_t status = 0;
  std::string stream_id; ///< Mesos-Stream-Id
  std::string location;  ///< Location (307)
  std::string body;      ///< body of a non-200 response, at most 4 KiB
  bool operator==(const stream_head&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_head& x) {
  return f(caf::meta::type_name("stream_head"), x.gen, x.status, x.stream_id,
           x.location, x.body);
}

/// A SUBSCRIBE stream (or the attempt to open it) ended.
struct stream_closed {
  std::uint64_t gen = 0;
  bool clean = false; ///< the master ended the body (0\r\n\r\n)
  std::string reason; ///< e.g. "connection refused", "stream cut"
  bool operator==(const stream_closed&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_closed& x) {
  return f(caf::meta::type_name("stream_closed"), x.gen, x.clean, x.reason);
}

/// The result of one call on the call connections.
struct call_result {
  std::uint64_t id = 0;
  std::uint16_t status = 0; ///< 0: no HTTP response (see error)
  std::string body;
  std::string error; ///< why there is no response
  bool operator==(const call_result&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_result& x) {
  return f(caf::meta::type_name("call_result"), x.id, x.status, x.body,
           x.error);
}

// == zk_detector: internal messages from ZooKeeper's threads ==================

/// Children of the masters' group node (zoo_awget_children completion).
struct zk_children {
  std::uint64_t session = 0; ///< which ZooKeeper handle produced it
  std::int32_t rc = 0;       ///< ZOK, ZNONODE, ZCONNECTIONLOSS, ...
  std::vector<std::string> names;
  bool operator==(const zk_children&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, zk_children& x) {
  return f(caf::meta::type_name("zk_children"), x.session, x.rc, x.names);
}

/// Data of one child (zoo_aget completion).
struct zk_node {
  std::uint64_t session = 0;
  std::int32_t rc = 0;
  std::string name;
  std::string data;
  bool operator==(const zk_node&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, zk_node& x) {
  return f(caf::meta::type_name("zk_node"), x.session, x.rc, x.name, x.data);
}

// == task_book: the API ======================================================

/// The answer of the task book to an API request: a JSON document, or an
/// error (code "invalid_argument", "not_found", "failed_precondition",
/// "conflict", "unavailable") with a message naming what was wrong.
struct api_reply {
  std::string code;     ///< empty on success
  std::string message;  ///< the error's text
  std::string field;    ///< the offending field, if any
  bool created = false; ///< submit: a new task (not a known key)
  std::string json;     ///< the document on success
  bool operator==(const api_reply&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_reply& x) {
  return f(caf::meta::type_name("api_reply"), x.code, x.message, x.field,
           x.created, x.json);
}

/// A page request of GET /v1/tasks.
struct list_request {
  std::string state;       ///< a phase name ("queued", "running"...), or ""
  std::string key;         ///< key prefix, or ""
  std::uint64_t after = 0; ///< cursor: task ids greater than this
  std::uint32_t limit = 100;
  bool operator==(const list_request&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_request& x) {
  return f(caf::meta::type_name("list_request"), x.state, x.key, x.after,
           x.limit);
}

// == offer_matcher <-> task_book
// ===============================================

/// A task the matcher wrote into an ACCEPT, before the ACCEPT goes out.
struct launch_item {
  std::uint64_t task = 0;
  std::uint32_t attempt = 0;
  std::string agent_id;
  std::string hostname;
  bool operator==(const launch_item&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, launch_item& x) {
  return f(caf::meta::type_name("launch_item"), x.task, x.attempt, x.agent_id,
           x.hostname);
}

/// The launches of one matching pass.
struct launch_request {
  std::vector<launch_item> items;
  bool operator==(const launch_request&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, launch_request& x) {
  return f(caf::meta::type_name("launch_request"), x.items);
}

/// The book's answer, sent once the accepted launches are durable: the
/// tasks it refused (killed or changed meanwhile) must be left out.
struct launch_reply {
  std::vector<std::uint64_t> refused;
  bool operator==(const launch_reply&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, launch_reply& x) {
  return f(caf::meta::type_name("launch_reply"), x.refused);
}

} // namespace outrigger

namespace outrigger::scheduling {
struct book_notices;
} // namespace outrigger::scheduling

namespace outrigger {

/// Changes of the task book the matcher must hear about (shared, read-only).
using notices_ptr = std::shared_ptr<const scheduling::book_notices>;

// == scheduling metrics =======================================================

/// Counters and gauges of the task book and its status tracker.
struct book_metrics {
  std::map<std::string, std::uint64_t> tasks; ///< by phase name
  std::map<std::pair<std::string, std::string>, std::uint64_t>
    results;                        ///< terminal results by (state, reason)
  std::uint64_t results_cursor = 0; ///< newest result
  std::uint64_t results_read = 0;   ///< highest cursor handed to a reader
  std::uint64_t launches = 0;       ///< attempts written into ACCEPTs
  std::uint64_t retries = 0;        ///< attempts after the first
  std::uint64_t updates = 0;        ///< status updates applied or not
  std::uint64_t acks = 0;           ///< ACKNOWLEDGEs sent
  std::uint64_t kills_sent = 0;
  std::uint64_t reconcile_rounds = 0; ///< explicit rounds (subscriptions)
  std::uint64_t reconcile_calls = 0;
  std::uint64_t commits = 0;
  std::uint64_t store_bytes = 0;       ///< log bytes since the last snapshot
  double oldest_queued_seconds = 0;    ///< age of the oldest queued task
  latency_histogram commit_latency;    ///< store commit, seconds
  latency_histogram event_latency;     ///< UPDATE received to applied+durable
  latency_histogram submit_to_running; ///< submission to first RUNNING
};

/// Counters and gauges of the offer matcher.
struct matcher_metrics {
  std::uint64_t offers_received = 0;
  std::uint64_t offers_accepted = 0;
  std::uint64_t offers_declined = 0;
  std::uint64_t offers_rescinded = 0;
  std::uint64_t offers_held = 0;
  std::uint64_t pending = 0; ///< tasks waiting for an offer
  std::uint64_t groups = 0;  ///< their groups
  std::uint64_t passes = 0;
  std::uint64_t launches = 0; ///< tasks sent in ACCEPTs
  std::uint64_t revives = 0;
  std::uint64_t suppresses = 0;
  latency_histogram hold_time; ///< offer received to accepted/declined
  latency_histogram pass_time; ///< one matching pass
};

} // namespace outrigger

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::notices_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::book_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::matcher_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::event_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::protocol::Call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::link_metrics)

// == type IDs and atoms =======================================================

CAF_BEGIN_TYPE_ID_BLOCK(outrigger, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(outrigger, (outrigger::subscription))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::framework_removed))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::call_outcome))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::leader_info))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::stream_head))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::stream_closed))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::call_result))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::zk_children))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::zk_node))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::api_reply))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::list_request))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::launch_item))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::launch_request))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::launch_reply))

  // -- master_link, public
  CAF_ADD_ATOM(outrigger, outrigger::atom, call, "call")
  CAF_ADD_ATOM(outrigger, outrigger::atom, subscribe, "subscribe")
  CAF_ADD_ATOM(outrigger, outrigger::atom, disconnect, "disconnect")
  CAF_ADD_ATOM(outrigger, outrigger::atom, teardown, "teardown")
  CAF_ADD_ATOM(outrigger, outrigger::atom, metrics, "metrics")
  CAF_ADD_ATOM(outrigger, outrigger::atom, leader, "leader")
  // -- link listeners
  CAF_ADD_ATOM(outrigger, outrigger::atom, event, "event")
  CAF_ADD_ATOM(outrigger, outrigger::atom, link_up, "link_up")
  CAF_ADD_ATOM(outrigger, outrigger::atom, link_down, "link_down")
  CAF_ADD_ATOM(outrigger, outrigger::atom, fw_removed, "fw_removed")
  // -- master_link, internal (transport and timers)
  CAF_ADD_ATOM(outrigger, outrigger::atom, stream_hd, "stream_hd")
  CAF_ADD_ATOM(outrigger, outrigger::atom, stream_ev, "stream_ev")
  CAF_ADD_ATOM(outrigger, outrigger::atom, stream_end, "stream_end")
  CAF_ADD_ATOM(outrigger, outrigger::atom, call_done, "call_done")
  CAF_ADD_ATOM(outrigger, outrigger::atom, retry, "retry")
  CAF_ADD_ATOM(outrigger, outrigger::atom, sub_timeout, "sub_tmo")
  CAF_ADD_ATOM(outrigger, outrigger::atom, hb_tick, "hb_tick")
  CAF_ADD_ATOM(outrigger, outrigger::atom, call_timeout, "call_tmo")
  // -- framework id store
  CAF_ADD_ATOM(outrigger, outrigger::atom, load, "load")
  CAF_ADD_ATOM(outrigger, outrigger::atom, store, "store")
  CAF_ADD_ATOM(outrigger, outrigger::atom, erase, "erase")
  // -- zk_detector, internal (ZooKeeper threads and timers)
  CAF_ADD_ATOM(outrigger, outrigger::atom, zk_state, "zk_state")
  CAF_ADD_ATOM(outrigger, outrigger::atom, zk_watch, "zk_watch")
  CAF_ADD_ATOM(outrigger, outrigger::atom, zk_kids, "zk_kids")
  CAF_ADD_ATOM(outrigger, outrigger::atom, zk_data, "zk_data")
  CAF_ADD_ATOM(outrigger, outrigger::atom, zk_exists, "zk_exists")
  CAF_ADD_ATOM(outrigger, outrigger::atom, zk_retry, "zk_retry")
  // -- task book and offer matcher
  CAF_ADD_ATOM(outrigger, outrigger::atom, submit, "submit")
  CAF_ADD_ATOM(outrigger, outrigger::atom, get, "get")
  CAF_ADD_ATOM(outrigger, outrigger::atom, list, "list")
  CAF_ADD_ATOM(outrigger, outrigger::atom, kill, "kill")
  CAF_ADD_ATOM(outrigger, outrigger::atom, results, "results")
  CAF_ADD_ATOM(outrigger, outrigger::atom, framework, "framework")
  CAF_ADD_ATOM(outrigger, outrigger::atom, launch, "launch")
  CAF_ADD_ATOM(outrigger, outrigger::atom, notices, "notices")
  CAF_ADD_ATOM(outrigger, outrigger::atom, reason, "reason")
  CAF_ADD_ATOM(outrigger, outrigger::atom, connect, "connect")
  CAF_ADD_ATOM(outrigger, outrigger::atom, commit, "commit")
  CAF_ADD_ATOM(outrigger, outrigger::atom, tick, "tick")
  CAF_ADD_ATOM(outrigger, outrigger::atom, wake, "wake")
  CAF_ADD_ATOM(outrigger, outrigger::atom, pass, "pass")

CAF_END_TYPE_ID_BLOCK(outrigger)

namespace outrigger {

// == interfaces ===============================================================

/// Receives the events and connection changes of master_link.
using link_listener_actor = caf::typed_actor<
  // An event from the master, of a type the listener asked for. Events of a
  // subscription always follow its link_up.
  caf::reacts_to<atom::event, event_ptr>,
  // Subscribed (again); the framework id is already stored durably.
  caf::reacts_to<atom::link_up, subscription>,
  // The subscription ended (reason); calls fail with not_subscribed until
  // the next link_up.
  caf::reacts_to<atom::link_down, std::string>,
  // The master removed the framework: the tasks it owned are gone. A new
  // framework is subscribed next (or the link stops, per configuration).
  caf::reacts_to<atom::fw_removed, framework_removed>>;

/// Learns who leads.
using leader_listener_actor = caf::typed_actor<
  // The current leader (url empty: none). Sent at once on subscription and
  // on every change.
  caf::reacts_to<atom::leader, leader_info>>;

/// Anything that detects the leader (zk_detector); master_link needs only
/// this.
using leader_source_actor = caf::typed_actor<
  // Adds a listener; it receives the current leader at once.
  caf::reacts_to<atom::subscribe, leader_listener_actor>>;

/// Where master_link keeps the framework id between runs (the task book
/// implements it).
using framework_id_store_actor = caf::typed_actor<
  // The stored framework id, "" when there is none.
  caf::replies_to<atom::load>::with<std::string>,
  // Stores the id durably; the (empty) reply means it is on disk.
  caf::reacts_to<atom::store, std::string>,
  // Forgets the id durably (the framework was removed or torn down).
  caf::reacts_to<atom::erase>>;

/// What the HTTP transport reports to master_link (internal).
using link_transport_sink_actor = caf::typed_actor<
  // The head of a SUBSCRIBE response (any status).
  caf::reacts_to<atom::stream_hd, stream_head>,
  // One decoded event of the SUBSCRIBE stream of attempt `gen`.
  caf::reacts_to<atom::stream_ev, std::uint64_t, event_ptr>,
  // The stream or the attempt ended.
  caf::reacts_to<atom::stream_end, stream_closed>,
  // A call finished (response or failure).
  caf::reacts_to<atom::call_done, call_result>>;

/// The master connection.
using master_link_actor = caf::typed_actor<
  // Sends a call (framework_id filled in when absent) on the call
  // connection; replies with its HTTP outcome or an error (not_subscribed,
  // overloaded, call_timeout, call_failed).
  caf::replies_to<atom::call, protocol::Call>::with<call_outcome>,
  // Adds a listener for the event types in the mask (see event_bit); a
  // listener added while subscribed receives link_up at once.
  caf::reacts_to<atom::subscribe, link_listener_actor, std::uint32_t>,
  // A leader change from the detector (zk:// configurations).
  caf::reacts_to<atom::leader, leader_info>,
  // Connection state and counters.
  caf::replies_to<atom::metrics>::with<link_metrics>,
  // Closes the stream without tearing the framework down (tasks keep
  // running, the next start resumes them) and stops the link.
  caf::reacts_to<atom::disconnect>,
  // Tears the framework down (kills all its tasks), forgets the stored id
  // and stops the link; replies with the TEARDOWN call's outcome.
  caf::replies_to<atom::teardown>::with<call_outcome>,
  // -- timers (self-sent through CAF, so tests control them) --
  // Backoff elapsed for attempt token.
  caf::reacts_to<atom::retry, std::uint64_t>,
  // SUBSCRIBE attempt gen did not reach SUBSCRIBED in time.
  caf::reacts_to<atom::sub_timeout, std::uint64_t>,
  // Heartbeat watchdog period of subscription gen.
  caf::reacts_to<atom::hb_tick, std::uint64_t>,
  // Call id got no response in time.
  caf::reacts_to<atom::call_timeout,
                 std::uint64_t>>::extend_with<link_transport_sink_actor>;

/// What ZooKeeper's threads report to zk_detector (internal).
using zk_sink_actor = caf::typed_actor<
  // Session state change (ZOO_CONNECTED_STATE, ZOO_EXPIRED_SESSION_STATE...)
  // of handle `session`.
  caf::reacts_to<atom::zk_state, std::uint64_t, std::int32_t>,
  // A watch fired: event type (ZOO_CHILD_EVENT...) and path.
  caf::reacts_to<atom::zk_watch, std::uint64_t, std::int32_t, std::string>,
  // Children of the group node.
  caf::reacts_to<atom::zk_kids, zk_children>,
  // Data of one child.
  caf::reacts_to<atom::zk_data, zk_node>,
  // zoo_awexists completion for the group node: rc.
  caf::reacts_to<atom::zk_exists, std::uint64_t, std::int32_t>,
  // Timer: re-create the session (after expiry) / retry reading.
  caf::reacts_to<atom::zk_retry, std::uint64_t>>;

/// The ZooKeeper leader detector.
using zk_detector_actor = caf::typed_actor<
  // Adds a leader listener; it receives the current leader at once.
  caf::reacts_to<atom::subscribe, leader_listener_actor>,
  // The current leader.
  caf::replies_to<atom::leader>::with<leader_info>>::extend_with<zk_sink_actor>;

// == task_book and offer_matcher =============================================

/// Where the matcher asks before it sends an ACCEPT (the task book).
using launch_gate_actor = caf::typed_actor<
  // Records the launches durably; replies with the refused ones once the
  // others are on disk. Only then may the ACCEPT go out.
  caf::replies_to<atom::launch, launch_request>::with<launch_reply>>;

/// Who hears about queued, withdrawn and ended tasks (the offer matcher).
using notice_sink_actor = caf::typed_actor<
  // Changes of the book after they are durable.
  caf::reacts_to<atom::notices, notices_ptr>,
  // Why task `id` is still pending ("" when the matcher does not hold it).
  caf::replies_to<atom::reason, std::uint64_t>::with<std::string>>;

/// The task book: tasks, results and the framework id, with the status
/// tracker's work (UPDATEs, ACKs after persistence, reconciliation, KILL
/// retries) and the state store. Detached: it waits for fsync.
using task_book_actor = caf::typed_actor<
  // Submits a task (the API body as JSON text); replies once durable.
  caf::replies_to<atom::submit, std::string>::with<api_reply>,
  // The task with this id, with its attempts and pending reason.
  caf::replies_to<atom::get, std::uint64_t>::with<api_reply>,
  // A page of tasks.
  caf::replies_to<atom::list, list_request>::with<api_reply>,
  // Kills a task; replies once the decision is durable.
  caf::replies_to<atom::kill, std::uint64_t>::with<api_reply>,
  // Results after a cursor, at most `limit`; waits up to `wait` for the
  // first one when there is none yet (long poll).
  caf::replies_to<atom::results, std::uint64_t, std::uint32_t,
                  caf::timespan>::with<api_reply>,
  // Framework id, counts and the results cursor as JSON (GET /v1/framework).
  caf::replies_to<atom::framework>::with<api_reply>,
  // Counters for /metrics.
  caf::replies_to<atom::metrics>::with<book_metrics>,
  // Uses this link for calls (ACKNOWLEDGE, KILL, RECONCILE).
  caf::reacts_to<atom::connect, master_link_actor>,
  // Sends notices to this sink (and asks it for pending reasons).
  caf::reacts_to<atom::connect, notice_sink_actor>,
  // -- internal, self-sent --
  // Group commit: everything appended before this message becomes durable.
  caf::reacts_to<atom::commit>,
  // Timer of the status tracker (token: the schedule it belongs to).
  caf::reacts_to<atom::tick, std::uint64_t>,
  // A long-poll waiter's time is up.
  caf::reacts_to<atom::wake, std::uint64_t>>::extend_with<launch_gate_actor>::
  extend_with<framework_id_store_actor>::extend_with<link_listener_actor>;

/// The offer matcher.
using offer_matcher_actor = caf::typed_actor<
  // Uses this link for ACCEPT, DECLINE, REVIVE and SUPPRESS.
  caf::reacts_to<atom::connect, master_link_actor>,
  // Counters for /metrics.
  caf::replies_to<atom::metrics>::with<matcher_metrics>,
  // -- internal, self-sent --
  // Runs a matching pass (coalesces: one pass for a burst of changes).
  caf::reacts_to<atom::pass>,
  // Timer (token: the schedule it belongs to).
  caf::reacts_to<atom::tick, std::uint64_t>>::extend_with<notice_sink_actor>::
  extend_with<link_listener_actor>;

} // namespace outrigger
