// The detector's decisions without ZooKeeper: leader choice, MasterInfo,
// session events.

#include "actors/error.hpp"
#include "actors/zk_detector/zk_detector_state.hpp"

#include <doctest/doctest.h>

#include <zookeeper/zookeeper.h>

using namespace outrigger;
using namespace outrigger::zk;

namespace {

// The ZooKeeper copy of a real master's MasterInfo (design.md §M14).
const std::string real_master_info =
  R"({"address":{"hostname":"localhost","ip":"127.0.0.1","port":5050},)"
  R"("capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},)"
  R"({"type":"QUOTA_V2"}],"hostname":"localhost",)"
  R"("id":"52b37399-815a-42e6-9723-a6a8a61cedbb","ip":16777343,)"
  R"("pid":"master@127.0.0.1:5050","port":5050,"version":"1.12.0"})";

zk_config cfg() {
  zk_config c;
  c.hosts = "z:2181";
  c.path = "/mesos";
  return c;
}

template <class T>
std::vector<T> all(const zk_effects& fx) {
  std::vector<T> out;
  for (auto& e : fx)
    if (auto* x = std::get_if<T>(&e))
      out.push_back(*x);
  return out;
}

} // namespace

TEST_CASE("zk: the leader is the lowest json.info_ sequence") {
  CHECK(sequence_of("json.info_0000000003") == 3u);
  CHECK_FALSE(sequence_of("json.info_"));
  CHECK_FALSE(sequence_of("json.info_12x"));
  CHECK_FALSE(sequence_of("info_0000000001"));
  CHECK_FALSE(sequence_of("json.infoX0000000001"));
  CHECK(leader_node({"json.info_0000000007", "log_replicas",
                     "json.info_0000000002", "info_0000000000",
                     "json.info_0000000010"}) == "json.info_0000000002");
  CHECK_FALSE(leader_node({"log_replicas", "info_0000000000"}));
  CHECK_FALSE(leader_node({}));
}

TEST_CASE("zk: MasterInfo JSON to the leader URL") {
  auto a =
    leader_from_master_info(real_master_info, "json.info_0", false, false);
  REQUIRE(a);
  CHECK(a->url == "http://localhost:5050");
  CHECK(a->master_id == "52b37399-815a-42e6-9723-a6a8a61cedbb");
  CHECK(a->node == "json.info_0");
  auto b = leader_from_master_info(real_master_info, "n", true, true);
  REQUIRE(b);
  CHECK(b->url == "https://127.0.0.1:5050");
  // Without address: hostname and port, or the packed ip.
  auto c = leader_from_master_info(
    R"({"id":"x","ip":16777343,"port":5052,"hostname":"m2"})", "n", false,
    false);
  REQUIRE(c);
  CHECK(c->url == "http://m2:5052");
  auto d = leader_from_master_info(R"({"id":"x","ip":84060352,"port":5053})",
                                   "n", false, false);
  REQUIRE(d);
  CHECK(d->url == "http://192.168.2.5:5053");
  auto e = leader_from_master_info("not json", "json.info_9", false, false);
  REQUIRE_FALSE(e);
  CHECK(describe(e.error()).find("json.info_9") != std::string::npos);
  auto f = leader_from_master_info(R"({"id":"x","ip":0,"port":5050})", "n",
                                   false, false);
  REQUIRE_FALSE(f);
  CHECK(describe(f.error()).find("neither a hostname nor an IP") !=
        std::string::npos);
}

TEST_CASE("zk state: connect, list, read, report; changes only once") {
  detector_state st{cfg()};
  CHECK(st.on_session_opened(true).empty());
  auto a = st.on_state(ZOO_CONNECTED_STATE);
  CHECK(all<zkfx::read_children>(a).size() == 1);
  auto b =
    st.on_children(ZOK, {"json.info_0000000001", "json.info_0000000000"});
  auto reads = all<zkfx::read_node>(b);
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].name == "json.info_0000000000");
  // A second listing while the read is pending asks nothing new.
  CHECK(st.on_children(ZOK, {"json.info_0000000000"}).empty());
  auto c = st.on_node(ZOK, "json.info_0000000000", real_master_info);
  auto notes = all<zkfx::notify>(c);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].leader.url == "http://localhost:5050");
  // The same leader again: nothing to read, nothing to report.
  CHECK(st.on_children(ZOK, {"json.info_0000000000", "json.info_0000000005"})
          .empty());
  // The watch fires, the leader is gone: the next one is read.
  CHECK(
    all<zkfx::read_children>(st.on_watch(ZOO_CHILD_EVENT, "/mesos")).size() ==
    1);
  CHECK(st.on_watch(ZOO_CHILD_EVENT, "/other").empty());
  auto d = st.on_children(ZOK, {"json.info_0000000005"});
  REQUIRE(all<zkfx::read_node>(d).size() == 1);
  // A stale read result (superseded name) is ignored.
  CHECK(st.on_node(ZOK, "json.info_0000000000", real_master_info).empty());
  auto e = st.on_node(
    ZOK, "json.info_0000000005",
    R"({"id":"m2","ip":16777343,"port":5052,"hostname":"localhost"})");
  CHECK(all<zkfx::notify>(e)[0].leader.url == "http://localhost:5052");
  // Nobody left: "no leader".
  auto f = st.on_children(ZOK, {});
  auto none = all<zkfx::notify>(f);
  REQUIRE(none.size() == 1);
  CHECK(none[0].leader.url.empty());
  CHECK(st.on_children(ZOK, {}).empty()); // reported once
}

TEST_CASE("zk state: missing group node, errors, expiry") {
  detector_state st{cfg()};
  st.on_session_opened(true);
  st.on_state(ZOO_CONNECTED_STATE);
  auto a = st.on_children(ZNONODE, {});
  CHECK(all<zkfx::watch_exists>(a).size() == 1);
  CHECK(all<zkfx::read_children>(st.on_exists(ZOK)).size() == 1);
  CHECK(st.on_exists(ZNONODE).empty());
  // A failed listing is retried after the delay, once per token.
  auto b = st.on_children(ZCONNECTIONLOSS, {});
  auto retries = all<zkfx::retry_later>(b);
  REQUIRE(retries.size() == 1);
  CHECK(retries[0].delay == std::chrono::seconds(1));
  CHECK(all<zkfx::read_children>(st.on_retry(retries[0].token)).size() == 1);
  CHECK(st.on_retry(retries[0].token).empty());
  // Connection loss: nothing (the client reconnects within the session).
  st.on_children(ZOK, {"json.info_1"});
  st.on_node(ZOK, "json.info_1", real_master_info);
  CHECK(st.on_state(ZOO_CONNECTING_STATE).empty());
  CHECK_FALSE(st.connected());
  CHECK(st.leader().url == "http://localhost:5050");
  // Expiry: leader unknown, new session.
  auto c = st.on_state(ZOO_EXPIRED_SESSION_STATE);
  CHECK(all<zkfx::notify>(c)[0].leader.url.empty());
  CHECK(all<zkfx::new_session>(c).size() == 1);
  // A session that cannot be created is retried.
  auto d = st.on_session_opened(false);
  auto r = all<zkfx::retry_later>(d);
  REQUIRE(r.size() == 1);
  CHECK(all<zkfx::new_session>(st.on_retry(r[0].token)).size() == 1);
}
