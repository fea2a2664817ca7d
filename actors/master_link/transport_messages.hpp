#pragma once
// What the HTTP transport reports to master_link (private to the link and
// its transports).

#include "actors/error.hpp"
#include "protocol/event.hpp"

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

/// Calls encoded once (JSON bodies) and sent without a reply to anyone:
/// the ACKNOWLEDGEs of one task book commit. Shared read-only.
struct encoded_calls {
  std::vector<std::string> bodies;
};

/// Encoded calls in flight between actors.
using encoded_calls_ptr = std::shared_ptr<const encoded_calls>;

/// What became of fire-and-forget calls (transport to link, for metrics).
struct ack_outcome {
  std::uint64_t accepted = 0;      ///< answered 2xx
  std::uint64_t rejected = 0;      ///< answered otherwise
  std::uint16_t reject_status = 0; ///< the status of the last rejection
  std::uint64_t lost = 0;          ///< no answer (connection failed)
  bool operator==(const ack_outcome&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack_outcome& x) {
  return f(caf::meta::type_name("ack_outcome"), x.accepted, x.rejected,
           x.reject_status, x.lost);
}

} // namespace outrigger

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(outrigger::encoded_calls_ptr)
