// zk_store_bench: the ZooKeeper state store (scheduling/store/zk_store.hpp)
// against real servers (issue 14's goals: >= 5,000 state changes/s through
// one ZooKeeper server, >= 2,000/s through a 3-node ensemble).
//
// Starts a private 1-node ZooKeeper and a local 3-node ensemble on
// 127.0.0.1 (tests/support's zk_server and zk_ensemble) with forceSync=yes
// and ZooKeeper's default log preallocation: every commit is fsynced by the
// server (by a quorum of them in the ensemble). Then, per server set:
//
//   commit    records of ~200 bytes (a status update's worth) in group
//             commits of 1, 16, 128 and 1024 records, each batch size for
//             --seconds: records/s, commits/s, p50/p99 commit latency
//   recovery  open() of a state of --tasks tasks: their records as a log
//             (5 per task, committed 128 at a time), the same records one
//             commit each (one node per record: the worst case for a
//             takeover), and a snapshot of --snapshot-bytes-per-task each
//
// Figures are printed, never asserted (docs/BENCHMARKS.md).
//
//   build/bench/zk_store_bench [--single-only] [--seconds 3] [--tasks 10000]
//   (TMPDIR chooses where the servers keep their data; default /tmp)

#include "scheduling/store/zk_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_server.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace outrigger;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct options {
  bool single_only = false;
  bool ensemble_only = false;
  double seconds = 3;
  std::size_t tasks = 10000;
  std::size_t record_bytes = 200;
  std::size_t snapshot_bytes_per_task = 1000;
  std::vector<std::size_t> batches{1, 16, 128, 1024};
  bool one_node_per_record = true;
  std::uint64_t compact_bytes = 64ull << 20;
};

double ms_since(steady::time_point start) {
  return std::chrono::duration<double, std::milli>(steady::now() - start)
    .count();
}

// A status update's worth of state change.
std::string status_record(std::size_t task, std::size_t change,
                          std::size_t size) {
  static const char* states[] = {"TASK_STAGING", "TASK_STARTING",
                                 "TASK_RUNNING", "TASK_FINISHED",
                                 "TASK_KILLED"};
  char head[160];
  std::snprintf(head, sizeof head,
                "{\"task\":\"task-%08zu\",\"state\":\"%s\",\"agent\":"
                "\"agent-%04zu\",\"ts\":%zu,\"uuid\":\"%016zx\",\"msg\":\"",
                task, states[change % 5], task % 1000, 1700000000 + task,
                task * 2654435761u + change);
  std::string r{head};
  while (r.size() + 2 < size)
    r.push_back(static_cast<char>('a' + (r.size() % 26)));
  r += "\"}";
  return r;
}

store::zk_store_options store_options(const std::string& hosts,
                                      const std::string& root) {
  store::zk_store_options o;
  o.hosts = hosts;
  o.root = root;
  o.owner = "zk_store_bench";
  o.connect_timeout = 30s;
  return o;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

void bench_commits(const std::string& hosts, const options& opt) {
  // Warm-up (not reported): the server's JIT and the first log file.
  {
    store::recovered_state rec;
    auto s = store::zk_store::open(store_options(hosts, "/bench-warmup"), rec);
    for (auto end = steady::now() + 1s; steady::now() < end; s->commit())
      for (std::size_t i = 0; i < 16; ++i)
        s->append(status_record(i, i, opt.record_bytes));
  }
  std::printf("  %-8s %12s %10s %8s %8s %8s %8s %6s\n", "batch", "records/s",
              "commits/s", "p50 ms", "p99 ms", "max ms", "commits",
              "compactions");
  for (auto batch : opt.batches) {
    store::recovered_state rec;
    auto s = store::zk_store::open(
      store_options(hosts, "/bench-commit-" + std::to_string(batch)), rec);
    std::vector<double> latencies;
    std::size_t records = 0;
    auto start = steady::now();
    auto limit = start + std::chrono::duration_cast<steady::duration>(
                           std::chrono::duration<double>(opt.seconds));
    std::size_t compactions = 0;
    while (steady::now() < limit) {
      for (std::size_t i = 0; i < batch; ++i, ++records)
        s->append(status_record(records / 5, records, opt.record_bytes));
      auto t = steady::now();
      s->commit();
      latencies.push_back(ms_since(t));
      // As the task book does (compact_min_bytes), with a 1 MB state.
      if (s->log_bytes() >= opt.compact_bytes) {
        s->compact(std::string(1 << 20, 's'));
        ++compactions;
      }
    }
    double secs = ms_since(start) / 1000;
    std::printf("  %-8zu %12.0f %10.0f %8.2f %8.2f %8.1f %8zu %6zu\n", batch,
                static_cast<double>(records) / secs,
                static_cast<double>(latencies.size()) / secs,
                percentile(latencies, 0.5), percentile(latencies, 0.99),
                percentile(latencies, 1.0), latencies.size(), compactions);
  }
}

// Fills `root` with `records` records, `per_commit` per commit.
void fill(const std::string& hosts, const std::string& root,
          std::size_t records, std::size_t per_commit, std::size_t size) {
  store::recovered_state rec;
  auto s = store::zk_store::open(store_options(hosts, root), rec);
  for (std::size_t i = 0; i < records; ++i) {
    s->append(status_record(i / 5, i, size));
    if (s->pending() == per_commit)
      s->commit();
  }
  s->commit();
}

void time_open(const std::string& hosts, const std::string& root,
               const char* label) {
  store::recovered_state rec;
  auto start = steady::now();
  auto s = store::zk_store::open(store_options(hosts, root), rec);
  double ms = ms_since(start);
  std::printf("  %-34s %9.0f ms  (%zu records, %.1f MB log, %.1f MB "
              "snapshot)\n",
              label, ms, rec.records.size(),
              static_cast<double>(rec.report.bytes) / 1e6,
              static_cast<double>(rec.snapshot.size()) / 1e6);
}

void bench_recovery(const std::string& hosts, const options& opt) {
  auto records = opt.tasks * 5;
  auto t = steady::now();
  fill(hosts, "/bench-recover-log", records, 128, opt.record_bytes);
  std::printf("  (wrote %zu records in %zu-record commits in %.1f s)\n",
              records, std::size_t{128}, ms_since(t) / 1000);
  time_open(hosts, "/bench-recover-log",
            ("open: log of " + std::to_string(records) + " records").c_str());

  if (opt.one_node_per_record) {
    t = steady::now();
    fill(hosts, "/bench-recover-nodes", opt.tasks, 1, opt.record_bytes);
    std::printf("  (wrote %zu one-record commits in %.1f s)\n", opt.tasks,
                ms_since(t) / 1000);
    time_open(
      hosts, "/bench-recover-nodes",
      ("open: " + std::to_string(opt.tasks) + " nodes of one record").c_str());
  }

  {
    store::recovered_state rec;
    auto s = store::zk_store::open(
      store_options(hosts, "/bench-recover-snapshot"), rec);
    std::string snapshot;
    for (std::size_t i = 0;
         snapshot.size() < opt.tasks * opt.snapshot_bytes_per_task; ++i)
      snapshot += status_record(i, i, opt.record_bytes);
    snapshot.resize(opt.tasks * opt.snapshot_bytes_per_task);
    auto c = steady::now();
    s->compact(snapshot);
    std::printf("  compact: snapshot of %.1f MB        %9.0f ms\n",
                static_cast<double>(snapshot.size()) / 1e6, ms_since(c));
    for (std::size_t i = 0; i < 1000; ++i)
      s->append(status_record(i, i, opt.record_bytes));
    s->commit();
  }
  time_open(hosts, "/bench-recover-snapshot", "open: snapshot + 1,000 records");
}

// What an fsync costs on this disk, to read the figures against: 200-byte
// writes, each followed by fdatasync, into a preallocated file (as
// ZooKeeper's transaction log is: no size change to sync) and appended to a
// growing one (a journal's case: each sync also commits the file system's
// journal).
void disk_sync_latency() {
  test::temp_dir dir{"zk-store-bench-disk"};
  auto path = (dir.path() / "probe").string();
  std::string block(200, 'd');
  for (bool prealloc : {true, false}) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
      return;
    if (prealloc) {
      std::string zeros(1 << 20, '\0');
      if (::write(fd, zeros.data(), zeros.size()) < 0 || ::fsync(fd) != 0)
        break;
    }
    std::vector<double> lat;
    for (int i = 0; i < 500; ++i) {
      auto t = steady::now();
      auto off = static_cast<off_t>(i * block.size());
      if (::pwrite(fd, block.data(), block.size(), off) < 0 ||
          ::fdatasync(fd) != 0)
        break;
      lat.push_back(ms_since(t));
    }
    ::close(fd);
    std::printf("disk: 200-byte write + fdatasync, %s: p50 %.2f ms, "
                "p99 %.2f ms\n",
                prealloc ? "preallocated file" : "growing file",
                percentile(lat, 0.5), percentile(lat, 0.99));
  }
}

void run(const std::string& label, const std::string& hosts,
         const options& opt) {
  std::printf("\n== %s (%s), forceSync=yes\n", label.c_str(), hosts.c_str());
  disk_sync_latency();
  std::printf("commit (%zu-byte records):\n", opt.record_bytes);
  bench_commits(hosts, opt);
  std::printf("recovery (%zu tasks):\n", opt.tasks);
  bench_recovery(hosts, opt);
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"zk_store_bench: the ZooKeeper state store against real "
               "servers (figures, never asserted)"};
  app.add_flag("--single-only", opt.single_only, "only the 1-node server");
  app.add_flag("--ensemble-only", opt.ensemble_only,
               "only the 3-node ensemble");
  app.add_option("--seconds", opt.seconds, "per batch size");
  app.add_option("--tasks", opt.tasks, "tasks of the recovery state");
  app.add_option("--record-bytes", opt.record_bytes, "size of a record");
  app.add_option("--snapshot-bytes-per-task", opt.snapshot_bytes_per_task,
                 "snapshot size per task");
  app.add_option("--batches", opt.batches, "records per commit")
    ->delimiter(',');
  app.add_option("--compact-bytes", opt.compact_bytes,
                 "compact when the log reaches this (the book's default)");
  app.add_flag("!--no-one-node-per-record", opt.one_node_per_record,
               "skip the recovery of one node per record");
  CLI11_PARSE(app, argc, argv);

  test::zk_server_options zk;
  zk.durable = true;
  zk.heap = "1g"; // the commit runs write a few hundred MB
  try {
    if (!opt.ensemble_only) {
      test::zk_server server{zk};
      run("1-node ZooKeeper", server.connect_string(), opt);
    }
    if (!opt.single_only) {
      test::zk_ensemble ensemble{3, zk};
      run("3-node ensemble", ensemble.connect_string(), opt);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zk_store_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
