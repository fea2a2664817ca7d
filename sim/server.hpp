#pragma once
// The simulator's HTTP/1.1 server: serves one http_endpoint (one simulated
// master) over plain TCP or TLS, frames event streams as chunked bodies the
// way a Mesos master does, and drives the endpoint's clock. Beast lives in
// server.cpp only; this header costs its users no Asio.
//
// Threading: everything runs on the thread that runs the io_context given
// to the constructor (one thread: the endpoint is never touched concurrently).
// post() is the only member safe to call from other threads; start() may be
// called before that thread runs; every other member belongs on the io
// thread (from elsewhere, wrap it: `io.call([&] { srv.cut_streams(); })`).
// Destroy the server on the io thread, or after the io thread has stopped.

#include "sim/endpoint.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::sim {

namespace detail {
class server_core;
} // namespace detail

/// PEM files for a TLS listener.
struct tls_files {
  std::string certificate_chain; ///< the server certificate (+ chain)
  std::string private_key;       ///< its key, unencrypted
};

/// How a server listens and what it tolerates.
struct server_options {
  /// Address to bind (IPv4 or IPv6 literal).
  std::string address = "127.0.0.1";
  /// Port to bind; 0 picks a free one (see server::port()).
  std::uint16_t port = 0;
  /// Largest request body; bigger ones get 413 and the connection closes.
  std::size_t body_limit = 1u << 20;
  /// Largest request head (request line + headers); bigger ones get 431.
  std::size_t header_limit = 16u << 10;
  /// Open connections at most; further ones are closed right after accept.
  std::size_t max_connections = 1024;
  /// A connection waiting for a request this long is closed. Connections
  /// carrying an event stream never time out this way.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(75)};
  /// A write (one batch of queued bytes) taking longer closes the connection.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  /// The endpoint's clock advances at least this often, even when its
  /// next_deadline() says nothing is due (a safety net).
  std::chrono::milliseconds tick{100};
  /// Bytes queued for one connection before it counts as stuck and is cut.
  std::size_t max_queued_bytes = 64u << 20;
  /// TLS certificate and key; plain HTTP when unset.
  std::optional<tls_files> tls;
  /// Where unexpected errors go (one line each); dropped when empty.
  std::function<void(std::string_view)> log;
};

/// An HTTP/1.1 server for one http_endpoint.
class server {
public:
  /// Prepares a server for `endpoint` on `context`; nothing listens yet.
  /// @param endpoint must outlive the server.
  server(boost::asio::io_context& context, http_endpoint& endpoint,
         server_options options = {});

  /// Closes the listener and every connection without telling the endpoint.
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, listens and starts accepting; returns the bound port.
  /// @throws std::runtime_error when the address cannot be bound (or the
  ///   TLS files cannot be loaded).
  std::uint16_t start();

  /// The bound port (0 before start()). Any thread.
  std::uint16_t port() const noexcept;

  /// Runs `fn` on the io thread, then advances the endpoint and writes its
  /// output, so that effects of `fn` on the endpoint reach the streams at
  /// once. Thread-safe; this is how tests and admin code reach the endpoint.
  void post(std::function<void()> fn);

  /// Advances the endpoint and dispatches its output soon (coalesced). For
  /// code that changed the endpoint's state on the io thread by other means
  /// (a task runtime's report, a ZooKeeper callback).
  void poke();

  /// Holds every response (and stream head) for `delay` before writing it;
  /// zero turns the delay off. Fault injection: a slow master.
  void set_response_delay(std::chrono::milliseconds delay);

  /// Closes the listening socket: new connections are refused, open ones
  /// continue. Fault injection: a master that stopped accepting.
  void stop_accepting();

  /// Listens again on the same port after stop_accepting(); returns it.
  /// @throws std::runtime_error when the port cannot be bound again.
  std::uint16_t resume_accepting();

  /// Cuts every connection that carries an event stream (no terminating
  /// chunk) and tells the endpoint through stream_closed(). Fault
  /// injection: the network between master and schedulers broke.
  void cut_streams();

  /// Stops accepting and cuts every connection, streams included, without
  /// telling the endpoint. Fault injection: the master process died.
  void close_all();

  /// Open connections.
  std::size_t connection_count() const noexcept;

  /// Open event streams.
  std::size_t stream_count() const noexcept;

private:
  std::shared_ptr<detail::server_core> core_;
};

} // namespace outrigger::sim
