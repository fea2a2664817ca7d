#include "scheduling/store/journal.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace outrigger::store;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed afterwards.
struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/outrigger-journal-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { fs::remove_all(path); }
};

std::vector<std::string> strings(std::initializer_list<const char*> xs) {
  return {xs.begin(), xs.end()};
}

} // namespace

TEST_CASE("journal: committed records survive a reopen in order") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    CHECK(rec.records.empty());
    CHECK_FALSE(rec.report.snapshot_loaded);
    j->append("one");
    j->append("");
    j->append(std::string(100000, 'x'));
    CHECK(j->pending() == 3);
    j->commit();
    CHECK(j->pending() == 0);
    j->append("four");
    j->commit();
  }
  recovered_state rec;
  auto j = journal::open(dir.path, rec);
  REQUIRE(rec.records.size() == 4);
  CHECK(rec.records[0] == "one");
  CHECK(rec.records[1].empty());
  CHECK(rec.records[2].size() == 100000);
  CHECK(rec.records[3] == "four");
  CHECK(rec.report.dropped_bytes == 0);
  CHECK(rec.report.records == 4);
}

TEST_CASE("journal: records not committed are not durable") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    j->append("kept");
    j->commit();
    j->append("lost"); // never committed: a crash loses it, by contract
  }
  recovered_state rec;
  journal::open(dir.path, rec);
  CHECK(rec.records == strings({"kept"}));
}

TEST_CASE("journal: a torn tail is truncated and reported") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    j->append("a");
    j->append("b");
    j->commit();
  }
  auto log = dir.path / "log-0";
  auto good_size = fs::file_size(log);
  SUBCASE("half a frame header") {
    std::ofstream(log, std::ios::app | std::ios::binary) << "\x05\x00";
  }
  SUBCASE("a frame whose payload is cut short") {
    std::string frame;
    append_frame(frame, "complete-record");
    frame.resize(frame.size() - 3);
    std::ofstream(log, std::ios::app | std::ios::binary) << frame;
  }
  SUBCASE("a frame with a bad checksum") {
    std::string frame;
    append_frame(frame, "payload");
    frame.back() ^= 0x20;
    std::ofstream(log, std::ios::app | std::ios::binary) << frame;
  }
  recovered_state rec;
  auto j = journal::open(dir.path, rec);
  CHECK(rec.records == strings({"a", "b"}));
  CHECK(rec.report.dropped_bytes > 0);
  CHECK_FALSE(rec.report.dropped_reason.empty());
  CHECK(fs::file_size(log) == good_size); // the tail is gone from disk
  // Appending after recovery continues cleanly after the good records.
  j->append("c");
  j->commit();
  j.reset();
  journal::open(dir.path, rec);
  CHECK(rec.records == strings({"a", "b", "c"}));
  CHECK(rec.report.dropped_bytes == 0);
}

TEST_CASE("journal: corruption in the middle drops everything after it") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    for (auto r : {"first", "second", "third"})
      j->append(r);
    j->commit();
  }
  auto log = dir.path / "log-0";
  {
    // Flip a byte inside "second": its checksum no longer matches.
    std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4 + 8 + 5 + 8 + 2);
    f.put('X');
  }
  recovered_state rec;
  journal::open(dir.path, rec);
  CHECK(rec.records == strings({"first"}));
  CHECK(rec.report.dropped_reason.find("checksum mismatch") == 0);
}

// Found by journal_fuzz: a damaged snapshot was skipped silently and the
// journal started at generation 0 with no tasks.
TEST_CASE("journal: a damaged snapshot is refused with an error naming it") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    j->append("before");
    j->compact("the state");
    j->append("after");
    j->commit();
  }
  auto snapshot = dir.path / "snapshot-1";
  REQUIRE(fs::exists(snapshot));
  SUBCASE("a flipped byte") {
    std::fstream f(snapshot, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4 + 8 + 2);
    f.put('X');
  }
  SUBCASE("cut short") {
    fs::resize_file(snapshot, 4 + 8 + 3);
  }
  SUBCASE("empty") {
    fs::resize_file(snapshot, 0);
  }
  SUBCASE("two records") {
    std::string frame;
    append_frame(frame, "more");
    std::ofstream(snapshot, std::ios::app | std::ios::binary) << frame;
  }
  recovered_state rec;
  try {
    journal::open(dir.path, rec);
    FAIL("a damaged snapshot was accepted");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find(snapshot.string()) != std::string::npos);
    CHECK(what.find("is damaged") != std::string::npos);
  }
  CHECK(fs::exists(snapshot)); // nothing deleted: the operator decides
  CHECK(fs::exists(dir.path / "log-1"));
}

TEST_CASE("journal: compaction replaces the log by a snapshot") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    j->append("old-1");
    j->append("old-2");
    j->commit();
    CHECK(j->log_bytes() > 0);
    j->compact("state-after-old");
    CHECK(j->log_bytes() == 0);
    j->append("new-1");
    j->commit();
  }
  CHECK_FALSE(fs::exists(dir.path / "log-0"));
  CHECK(fs::exists(dir.path / "snapshot-1"));
  recovered_state rec;
  auto j = journal::open(dir.path, rec);
  CHECK(rec.report.snapshot_loaded);
  CHECK(rec.report.generation == 1);
  CHECK(rec.snapshot == "state-after-old");
  CHECK(rec.records == strings({"new-1"}));
  // A second compaction moves on to generation 2.
  j->compact("state-2");
  j.reset();
  journal::open(dir.path, rec);
  CHECK(rec.report.generation == 2);
  CHECK(rec.snapshot == "state-2");
  CHECK(rec.records.empty());
}

TEST_CASE("journal: leftovers of an interrupted compaction are cleaned up") {
  temp_dir dir;
  {
    recovered_state rec;
    auto j = journal::open(dir.path, rec);
    j->append("x");
    j->commit();
    j->compact("snap");
  }
  // Simulate a crash after the new snapshot was renamed into place but
  // before the old generation was deleted, plus a stray temporary file.
  std::ofstream(dir.path / "log-0", std::ios::binary) << "ORJ1";
  std::ofstream(dir.path / "snapshot.tmp", std::ios::binary) << "garbage";
  recovered_state rec;
  journal::open(dir.path, rec);
  CHECK(rec.snapshot == "snap");
  CHECK_FALSE(fs::exists(dir.path / "log-0"));
  CHECK_FALSE(fs::exists(dir.path / "snapshot.tmp"));
}

TEST_CASE("journal: a second process on the same directory is refused") {
  temp_dir dir;
  recovered_state rec;
  auto j = journal::open(dir.path, rec);
  // flock is per open file description, so a child process sees the lock
  // exactly as a second outrigger would.
  auto pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      recovered_state other;
      journal::open(dir.path, other);
      ::_exit(1); // must not get here
    } catch (const store_error& e) {
      std::string what = e.what();
      bool ok =
        what.find("is in use by another process (pid " +
                  std::to_string(::getppid()) + ")") != std::string::npos;
      ::_exit(ok ? 0 : 2);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // Released on close: the next owner gets it.
  j.reset();
  CHECK_NOTHROW(journal::open(dir.path, rec));
}

TEST_CASE("journal: oversized records are refused, with a clear error") {
  temp_dir dir;
  recovered_state rec;
  journal_options opts;
  opts.max_record_size = 16;
  auto j = journal::open(dir.path, rec, opts);
  CHECK_THROWS_WITH_AS(j->append(std::string(17, 'x')),
                       "record of 17 bytes exceeds the journal maximum",
                       store_error);
  CHECK(j->pending() == 0);
}

TEST_CASE("journal: a failed fsync stops the journal until a restart") {
  temp_dir dir;
  recovered_state rec;
  journal_options opts;
  bool failing = false;
  int syncs = 0;
  opts.sync_data = [&](int fd) {
    ++syncs;
    if (failing) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto j = journal::open(dir.path, rec, opts);
  j->append("durable");
  j->commit();
  failing = true;
  j->append("doubtful");
  CHECK_THROWS_WITH_AS(
    j->commit(),
    doctest::Contains(
      doctest::String{("cannot sync journal " + (dir.path / "log-0").string() +
                       ": Input/output error")
                        .c_str()}),
    store_error);
  // Not retried, even once the disk would answer again: the failed sync may
  // have dropped the very pages a retry would report as durable.
  failing = false;
  auto before = syncs;
  j->append("later");
  CHECK_THROWS_WITH_AS(j->commit(),
                       doctest::Contains("stopped after an earlier failure"),
                       store_error);
  CHECK_THROWS_AS(j->compact("snapshot"), store_error);
  CHECK(syncs == before);
  // A restart recovers what the file holds: the committed record, and the
  // one whose sync failed if its bytes reached the file (never acknowledged,
  // so a keyed resubmission finds it).
  j.reset();
  recovered_state again;
  auto reopened = journal::open(dir.path, again);
  REQUIRE(!again.records.empty());
  CHECK(again.records.front() == "durable");
  CHECK(again.records.size() <= 2);
  reopened->append("after restart");
  CHECK_NOTHROW(reopened->commit());
}

TEST_CASE("journal: a failed fsync of a snapshot stops the journal") {
  temp_dir dir;
  recovered_state rec;
  journal_options opts;
  bool failing = false;
  opts.sync_data = [&](int fd) {
    if (failing) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto j = journal::open(dir.path, rec, opts);
  j->append("one");
  j->commit();
  failing = true;
  CHECK_THROWS_WITH_AS(j->compact("snap"),
                       doctest::Contains("cannot sync snapshot"), store_error);
  failing = false;
  j->append("two");
  CHECK_THROWS_AS(j->commit(), store_error);
  j.reset();
  recovered_state again;
  journal::open(dir.path, again);
  // The old generation is intact: the snapshot never replaced it.
  CHECK_FALSE(again.report.snapshot_loaded);
  CHECK(again.records == strings({"one"}));
}
