#pragma once
// A loopback TCP relay between one simulated master's ZooKeeper client and
// the real servers, so that the master can die the way a process does.
//
// A Mesos master killed with SIGKILL never closes its ZooKeeper session: its
// connection just drops, and the server keeps the session, and the master's
// ephemeral node, until the session times out (design.md §M15). A simulated
// master lives in a process that goes on, and the C client offers no way to
// drop a connection without closing the session. So the client talks to
// ZooKeeper through this relay, and cut() drops every relayed connection and
// stops listening: the client is left disconnected and unable to reconnect,
// closing its handle then sends nothing, and the server expires the session
// on its own clock.

#include <memory>
#include <string>

namespace outrigger::sim {

/// A relay on 127.0.0.1 (an ephemeral port) to ZooKeeper servers.
class zk_relay {
public:
  /// Starts listening; each accepted connection is relayed to the first of
  /// `servers` ("host:port[,host:port...]") that accepts one.
  /// @throws std::runtime_error when it cannot listen.
  explicit zk_relay(const std::string& servers);

  /// Stops the relay (as cut()) and joins its thread.
  ~zk_relay();

  zk_relay(const zk_relay&) = delete;
  zk_relay& operator=(const zk_relay&) = delete;

  /// "127.0.0.1:<port>", the address to give the ZooKeeper client.
  std::string address() const;

  /// Drops every relayed connection and stops accepting new ones, for good.
  /// Any thread; returns once the sockets are closed.
  void cut();

private:
  class impl;
  std::unique_ptr<impl> impl_;
};

} // namespace outrigger::sim
