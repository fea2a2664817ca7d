#pragma once
// The real transport of master_link, on Beast: the SUBSCRIBE stream (chunked
// RecordIO parsed incrementally as bytes arrive, events decoded on the I/O
// thread and handed to the link with anon_send) and a pool of keep-alive
// call connections, separate from the stream's. HTTP basic authentication
// and TLS with CA and host name verification (or an explicit opt-out).
//
// Only http_transport.cpp includes Beast; this header forward-declares the
// io_context so that the app's wiring code stays free of Asio.

#include "actors/credentials.hpp"
#include "actors/master_link/transport.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::link {

/// Settings of the HTTP transport.
struct http_transport_config {
  /// Basic authentication; never logged.
  std::optional<credentials> auth;
  /// Verify the master's certificate and host name (https). Turning it off
  /// is an explicit, logged decision.
  bool tls_verify = true;
  /// PEM file of trusted CAs; empty: the system's default paths.
  std::string ca_file;
  /// Directory of trusted CAs (c_rehash layout), optional.
  std::string ca_path;
  /// Idle keep-alive call connections kept per master.
  std::size_t max_idle_connections = 8;
  /// Keep-alive connections per master that fire-and-forget calls
  /// (ACKNOWLEDGE) are pipelined on, apart from the call connections.
  std::size_t ack_connections = 2;
  /// Pipelined calls written and not yet answered, per connection; more
  /// wait in the transport until answers come back.
  std::size_t max_pipelined = 1024;
  /// Largest RecordIO record accepted on the stream.
  std::size_t max_record_size = 64u << 20;
  /// Largest call response body.
  std::size_t max_call_body = 64u << 10;
  /// User-Agent header.
  std::string user_agent = "outrigger";
};

/// Creates the factory master_link uses. `ioc` must outlive every transport
/// it creates and be run by the caller (any number of threads: each
/// transport serializes its work on one strand). Fails (ec::bad_config)
/// when the CA file or directory cannot be loaded.
caf::expected<transport_factory>
make_http_transport(boost::asio::io_context& ioc, http_transport_config cfg);

} // namespace outrigger::link
