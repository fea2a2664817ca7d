#pragma once
// A thin RAII wrapper of one ZooKeeper C client session (the multi-threaded
// library). Its watcher and completion callbacks run on ZooKeeper's own
// threads and do nothing but anon_send into zk_detector, tagged with the
// session number so that results of an old session are recognized. Only
// zk_client.cpp includes the ZooKeeper header.

#include "actors/credentials.hpp"
#include "actors/messages.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace outrigger::zk {

/// One ZooKeeper session.
class zk_client {
public:
  /// Starts connecting to `hosts` (zookeeper_init; may resolve names, so the
  /// owning actor is detached). Check ok() afterwards.
  zk_client(zk_sink_actor sink, std::uint64_t session, const std::string& hosts,
            std::chrono::milliseconds session_timeout,
            const std::optional<credentials>& digest);

  /// Closes the session (zookeeper_close joins ZooKeeper's threads).
  ~zk_client();

  zk_client(const zk_client&) = delete;
  zk_client& operator=(const zk_client&) = delete;

  /// True when the handle was created.
  bool ok() const noexcept { return handle_ != nullptr; }

  /// The session id and its 16-byte password once connected (a password
  /// lets anyone take the session over: never log it).
  std::optional<std::pair<std::int64_t, std::string>> session() const;

  /// Lists the children of `path` and leaves a child watch (zk_kids, then
  /// zk_watch when they change).
  void get_children(const std::string& path);

  /// Reads `path`/`name` (zk_data).
  void get_data(const std::string& path, const std::string& name);

  /// Checks `path` exists and leaves a watch for its creation (zk_exists).
  void watch_exists(const std::string& path);

  /// What the callbacks need (opaque; defined in zk_client.cpp).
  struct context;

private:
  std::unique_ptr<context> ctx_;
  void* handle_ = nullptr; // zhandle_t*
};

} // namespace outrigger::zk
