#pragma once
// The task book's message values: API replies and page requests, and the
// launch handshake with the offer matcher.

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace outrigger {

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

/// Where an attempt's sandbox is, for GET /v1/tasks/{id}/logs and /files
/// and the stderr tail of results. `code` is set when there is none: like
/// api_reply ("not_found": no such task or attempt; "failed_precondition":
/// never launched; "gone": no agent address is known).
struct sandbox_ref {
  std::string code;    ///< empty on success
  std::string message; ///< the error's text
  std::uint64_t task = 0;
  std::uint32_t attempt = 0; ///< the attempt's number
  std::string agent_id;      ///< Mesos agent id
  std::string agent_url;     ///< "http://host:port" of the agent
  std::string framework_id;  ///< the framework that launched it
  std::string executor_id;   ///< command tasks: the Mesos task id
  std::string mesos_task_id; ///< "or-<id>-<attempt>"
  std::string state;         ///< the attempt's state ("RUNNING", ...)
  bool ended = false;        ///< terminal: no more output will come
  bool operator==(const sandbox_ref&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sandbox_ref& x) {
  return f(caf::meta::type_name("sandbox_ref"), x.code, x.message, x.task,
           x.attempt, x.agent_id, x.agent_url, x.framework_id, x.executor_id,
           x.mesos_task_id, x.state, x.ended);
}

/// A page request of GET /v1/tasks.
struct list_request {
  std::string state;       ///< a phase name ("queued", "running"...), or ""
  std::string key;         ///< key prefix, or ""
  std::uint64_t after = 0; ///< cursor: task ids greater than this
  std::uint32_t limit = 100;
  std::string queue; ///< only this queue, or ""
  std::string role;  ///< only this role, or ""
  bool operator==(const list_request&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_request& x) {
  return f(caf::meta::type_name("list_request"), x.state, x.key, x.after,
           x.limit, x.queue, x.role);
}

// == offer_matcher <-> task_book
// ===============================================

/// A task the matcher wrote into an ACCEPT, before the ACCEPT goes out.
struct launch_item {
  std::uint64_t task = 0;
  std::uint32_t attempt = 0;
  std::string agent_id;
  std::string hostname;
  std::string agent_url; ///< "http://host:port" from the offer's url
  bool operator==(const launch_item&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, launch_item& x) {
  return f(caf::meta::type_name("launch_item"), x.task, x.attempt, x.agent_id,
           x.hostname, x.agent_url);
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

} // namespace outrigger

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::notices_ptr)
