#pragma once
// A private ZooKeeper server for tests: Debian's `zookeeper` package (3.8)
// started straight from its jar on 127.0.0.1, a free port and a temporary
// data directory, so that suites run in parallel and never touch a system
// ZooKeeper. It can be stopped and restarted on the same port and data
// (outages), and it can expire a client's session on demand.
//
// The server dies with the thread that started it (PR_SET_PDEATHSIG), so a
// crashed test run leaves no JVM behind: start it from a thread that lives
// as long as the fixture (the test's main thread, typically).

#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace outrigger::test {

/// What a zk_server runs and how long it waits for it.
struct zk_server_options {
  /// ZooKeeper's tick. Session timeouts are bounded by the server to
  /// [minSessionTimeout, maxSessionTimeout], set to [1 s, 60 s] here.
  std::chrono::milliseconds tick{200};
  /// How long start() waits for the server to serve.
  std::chrono::seconds start_timeout{60};
  /// The java binary; the environment variable OUTRIGGER_JAVA overrides it.
  std::string java = "java";
  /// Class path (the jar's manifest names its dependencies; slf4j-simple
  /// makes it log into zookeeper.log); OUTRIGGER_ZK_CLASSPATH overrides it.
  std::string classpath =
    "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
  /// fsync the transaction log (forceSync=yes) and preallocate it as a
  /// production server does. Off for tests, on for honest benchmarks.
  bool durable = false;
  /// The JVM's heap (-Xmx): ZooKeeper keeps every node in memory.
  std::string heap = "128m";
  /// Member `myid` (1, 2, ...) of an ensemble (zk_ensemble): a fixed client
  /// port, the server.N lines in `quorum_config`, and the constructor does
  /// not wait (no member serves before a quorum runs). 0 = standalone.
  int myid = 0;
  std::uint16_t client_port = 0;
  std::string quorum_config;
};

/// A running standalone ZooKeeper server on 127.0.0.1.
class zk_server {
public:
  /// Writes zoo.cfg, starts the server and waits until it serves.
  /// @throws std::runtime_error when it does not serve within the start
  ///   timeout (the message carries the tail of its log).
  explicit zk_server(zk_server_options options = {});

  /// Stops the server and deletes its directory.
  ~zk_server();

  zk_server(const zk_server&) = delete;
  zk_server& operator=(const zk_server&) = delete;

  /// Stops the server: SIGTERM (or SIGKILL at once when not `graceful`),
  /// SIGKILL after 10 s; waits for the process. Sessions and data survive
  /// on disk. Idempotent.
  void stop(bool graceful = true);

  /// Starts the stopped server again on the same port and data directory.
  /// @throws std::runtime_error as the constructor.
  void start();

  /// True when the server answers "srvr" as serving (in an ensemble: it is
  /// the leader or a follower of a running quorum).
  bool serving() const;

  /// True while the server process runs.
  bool running() const noexcept { return pid_ > 0; }

  /// The client port.
  std::uint16_t port() const noexcept { return port_; }

  /// "127.0.0.1:<port>", for zookeeper_init and zk:// URLs.
  std::string connect_string() const;

  /// Sends a four-letter command ("ruok", "srvr") and returns the answer,
  /// or "" when the server does not answer.
  std::string four_letter(std::string_view command) const;

  /// Expires a client's session the classic way: a second client joins the
  /// session with its id and password, then closes it. The first client sees
  /// ZOO_EXPIRED_SESSION_STATE on its next contact. Joins again until a
  /// join finds the session expired (the owner may take it back in between).
  /// Returns false when the session had expired already or the expiry could
  /// not be confirmed within `timeout`.
  bool expire_session(
    std::int64_t session_id, std::string_view password,
    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  /// The server's directory (zoo.cfg, data/, zookeeper.log).
  const std::filesystem::path& directory() const noexcept {
    return dir_.path();
  }

private:
  friend class zk_ensemble; // its error message carries a member's log
  void write_config() const;
  void launch();
  bool wait_until_serving();
  std::string log_tail() const;

  zk_server_options options_;
  temp_dir dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

/// A loopback TCP port that is free right now.
std::uint16_t free_loopback_port();

/// A local ZooKeeper ensemble of zk_servers on 127.0.0.1 (benchmarks of
/// replicated writes): every member has its own client, peer and election
/// port and directory.
class zk_ensemble {
public:
  /// Starts `size` members and waits until all of them serve.
  /// @throws std::runtime_error when they do not within the start timeout.
  explicit zk_ensemble(std::size_t size = 3, zk_server_options options = {});

  /// "127.0.0.1:p1,127.0.0.1:p2,...", for zookeeper_init.
  std::string connect_string() const;

  /// Member i (0-based; its myid is i + 1).
  zk_server& member(std::size_t i) { return *members_.at(i); }

  std::size_t size() const noexcept { return members_.size(); }

private:
  std::vector<std::unique_ptr<zk_server>> members_;
};

} // namespace outrigger::test
