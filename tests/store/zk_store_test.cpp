// zk_store against a real private ZooKeeper server on loopback
// (tests/support's zk_server); a raw client (tests/actors/zk_test_client)
// looks at and damages the nodes behind the store's back.

#include "scheduling/store/zk_store.hpp"
#include "tests/actors/zk_test_client.hpp"
#include "tests/support/zk_server.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace outrigger::store;
using namespace outrigger::test;
using namespace std::chrono_literals;

namespace {

struct zk_fixture {
  zk_server server;

  zk_store_options options(std::string root = "/outrigger") const {
    zk_store_options o;
    o.hosts = server.connect_string();
    o.root = std::move(root);
    o.session_timeout = 4s;
    o.connect_timeout = 10s;
    o.owner = "test pid 1";
    return o;
  }

  std::unique_ptr<zk_store> open(const zk_store_options& o,
                                 recovered_state& rec) const {
    return zk_store::open(o, rec);
  }

  /// Children of root/state whose names start with `prefix`, sorted.
  std::vector<std::string> nodes(const std::string& prefix,
                                 const std::string& root = "/outrigger") const {
    zk_test_client raw{server.connect_string()};
    String_vector names{};
    auto path = root + "/state";
    REQUIRE(zoo_get_children(raw.handle(), path.c_str(), 0, &names) == ZOK);
    std::vector<std::string> out;
    for (int i = 0; i < names.count; ++i)
      if (std::string_view{names.data[i]}.substr(0, prefix.size()) == prefix)
        out.emplace_back(names.data[i]);
    deallocate_String_vector(&names);
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string record(std::size_t i, std::size_t size = 200) {
  auto s = "task-" + std::to_string(i) + " TASK_RUNNING ";
  s.resize(std::max(size, s.size()), static_cast<char>('a' + i % 26));
  return s;
}

std::vector<std::string> records(std::size_t from, std::size_t to,
                                 std::size_t size = 200) {
  std::vector<std::string> out;
  for (auto i = from; i < to; ++i)
    out.push_back(record(i, size));
  return out;
}

void append_all(zk_store& s, const std::vector<std::string>& rs) {
  for (auto& r : rs)
    s.append(r);
}

template <class... Vs>
std::vector<std::string> concat(const Vs&... vs) {
  std::vector<std::string> out;
  (out.insert(out.end(), vs.begin(), vs.end()), ...);
  return out;
}

} // namespace

TEST_CASE("zk_store: a fresh root opens empty") {
  zk_fixture zk;
  recovered_state rec;
  rec.records.push_back("stale"); // open() replaces whatever was there
  auto s = zk.open(zk.options(), rec);
  CHECK(rec.records.empty());
  CHECK(rec.snapshot.empty());
  CHECK_FALSE(rec.report.snapshot_loaded);
  CHECK(rec.report.generation == 0);
  CHECK(rec.report.dropped_bytes == 0);
  CHECK(s->log_bytes() == 0);
  CHECK(s->pending() == 0);
  CHECK(zk.nodes("owner") == std::vector<std::string>{"owner"});
  CHECK(zk.nodes("head") == std::vector<std::string>{"head"});
}

TEST_CASE("zk_store: committed records come back in order after a reopen") {
  zk_fixture zk;
  auto first = records(0, 10);
  first.push_back(""); // an empty record is a record
  auto second = records(10, 25);
  std::uint64_t bytes = 0;
  {
    recovered_state rec;
    auto s = zk.open(zk.options(), rec);
    append_all(*s, first);
    CHECK(s->pending() == first.size());
    s->commit();
    CHECK(s->pending() == 0);
    append_all(*s, second);
    s->commit();
    s->commit(); // nothing pending: no node
    bytes = s->log_bytes();
    CHECK(bytes == (first.size() + second.size()) * 8 + 25 * 200);
    s->append("never committed");
  }
  recovered_state rec;
  auto s = zk.open(zk.options(), rec);
  CHECK(rec.records == concat(first, second));
  CHECK(rec.report.records == first.size() + second.size());
  CHECK(rec.report.bytes == bytes);
  CHECK(rec.report.dropped_bytes == 0);
  CHECK(s->log_bytes() == bytes);
  CHECK(zk.nodes("log-").size() == 2); // one node per commit
}

TEST_CASE("zk_store: a commit bigger than a node spans several nodes") {
  zk_fixture zk;
  auto o = zk.options();
  o.max_node_bytes = 1024;
  auto small = records(0, 300, 50); // ~17 KB: many nodes and multis
  std::string big(5000, 'x');       // one record over five nodes
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 23);
  auto tail = records(300, 305, 50);
  {
    recovered_state rec;
    auto s = zk.open(o, rec);
    append_all(*s, small);
    s->append(big);
    append_all(*s, tail);
    s->commit();
  }
  auto logs = zk.nodes("log-");
  CHECK(logs.size() > 20);
  CHECK(logs.front() == "log-0-0000000000");
  recovered_state rec;
  auto s = zk.open(o, rec);
  CHECK(rec.records == concat(small, std::vector<std::string>{big}, tail));
  CHECK(rec.report.dropped_bytes == 0);
}

TEST_CASE("zk_store: thousands of small records are one node and a 2 MB "
          "record three") {
  zk_fixture zk;
  auto many = records(0, 3000); // ~620 KB framed
  std::string huge(2 << 20, 'h');
  {
    recovered_state rec;
    auto s = zk.open(zk.options(), rec);
    append_all(*s, many);
    s->commit();
    CHECK(zk.nodes("log-").size() == 1);
    s->append(huge);
    s->commit();
    CHECK(zk.nodes("log-").size() == 1 + 3);
  }
  recovered_state rec;
  auto s = zk.open(zk.options(), rec);
  REQUIRE(rec.records.size() == many.size() + 1);
  CHECK(std::equal(many.begin(), many.end(), rec.records.begin()));
  CHECK(rec.records.back() == huge);
}

TEST_CASE("zk_store: compaction keeps the snapshot and later records only") {
  zk_fixture zk;
  auto o = zk.options();
  o.max_node_bytes = 1024;
  std::string snapshot(10000, 's'); // eleven chunks
  auto before = records(0, 40);
  auto after = records(40, 45);
  {
    recovered_state rec;
    auto s = zk.open(o, rec);
    append_all(*s, before);
    s->commit();
    CHECK(s->log_bytes() > 0);
    s->append("pending at compaction");
    s->compact(snapshot);
    CHECK(s->log_bytes() == 0);
    CHECK(s->pending() == 0);
    append_all(*s, after);
    s->commit();
  }
  // Generation 0 is gone entirely.
  for (auto& name : zk.nodes("log-"))
    CHECK(name.rfind("log-1-", 0) == 0);
  for (auto& name : zk.nodes("snap-"))
    CHECK(name.rfind("snap-1-", 0) == 0);
  CHECK(zk.nodes("snap-").size() == 10); // 10,008 framed bytes / 1024
  recovered_state rec;
  auto s = zk.open(o, rec);
  CHECK(rec.report.snapshot_loaded);
  CHECK(rec.report.generation == 1);
  CHECK(rec.snapshot == snapshot);
  CHECK(rec.records == after);

  // A second compaction replaces the first snapshot.
  s->compact("second");
  s->append("x");
  s->commit();
  s.reset();
  CHECK(zk.nodes("snap-") == std::vector<std::string>{"snap-2-0"});
  recovered_state again;
  zk.open(o, again);
  CHECK(again.snapshot == "second");
  CHECK(again.records == std::vector<std::string>{"x"});
}

TEST_CASE("zk_store: leftovers of an unfinished compaction are deleted") {
  zk_fixture zk;
  {
    recovered_state rec;
    auto s = zk.open(zk.options(), rec);
    s->append("kept");
    s->commit();
  }
  // A crash after writing the next snapshot, before switching head.
  zk_test_client raw{zk.server.connect_string()};
  REQUIRE(zoo_create(raw.handle(), "/outrigger/state/snap-1-0", "junk", 4,
                     &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0) == ZOK);
  recovered_state rec;
  auto s = zk.open(zk.options(), rec);
  CHECK(rec.records == std::vector<std::string>{"kept"});
  CHECK(zk.nodes("snap-").empty());
  s->compact("snap"); // creates snap-1-0 again: no collision
  recovered_state again;
  s.reset();
  zk.open(zk.options(), again);
  CHECK(again.snapshot == "snap");
}

TEST_CASE("zk_store: a replica that lost the claim is fenced") {
  zk_fixture zk;
  recovered_state rec_a;
  auto a = zk.open(zk.options(), rec_a);
  a->append("from a");
  a->commit();

  auto ob = zk.options();
  ob.owner = "replica b";
  recovered_state rec_b;
  auto b = zk.open(ob, rec_b);
  CHECK(rec_b.records == std::vector<std::string>{"from a"});

  a->append("late write of a");
  try {
    a->commit();
    FAIL("a deposed store committed");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find("fenced") != std::string::npos);
    CHECK(what.find("replica b") != std::string::npos);
  }
  CHECK_THROWS_AS(a->compact("a's snapshot"), store_error);

  b->append("from b");
  b->commit();
  b->compact("b's snapshot");
  b->append("after b's snapshot");
  b->commit();
  a.reset();
  b.reset();
  recovered_state rec;
  zk.open(zk.options(), rec);
  CHECK(rec.snapshot == "b's snapshot");
  CHECK(rec.records == std::vector<std::string>{"after b's snapshot"});
}

TEST_CASE("zk_store: a corrupt log node ends the replay without a crash") {
  zk_fixture zk;
  auto batch0 = records(0, 5);
  auto batch1 = records(5, 10);
  auto batch2 = records(10, 15);
  {
    recovered_state rec;
    auto s = zk.open(zk.options(), rec);
    for (auto* batch : {&batch0, &batch1, &batch2}) {
      append_all(*s, *batch);
      s->commit();
    }
  }
  REQUIRE(zk.nodes("log-").size() == 3);
  std::string garbage = "this is not a frame at all, just garbage bytes";
  {
    zk_test_client raw{zk.server.connect_string()};
    REQUIRE(zoo_set(raw.handle(), "/outrigger/state/log-0-0000000001",
                    garbage.data(), static_cast<int>(garbage.size()),
                    -1) == ZOK);
  }
  {
    recovered_state rec;
    auto s = zk.open(zk.options(), rec);
    CHECK(rec.records == batch0);
    CHECK(rec.report.dropped_bytes == garbage.size() + 5 * (8 + 200));
    CHECK(rec.report.dropped_reason.find("log-0-0000000001") !=
          std::string::npos);
    // The damaged part is cut off: new records follow the good ones.
    CHECK(zk.nodes("log-").size() == 1);
    s->append("after the damage");
    s->commit();
  }
  recovered_state rec;
  zk.open(zk.options(), rec);
  CHECK(rec.records ==
        concat(batch0, std::vector<std::string>{"after the damage"}));
  CHECK(rec.report.dropped_bytes == 0);
}

TEST_CASE("zk_store: a torn record spanning nodes is cut off") {
  zk_fixture zk;
  auto o = zk.options();
  o.max_node_bytes = 1024;
  {
    recovered_state rec;
    auto s = zk.open(o, rec);
    s->append("whole");
    s->commit();
    s->append(std::string(3000, 'b')); // log-0-1 .. log-0-3
    s->commit();
  }
  REQUIRE(zk.nodes("log-").size() == 4);
  {
    // A commit that stopped between its multis: the last part is missing.
    zk_test_client raw{zk.server.connect_string()};
    REQUIRE(zoo_delete(raw.handle(), "/outrigger/state/log-0-0000000003", -1) ==
            ZOK);
  }
  recovered_state rec;
  auto s = zk.open(o, rec);
  CHECK(rec.records == std::vector<std::string>{"whole"});
  CHECK(rec.report.dropped_bytes == 2 * 1024);
  CHECK(rec.report.dropped_reason.find("torn") != std::string::npos);
  CHECK(zk.nodes("log-").size() == 1);
}

TEST_CASE("zk_store: open fails within the connect timeout when ZooKeeper "
          "is down") {
  zk_fixture zk;
  auto o = zk.options();
  o.connect_timeout = 1500ms;
  o.digest = "user:very-secret-password";
  zk.server.stop();
  recovered_state rec;
  try {
    zk_store::open(o, rec);
    FAIL("open() succeeded without a server");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find(zk.server.connect_string()) != std::string::npos);
    CHECK(what.find("very-secret-password") == std::string::npos);
  }
}

TEST_CASE("zk_store: digest credentials protect the nodes") {
  zk_fixture zk;
  auto o = zk.options("/secure");
  o.digest = "outrigger:s3cret-digest";
  {
    recovered_state rec;
    auto s = zk.open(o, rec);
    s->append("protected");
    s->commit();
  }
  {
    zk_test_client raw{zk.server.connect_string()};
    char buf[64];
    int len = sizeof buf;
    CHECK(zoo_get(raw.handle(), "/secure/state/log-0-0000000000", 0, buf, &len,
                  nullptr) == ZNOAUTH);
  }
  auto wrong = o;
  wrong.digest = "outrigger:wrong-s3cret";
  recovered_state rec;
  try {
    zk_store::open(wrong, rec);
    FAIL("open() succeeded with the wrong credentials");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find("s3cret") == std::string::npos);
    CHECK(what.find("digest") != std::string::npos);
  }
  auto s = zk.open(o, rec);
  CHECK(rec.records == std::vector<std::string>{"protected"});
}

TEST_CASE("zk_store: commits survive a ZooKeeper restart") {
  zk_fixture zk;
  auto o = zk.options();
  o.session_timeout = 20s; // the session outlives the restart
  auto first = records(0, 50);
  auto second = records(50, 60);
  bool second_committed = false;
  {
    recovered_state rec;
    auto s = zk.open(o, rec);
    append_all(*s, first);
    s->commit();
    zk.server.stop();
    zk.server.start();
    append_all(*s, second);
    try {
      s->commit(); // reconnects within the session timeout, normally
      second_committed = true;
    } catch (const store_error& e) {
      MESSAGE("commit after the restart failed: " << e.what());
    }
  }
  recovered_state rec;
  zk.open(o, rec);
  CHECK(rec.records == (second_committed ? concat(first, second) : first));
}

TEST_CASE("zk_store: a commit while ZooKeeper stays down fails and the store "
          "takes no more") {
  zk_fixture zk;
  auto o = zk.options();
  o.session_timeout = 2s;
  recovered_state rec;
  auto s = zk.open(o, rec);
  s->append("committed");
  s->commit();
  zk.server.stop();
  s->append("lost");
  try {
    s->commit();
    FAIL("commit() succeeded without a server");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find(zk.server.connect_string()) != std::string::npos);
    CHECK(what.find("log-0-0000000001") != std::string::npos);
  }
  zk.server.start();
  s->append("after");
  CHECK_THROWS_AS(s->commit(), store_error);
  s.reset();
  recovered_state again;
  zk.open(o, again);
  CHECK(again.records.front() == "committed");
}

TEST_CASE("zk_store: a damaged head or snapshot is an error, not an empty "
          "state") {
  zk_fixture zk;
  {
    recovered_state rec;
    auto s = zk.open(zk.options(), rec);
    s->append("before");
    s->compact("the state");
  }
  zk_test_client raw{zk.server.connect_string()};
  SUBCASE("snapshot chunk damaged") {
    REQUIRE(zoo_set(raw.handle(), "/outrigger/state/snap-1-0", "xxxxxxxxxxxx",
                    12, -1) == ZOK);
    recovered_state rec;
    try {
      zk.open(zk.options(), rec);
      FAIL("open() accepted a corrupt snapshot");
    } catch (const store_error& e) {
      std::string what = e.what();
      CHECK(what.find("snapshot of generation 1") != std::string::npos);
    }
  }
  SUBCASE("snapshot chunk missing") {
    REQUIRE(zoo_delete(raw.handle(), "/outrigger/state/snap-1-0", -1) == ZOK);
    recovered_state rec;
    CHECK_THROWS_AS(zk.open(zk.options(), rec), store_error);
  }
  SUBCASE("head damaged") {
    REQUIRE(zoo_set(raw.handle(), "/outrigger/state/head", "gen x", 5, -1) ==
            ZOK);
    recovered_state rec;
    try {
      zk.open(zk.options(), rec);
      FAIL("open() accepted a corrupt head");
    } catch (const store_error& e) {
      std::string what = e.what();
      CHECK(what.find("/outrigger/state/head") != std::string::npos);
      CHECK(what.find("gen x") != std::string::npos);
    }
  }
}
