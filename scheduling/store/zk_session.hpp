#pragma once
// One synchronous ZooKeeper session for zk_store (an internal helper, not
// part of the store's interface). It connects with a deadline, adds digest
// credentials, and offers the few calls the store needs as blocking calls:
// the store runs on a detached actor, where blocking is allowed. Reads of
// many nodes are pipelined (bounded window of zoo_aget requests) so that a
// recovery of thousands of nodes costs a few round trips, not thousands.
//
// Every failure is a store_error naming the ZooKeeper hosts and the path;
// the digest never appears in a message.

#include "scheduling/store/journal.hpp" // store_error

#include <zookeeper/zookeeper.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace outrigger::store::detail {

/// A node's data as read back, or the error that read got.
struct zk_read {
  int rc = ZOK;
  std::string data;
};

/// How a multi-op ended.
struct zk_multi_outcome {
  int rc = ZOK;           ///< ZOK or the first failing op's error
  std::size_t failed = 0; ///< index of the first failing op (when rc != ZOK)
  bool retried = false;   ///< sent again after a connection loss
};

/// A connected ZooKeeper session (the handle is closed by the destructor).
class zk_session {
public:
  /// Connects to `hosts` and waits until connected (and, with a digest,
  /// authenticated) for at most `connect_timeout`.
  zk_session(const std::string& hosts,
             std::chrono::milliseconds session_timeout,
             std::chrono::milliseconds connect_timeout,
             const std::string& digest);
  ~zk_session();
  zk_session(const zk_session&) = delete;
  zk_session& operator=(const zk_session&) = delete;

  /// ACL for nodes the store creates: the creator's only with a digest.
  const ACL_vector* acl() const { return acl_; }

  /// "ZooKeeper at <hosts>", for messages.
  const std::string& where() const { return where_; }

  /// Creates `path` and any missing parents (existing ones are fine).
  void ensure_path(const std::string& path);

  /// Creates one node; returns the ZooKeeper result code.
  int create(const std::string& path, std::string_view data);

  /// setData with `version`; fills `version_out` with the new version.
  int set(const std::string& path, std::string_view data, int version,
          int& version_out);

  /// Names of the children of `path` (throws on any error).
  std::vector<std::string> children(const std::string& path);

  /// Reads every path, at most `window` requests in flight.
  std::vector<zk_read> read_all(const std::vector<std::string>& paths,
                                std::size_t window = 128);

  /// Runs a multi-op. On a connection loss it waits for the session to
  /// reconnect and sends the same ops again, at most `attempts` times in
  /// all and only until one session timeout after the first loss; the
  /// caller interprets a ZNODEEXISTS after a retry (`retried`). A lost
  /// session or connection throws.
  zk_multi_outcome multi(std::vector<zoo_op_t>& ops, const char* what,
                         int attempts = 3);

  /// Throws store_error "<what> <path> failed on <where>: <zerror>".
  [[noreturn]] void fail(const std::string& what, const std::string& path,
                         int rc) const;

private:
  void authenticate(const std::string& digest,
                    std::chrono::steady_clock::time_point deadline,
                    std::chrono::milliseconds connect_timeout);
  bool wait_connected(std::chrono::steady_clock::time_point deadline) const;

  zhandle_t* zh_ = nullptr;
  std::string where_;
  std::chrono::milliseconds session_timeout_;
  const ACL_vector* acl_ = nullptr;
};

/// The path an op of a multi works on.
const char* op_path(const zoo_op_t& op);

/// True for the codes that mean "the connection dropped, the session may
/// live on": a request may or may not have been applied.
bool connection_lost(int rc);

} // namespace outrigger::store::detail
