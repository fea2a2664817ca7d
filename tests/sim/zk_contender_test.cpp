// sim::zk_contender against a real, private ZooKeeper (tests/support
// zk_server): the layout of design.md §M14, leader election by lowest
// sequence, withdrawal, and survival of outages and session expiry.

#include "sim/io_thread.hpp"
#include "sim/zk_contender.hpp"
#include "tests/support/zk_server.hpp"

#include <doctest/doctest.h>
#include <zookeeper/zookeeper.h>

#include <atomic>
#include <deque>
#include <thread>

using namespace outrigger;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

// One server for the suite (a JVM start is the slowest thing here); each
// test case works under its own group path.
zk_server& shared_server() {
  static zk_server server;
  return server;
}

std::string fresh_path() {
  static std::atomic<int> n{0};
  return "/outrigger-test/mesos-" + std::to_string(++n);
}

protocol::MasterInfo master_info(std::string id, std::uint32_t port) {
  protocol::MasterInfo info;
  info.id = std::move(id);
  info.ip = 16777343; // 127.0.0.1
  info.port = port;
  info.pid = "master@127.0.0.1:" + std::to_string(port);
  info.hostname = "localhost";
  info.version = "1.12.0";
  info.address.emplace();
  info.address->hostname = "localhost";
  info.address->ip = "127.0.0.1";
  info.address->port = static_cast<std::int32_t>(port);
  using cap = protocol::master_capability;
  info.capabilities = {
    {cap::agent_update}, {cap::agent_draining}, {cap::quota_v2}};
  return info;
}

// A plain synchronous client for looking at and poking the tree.
struct zk_client {
  zhandle_t* zh = nullptr;
  explicit zk_client(const std::string& servers) {
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zh = zookeeper_init(servers.c_str(), nullptr, 10000, nullptr, nullptr, 0);
    REQUIRE(zh);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
  }
  ~zk_client() { zookeeper_close(zh); }

  std::optional<std::string> get(const std::string& path,
                                 Stat* stat = nullptr) {
    std::string buffer(65536, '\0');
    int length = static_cast<int>(buffer.size());
    Stat ignored{};
    if (zoo_get(zh, path.c_str(), 0, buffer.data(), &length,
                stat ? stat : &ignored) != ZOK)
      return std::nullopt;
    buffer.resize(static_cast<std::size_t>(std::max(length, 0)));
    return buffer;
  }
  std::string create(const std::string& path, int flags,
                     const std::string& data = {}) {
    std::string created(512, '\0');
    int rc =
      zoo_create(zh, path.c_str(), data.data(), static_cast<int>(data.size()),
                 &ZOO_OPEN_ACL_UNSAFE, flags, created.data(),
                 static_cast<int>(created.size()));
    REQUIRE(rc == ZOK);
    return created.substr(0, created.find('\0'));
  }
  std::vector<std::string> children(const std::string& path) {
    String_vector v{0, nullptr};
    std::vector<std::string> out;
    if (zoo_get_children(zh, path.c_str(), 0, &v) == ZOK)
      for (int i = 0; i < v.count; ++i)
        out.emplace_back(v.data[i]);
    deallocate_String_vector(&v);
    std::sort(out.begin(), out.end());
    return out;
  }
};

// Contenders whose reports land on an io thread, as in the simulator.
struct election {
  sim::io_thread io;
  std::deque<std::vector<std::optional<sim::zk_leader>>> reports;
  std::deque<std::unique_ptr<sim::zk_contender>> contenders;
  std::string servers;
  std::string path = fresh_path();
  std::chrono::milliseconds session_timeout = 4s;

  explicit election(std::string servers_) : servers(std::move(servers_)) {}
  ~election() {
    contenders.clear(); // before the reports they write into
    io.call([] {});
  }

  sim::zk_contender& add(const protocol::MasterInfo& info,
                         bool contend = true) {
    sim::zk_contender_options options;
    options.servers = servers;
    options.path = path;
    options.contend = contend;
    // After a session is expired from another handle, the old connection
    // is only found dead after 2/3 of this; keep it short for the tests.
    options.session_timeout = session_timeout;
    auto& log = reports.emplace_back();
    contenders.push_back(std::make_unique<sim::zk_contender>(
      options, info,
      [this](std::function<void()> fn) { io.post(std::move(fn)); },
      [this, &log](const std::optional<sim::zk_leader>& leader) {
        CHECK(io.on_thread()); // never on a ZooKeeper thread
        log.push_back(leader);
      }));
    return *contenders.back();
  }

  // The latest report of contender `i` (outer nullopt: no report yet).
  std::optional<std::optional<sim::zk_leader>> latest(std::size_t i) {
    std::optional<std::optional<sim::zk_leader>> out;
    io.call([&] {
      if (!reports[i].empty())
        out = reports[i].back();
    });
    return out;
  }

  // Waits until contender `i` reports a leader whose node is `node`
  // (or no leader, for nullopt).
  bool sees(std::size_t i, std::optional<std::string> node) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto last = latest(i)) {
        if (!node && !*last)
          return true;
        if (node && *last && (*last)->node == *node)
          return true;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
};

template <class F>
bool eventually(F pred) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

} // namespace

TEST_CASE("zk: MasterInfo is stored key-sorted, exactly as Mesos does") {
  auto info = master_info("52b37399-815a-42e6-9723-a6a8a61cedbb", 5050);
  // The 294 bytes of design.md §M14.
  CHECK(sim::zk_contender::node_data(info) ==
        R"({"address":{"hostname":"localhost","ip":"127.0.0.1","port":5050},)"
        R"("capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},)"
        R"({"type":"QUOTA_V2"}],"hostname":"localhost",)"
        R"("id":"52b37399-815a-42e6-9723-a6a8a61cedbb","ip":16777343,)"
        R"("pid":"master@127.0.0.1:5050","port":5050,"version":"1.12.0"})");
  CHECK(sim::zk_contender::sequence_of("json.info_0000000003") == 3);
  CHECK(sim::zk_contender::sequence_of("json.info_12") == 12);
  CHECK_FALSE(sim::zk_contender::sequence_of("json.info_"));
  CHECK_FALSE(sim::zk_contender::sequence_of("json.info_00x1"));
  CHECK_FALSE(sim::zk_contender::sequence_of("info_0000000001"));
  CHECK_FALSE(sim::zk_contender::sequence_of("log_replicas"));
}

TEST_CASE("zk: the first contender leads and both see the same leader") {
  election e{shared_server().connect_string()};
  auto& a = e.add(master_info("master-a", 5050));
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  auto a_node = *a.own_node();
  REQUIRE(e.sees(0, a_node));
  auto& b = e.add(master_info("master-b", 5052));
  REQUIRE(eventually([&] { return b.own_node().has_value(); }));
  CHECK(sim::zk_contender::sequence_of(*b.own_node()) >
        sim::zk_contender::sequence_of(a_node));
  REQUIRE(e.sees(1, a_node));

  auto seen_by_a = **e.latest(0);
  auto seen_by_b = **e.latest(1);
  CHECK(seen_by_a.self);
  CHECK_FALSE(seen_by_b.self);
  CHECK(seen_by_b.node == a_node);
  REQUIRE(seen_by_b.info);
  CHECK(seen_by_b.info->id == "master-a");
  CHECK(seen_by_b.info->port == 5050);
  CHECK(*seen_by_b.info == master_info("master-a", 5050));

  // The tree: a persistent group node, ephemeral children with the data.
  zk_client zk{e.servers};
  Stat group{}, node{};
  CHECK(zk.get(e.path, &group) == "");
  CHECK(group.ephemeralOwner == 0);
  CHECK(zk.get(e.path + "/" + a_node, &node) ==
        sim::zk_contender::node_data(master_info("master-a", 5050)));
  REQUIRE(a.session());
  CHECK(node.ephemeralOwner == a.session()->id);
  CHECK(zk.children(e.path).size() == 2);
}

TEST_CASE("zk: when the leader withdraws the next one leads") {
  election e{shared_server().connect_string()};
  auto& a = e.add(master_info("master-a", 5050));
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  auto& b = e.add(master_info("master-b", 5052));
  REQUIRE(eventually([&] { return b.own_node().has_value(); }));
  auto b_node = *b.own_node();

  a.withdraw();
  REQUIRE(e.sees(1, b_node));
  CHECK((**e.latest(1)).self);
  REQUIRE(e.sees(0, b_node)); // a keeps watching
  CHECK_FALSE((**e.latest(0)).self);
  CHECK_FALSE(a.own_node());

  // Back in the race, a queues up behind b with a new sequence.
  a.contend();
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  CHECK(sim::zk_contender::sequence_of(*a.own_node()) >
        sim::zk_contender::sequence_of(b_node));
  CHECK(e.sees(0, b_node));

  // A leader that goes away entirely (session closed) hands over at once.
  auto a_node = *a.own_node();
  e.contenders[1].reset();
  CHECK(e.sees(0, a_node));
  CHECK((**e.latest(0)).self);
}

TEST_CASE("zk: children other than json.info_<n> are ignored, no leader is "
          "reported as such") {
  election e{shared_server().connect_string()};
  zk_client zk{e.servers};
  // Before anyone contends: odd children with lower sequences.
  auto& watcher = e.add(master_info("watcher", 5055), /*contend=*/false);
  REQUIRE(e.sees(0, std::nullopt));
  zk.create(e.path + "/info_", ZOO_EPHEMERAL_SEQUENTIAL, "legacy");
  zk.create(e.path + "/log_replicas", ZOO_PERSISTENT);
  zk.create(e.path + "/json.info_x", ZOO_EPHEMERAL, "{}");
  CHECK(e.sees(0, std::nullopt));
  CHECK_FALSE(watcher.own_node());

  auto& a = e.add(master_info("master-a", 5050));
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  CHECK(e.sees(0, *a.own_node()));
  CHECK(e.sees(1, *a.own_node()));

  // A json.info node with data that is not MasterInfo still leads.
  e.contenders[1].reset();
  REQUIRE(e.sees(0, std::nullopt));
  auto bogus =
    zk.create(e.path + "/json.info_", ZOO_EPHEMERAL_SEQUENTIAL, "not json");
  auto name = bogus.substr(bogus.rfind('/') + 1);
  REQUIRE(e.sees(0, name));
  auto leader = **e.latest(0);
  CHECK(leader.data == "not json");
  CHECK_FALSE(leader.info);
}

TEST_CASE("zk: an expired session registers again with a new sequence") {
  election e{shared_server().connect_string()};
  auto& a = e.add(master_info("master-a", 5050));
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  auto first = *a.own_node();
  REQUIRE(e.sees(0, first));
  auto session = a.session();
  REQUIRE(session);

  REQUIRE(shared_server().expire_session(session->id, session->password));
  REQUIRE(eventually([&] {
    auto now = a.own_node();
    return now && *now != first;
  }));
  auto second = *a.own_node();
  CHECK(sim::zk_contender::sequence_of(second) >
        sim::zk_contender::sequence_of(first));
  REQUIRE(e.sees(0, second));
  CHECK((**e.latest(0)).self);
  CHECK(a.session()->id != session->id);
  // In between it said it knew no leader.
  bool saw_none = false;
  e.io.call([&] {
    for (auto& r : e.reports[0])
      saw_none = saw_none || !r;
  });
  CHECK(saw_none);
  zk_client zk{e.servers};
  CHECK(zk.children(e.path) == std::vector<std::string>{second});
}

TEST_CASE("zk: a short ZooKeeper outage keeps the session and the node") {
  zk_server own;
  election e{own.connect_string()};
  auto& a = e.add(master_info("master-a", 5050));
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  auto node = *a.own_node();
  REQUIRE(e.sees(0, node));

  own.stop();
  own.start(); // same port, same data: the session is still known
  auto& b = e.add(master_info("master-b", 5052));
  REQUIRE(eventually([&] { return b.own_node().has_value(); }));
  CHECK(e.sees(1, node));
  CHECK(a.own_node() == node);
  CHECK(e.sees(0, node));
}

TEST_CASE("zk: out of touch for longer than the session timeout means no "
          "known leader, the contender still shuts down promptly") {
  zk_server own;
  election e{own.connect_string()};
  e.session_timeout = 1500ms;
  auto& a = e.add(master_info("master-a", 5050));
  REQUIRE(eventually([&] { return a.own_node().has_value(); }));
  REQUIRE(e.sees(0, *a.own_node()));
  own.stop();
  CHECK(e.sees(0, std::nullopt));
  auto start = std::chrono::steady_clock::now();
  e.contenders.clear(); // while ZooKeeper is unreachable
  CHECK(std::chrono::steady_clock::now() - start < 30s);
}
