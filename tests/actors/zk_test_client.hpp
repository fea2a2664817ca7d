#pragma once
// A synchronous ZooKeeper client for the tests: it plays the masters'
// registrations (ephemeral sequential `json.info_` nodes, as Mesos masters
// create them) against the test's private ZooKeeper server. Closing the
// client removes its ephemeral nodes, like a master that goes away.

#include <zookeeper/zookeeper.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace outrigger::test {

/// MasterInfo JSON as a master writes it into ZooKeeper (keys sorted).
inline std::string master_info_json(const std::string& host, unsigned port,
                                    const std::string& id) {
  return R"({"address":{"hostname":")" + host +
         R"(","ip":"127.0.0.1","port":)" + std::to_string(port) +
         R"(},"hostname":")" + host + R"(","id":")" + id +
         R"(","ip":16777343,"pid":"master@127.0.0.1:)" + std::to_string(port) +
         R"(","port":)" + std::to_string(port) + R"(,"version":"1.12.0"})";
}

/// One ZooKeeper session of the test.
class zk_test_client {
public:
  explicit zk_test_client(const std::string& hosts) {
    zh_ = zookeeper_init2(hosts.c_str(), nullptr, 10000, nullptr, nullptr, 0,
                          [](const char*) {});
    if (!zh_)
      throw std::runtime_error("zk_test_client: zookeeper_init failed");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (zoo_state(zh_) != ZOO_CONNECTED_STATE) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("zk_test_client: not connected in 20 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  /// Closes the session: its ephemeral nodes disappear.
  ~zk_test_client() { close(); }

  zk_test_client(const zk_test_client&) = delete;
  zk_test_client& operator=(const zk_test_client&) = delete;

  void close() {
    if (zh_)
      zookeeper_close(zh_);
    zh_ = nullptr;
  }

  /// Creates `path` and its parents as persistent nodes (no error when they
  /// exist).
  void ensure_path(const std::string& path,
                   const struct ACL_vector* acl = &ZOO_OPEN_ACL_UNSAFE) {
    for (size_t pos = 1; pos <= path.size(); ++pos) {
      if (pos != path.size() && path[pos] != '/')
        continue;
      auto part = path.substr(0, pos);
      auto rc = zoo_create(zh_, part.c_str(), nullptr, -1, acl, 0, nullptr, 0);
      if (rc != ZOK && rc != ZNODEEXISTS)
        throw std::runtime_error("zk_test_client: create " + part + ": " +
                                 zerror(rc));
    }
  }

  /// Registers a master as Mesos does; returns the child's name.
  std::string register_master(const std::string& path, const std::string& data,
                              const std::string& label = "json.info_") {
    char created[512];
    auto node = path + "/" + label;
    auto rc =
      zoo_create(zh_, node.c_str(), data.data(), static_cast<int>(data.size()),
                 &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, created,
                 sizeof(created));
    if (rc != ZOK)
      throw std::runtime_error("zk_test_client: register: " +
                               std::string{zerror(rc)});
    std::string full{created};
    return full.substr(full.rfind('/') + 1);
  }

  /// Adds digest credentials to the session.
  void add_digest(const std::string& user_password) {
    zoo_add_auth(zh_, "digest", user_password.data(),
                 static_cast<int>(user_password.size()), nullptr, nullptr);
  }

  zhandle_t* handle() const noexcept { return zh_; }

private:
  zhandle_t* zh_ = nullptr;
};

} // namespace outrigger::test
