#pragma once
// The typed actor interfaces of outrigger's actors and their atoms, in one
// place (the Broker/VAST pattern of the style guide); each handler has a
// comment saying what it means. The message values live beside their actors
// (master_link/link_messages.hpp, master_link/transport_messages.hpp,
// zk_detector/zk_messages.hpp, task_book/book_messages.hpp) and the metrics
// snapshots in metrics_snapshots.hpp; this header includes them all, since
// the type ID block below names every message type.
//
// Protocol values (protocol::Call, events) only travel in-process, so they
// are CAF_ALLOW_UNSAFE_MESSAGE_TYPE; the small structs declared here are
// inspectable so that CAF's test DSL can print and compare them.

#include "actors/error.hpp"
#include "actors/master_link/link_messages.hpp"
#include "actors/master_link/transport_messages.hpp"
#include "actors/metrics_snapshots.hpp"
#include "actors/task_book/book_messages.hpp"
#include "actors/zk_detector/zk_messages.hpp"
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

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::protocol::Call)

// == type IDs and atoms =======================================================

CAF_BEGIN_TYPE_ID_BLOCK(outrigger, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(outrigger, (outrigger::subscription))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::framework_removed))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::call_outcome))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::leader_info))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::stream_head))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::stream_closed))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::call_result))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::ack_outcome))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::zk_children))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::zk_node))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::api_reply))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::list_request))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::launch_item))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::launch_request))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::launch_reply))
  CAF_ADD_TYPE_ID(outrigger, (outrigger::sandbox_ref))

  // -- master_link, public
  CAF_ADD_ATOM(outrigger, outrigger::atom, call, "call")
  CAF_ADD_ATOM(outrigger, outrigger::atom, subscribe, "subscribe")
  CAF_ADD_ATOM(outrigger, outrigger::atom, disconnect, "disconnect")
  CAF_ADD_ATOM(outrigger, outrigger::atom, teardown, "teardown")
  CAF_ADD_ATOM(outrigger, outrigger::atom, metrics, "metrics")
  CAF_ADD_ATOM(outrigger, outrigger::atom, leader, "leader")
  CAF_ADD_ATOM(outrigger, outrigger::atom, acks, "acks")
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
  CAF_ADD_ATOM(outrigger, outrigger::atom, acks_done, "acks_done")
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
  // -- task output (sandbox logs, stderr tails)
  CAF_ADD_ATOM(outrigger, outrigger::atom, sandbox, "sandbox")
  CAF_ADD_ATOM(outrigger, outrigger::atom, tail, "tail")

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
  caf::reacts_to<atom::call_done, call_result>,
  // Fire-and-forget calls were answered or lost.
  caf::reacts_to<atom::acks_done, ack_outcome>>;

/// The master connection.
using master_link_actor = caf::typed_actor<
  // Sends a call (framework_id filled in when absent) on the call
  // connection; replies with its HTTP outcome or an error (not_subscribed,
  // overloaded, call_timeout, call_failed).
  caf::replies_to<atom::call, protocol::Call>::with<call_outcome>,
  // Sends encoded ACKNOWLEDGEs pipelined, without a reply: a lost ACK is
  // safe (the agent re-sends the update until one arrives). Bounded;
  // dropped ones are counted.
  caf::reacts_to<atom::acks, encoded_calls_ptr>,
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

/// Fetches the end of an attempt's stderr from its agent (app/, on Asio):
/// "" when it cannot; the text is valid UTF-8 and bounded.
using stderr_tail_actor =
  caf::typed_actor<caf::replies_to<atom::tail, sandbox_ref>::with<std::string>>;

/// The task book: tasks, results and the framework id, with the status
/// tracker's work (UPDATEs, ACKs after persistence, reconciliation, KILL
/// retries) and the state store. Detached: it waits for fsync.
using task_book_actor = caf::typed_actor<
  // Submits a task (the API body as JSON text); replies once durable.
  caf::replies_to<atom::submit, std::string>::with<api_reply>,
  // The same, recording the submitter (the API token's name).
  caf::replies_to<atom::submit, std::string, std::string>::with<api_reply>,
  // The task with this id, with its attempts and pending reason.
  caf::replies_to<atom::get, std::uint64_t>::with<api_reply>,
  // A page of tasks.
  caf::replies_to<atom::list, list_request>::with<api_reply>,
  // Kills a task; replies once the decision is durable.
  caf::replies_to<atom::kill, std::uint64_t>::with<api_reply>,
  // Kills a task only if `owner` submitted it (permission_denied else).
  caf::replies_to<atom::kill, std::uint64_t, std::string>::with<api_reply>,
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
  // Where attempt N (0: the latest) of a task ran, for its logs.
  caf::replies_to<atom::sandbox, std::uint64_t,
                  std::uint32_t>::with<sandbox_ref>,
  // Fetches stderr tails from this actor before applying terminal updates
  // that are not TASK_FINISHED (the tail goes into the result).
  caf::reacts_to<atom::connect, stderr_tail_actor>,
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
