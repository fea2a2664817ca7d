#pragma once
// What master_link asks of the network, as an interface: the Beast
// implementation (http_transport.hpp) in the service, a fake in the actor's
// unit tests. Implementations do the I/O on their own threads and report
// every result to the link with anon_send; no method blocks. The transport
// has no timers: timeouts are the link's (CAF) timers, so tests control time.

#include "actors/master_link/master_address.hpp"
#include "actors/messages.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace outrigger::link {

/// The link's view of the network.
class transport {
public:
  virtual ~transport() = default;

  /// Opens a SUBSCRIBE stream: POST `body` to `url`. Reports stream_hd once
  /// the response head arrived, stream_ev for each decoded event, and one
  /// stream_end when the stream or the attempt ends, all tagged `gen`.
  virtual void open_stream(std::uint64_t gen, const master_url& url,
                           std::string body) = 0;

  /// Drops stream `gen`; nothing more is reported for it.
  virtual void close_stream(std::uint64_t gen) = 0;

  /// Sends one call with `Mesos-Stream-Id: stream_id` on a call connection
  /// (never the stream's); reports call_done with `id`.
  virtual void send_call(std::uint64_t id, const master_url& url,
                         const std::string& stream_id, std::string body) = 0;

  /// Sends encoded calls with `Mesos-Stream-Id: stream_id`, pipelined on a
  /// few keep-alive connections of their own, without waiting for each
  /// answer; reports acks_done with what became of them (every call is
  /// accounted for once, answered or lost).
  virtual void send_acks(const master_url& url, const std::string& stream_id,
                         encoded_calls_ptr calls) = 0;

  /// Abandons call `id` (its timeout passed) and closes its connection;
  /// nothing more is reported for it.
  virtual void cancel_call(std::uint64_t id) = 0;

  /// Closes every connection; the link is stopping.
  virtual void shutdown() = 0;
};

using transport_ptr = std::shared_ptr<transport>;

/// Creates the transport of one link; results go to `sink`.
using transport_factory =
  std::function<transport_ptr(link_transport_sink_actor sink)>;

} // namespace outrigger::link
