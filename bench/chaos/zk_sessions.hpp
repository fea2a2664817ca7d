#pragma once
// Finding a ZooKeeper session to expire, from outside the processes that own
// it. The server's "cons" command lists every connection's session id and
// timeout; a session's password is not secret from the server's side:
// ZooKeeperServer.generatePasswd derives it from the id with
// java.util.Random(id ^ 0xB3415C00), so it can be computed here, and
// zk_server::expire_session can join the session and close it — the way
// ZooKeeper's own tests expire sessions.

#include "tests/support/zk_server.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outrigger::chaos {

/// One client connection the server reports.
struct zk_connection {
  std::int64_t session = 0;
  int timeout_ms = 0; ///< the negotiated session timeout
};

/// The connections of `zk` ("cons"; the 4lw must be whitelisted).
std::vector<zk_connection> zk_connections(const test::zk_server& zk);

/// The password ZooKeeper gave session `id` (16 bytes).
std::string zk_session_password(std::int64_t id);

/// The session owning the leading (lowest sequence) `json.info_` node under
/// `path`, read with a short-lived client; nullopt when there is none.
std::optional<std::int64_t> zk_leader_session(const std::string& servers,
                                              const std::string& path);

} // namespace outrigger::chaos
