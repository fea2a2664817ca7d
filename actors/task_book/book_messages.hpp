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

} // namespace outrigger

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::notices_ptr)
