// Status updates end to end (goal: >= 100,000 updates/s on one
// core; event-to-ACK p99 under 1 ms at half that rate): decode the UPDATE
// event -> status tracker -> task book -> journal append + group commit
// (real fdatasync in a temporary directory, or fsync off) -> ACKNOWLEDGE
// encoded. 100,000 launched tasks each get STARTING, RUNNING, FINISHED.
//
// Throughput: events are processed as fast as possible in batches of 1024
// (what arrives during one sync); items/s counts on the thread's CPU time,
// wall_per_s includes the time spent waiting for the disk. Latency: events
// arrive at a fixed rate (open loop); each batch is whatever has arrived;
// an event's latency ends when its ACK is encoded.
//
//   taskset -c 1 build-sched/bench/status_bench
//   (OUTRIGGER_BENCH_DIR chooses where the journal goes; default $TMPDIR
//    or /tmp)

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "protocol/json_value.hpp"
#include "scheduling/status_tracker/status_tracker_state.hpp"
#include "scheduling/store/journal.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>

namespace {

using namespace outrigger::scheduling;
namespace proto = outrigger::protocol;
namespace fs = std::filesystem;

constexpr std::size_t task_count = 100'000;
constexpr std::string_view framework =
  "5f1c3f1e-0d3a-4c59-9a2b-7c1d2e3f4a5b-0000";

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         static_cast<double>(ts.tv_nsec) * 1e-9;
}

time_point t0() {
  return time_point{duration{1'700'000'000'000}};
}

std::string agent_of(std::size_t i) {
  return "9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d-S" + std::to_string(i % 10'000);
}

// The UPDATE events as the master sends them (JSON), in arrival order.
const std::vector<std::string>& corpus() {
  static const auto xs = [] {
    std::mt19937_64 rng{11};
    std::vector<std::string> out;
    const proto::task_state states[] = {proto::task_state::starting,
                                        proto::task_state::running,
                                        proto::task_state::finished};
    for (auto state : states)
      for (std::size_t i = 0; i < task_count; ++i) {
        proto::TaskStatus s;
        s.task_id.value = mesos_task_id(i + 1, 1);
        s.state = state;
        s.source = proto::status_source::executor;
        s.agent_id = proto::AgentID{agent_of(i)};
        s.executor_id = proto::ExecutorID{s.task_id.value};
        s.timestamp = 1'700'000'000.0 + static_cast<double>(i) / 1000.0;
        std::string uuid(16, '\0');
        for (auto& c : uuid)
          c = static_cast<char>(rng());
        s.uuid = proto::Bytes{uuid};
        if (state == proto::task_state::finished)
          s.message = "Command exited with status 0";
        proto::ContainerStatus cs;
        cs.container_id = proto::ContainerID{
          "c0ffee00-1111-2222-3333-" + std::to_string(100'000'000 + i), {}};
        proto::NetworkInfo net;
        net.ip_addresses.push_back(
          proto::IPAddress{proto::network_protocol::ipv4, "10.0.3.7"});
        cs.network_infos.push_back(net);
        cs.executor_pid = 4242;
        s.container_status = cs;
        proto::Event e;
        e.type = proto::event_type::update;
        e.update = proto::Update{s};
        out.push_back(proto::to_json(e));
      }
    return out;
  }();
  return xs;
}

fs::path bench_dir() {
  const char* base = std::getenv("OUTRIGGER_BENCH_DIR");
  if (!base)
    base = std::getenv("TMPDIR");
  std::string pattern =
    (fs::path{base ? base : "/tmp"} / "status-bench-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    std::abort();
  return pattern;
}

// A book with every task launched and durable, on a fresh journal.
struct setup {
  fs::path dir = bench_dir();
  std::unique_ptr<outrigger::store::journal> journal;
  std::unique_ptr<task_book_state> book;
  status_tracker_state tracker{{}};

  explicit setup(bool fsync) {
    outrigger::store::recovered_state rec;
    outrigger::store::journal_options opts;
    opts.fsync = fsync;
    journal = outrigger::store::journal::open(dir, rec, opts);
    book = std::make_unique<task_book_state>(task_book_config{}, *journal);
    book->recover(rec);
    book->set_framework_id(std::string{framework});
    for (std::size_t i = 0; i < task_count; ++i) {
      task_spec s;
      s.key = "dag_" + std::to_string(i % 500) + ".task_" + std::to_string(i);
      s.command = std::string(100, 'x');
      s.role = interned{"*"};
      s.queue = interned{"default"};
      auto r = book->submit(std::move(s), t0());
      auto id = r->task->id;
      auto agent = agent_of(i);
      book->begin_launch(id, 1, interned{agent}, interned{"host-" + agent},
                         t0());
    }
    book->commit();
    book->take_notices();
  }
  ~setup() {
    book.reset();
    journal.reset();
    fs::remove_all(dir);
  }
};

// `fast`: decode_event as the service calls it (one-pass fast path, DOM
// fallback); otherwise the DOM path alone (a document, then the walk).
bool decode(bool fast, std::string_view text, proto::Event& out) {
  auto r = fast ? proto::decode_event(text)
                : proto::from_json_value<proto::Event>(
                    nlohmann::ordered_json::parse(text, nullptr, false));
  if (!r)
    return false;
  out = std::move(*r);
  return out.update.has_value();
}

// One batch: decode and apply each event, one group commit, the ACKs
// encoded. Returns the number of ACKs.
std::size_t run_batch(setup& s, std::size_t begin, std::size_t end, bool pull,
                      bool fast_ack, std::string& wire, time_point now) {
  auto& events = corpus();
  proto::Event e;
  for (auto i = begin; i < end; ++i) {
    if (!decode(pull, events[i], e))
      std::abort();
    s.tracker.on_update(*s.book, e.update->status, now);
  }
  auto durable = s.book->commit();
  auto acks = s.tracker.release_acks(durable);
  wire.clear();
  proto::FrameworkID fw{std::string{framework}};
  for (auto& ack : acks) {
    if (fast_ack)
      proto::append_acknowledge_json(wire, framework, ack.agent_id.value,
                                     ack.task_id.value, ack.uuid.data);
    else
      wire += proto::to_json(
        proto::make_acknowledge(fw, ack.agent_id, ack.task_id, ack.uuid));
  }
  benchmark::DoNotOptimize(wire.data());
  return acks.size();
}

// Args: fsync (0/1), decode_event (1) or the DOM path alone (0), fast ACK
// encoder (1) or protocol::to_json of the Call (0).
void BM_UpdateThroughput(benchmark::State& state) {
  bool fsync = state.range(0) != 0;
  bool pull = state.range(1) != 0;
  bool fast_ack = state.range(2) != 0;
  auto n = corpus().size();
  double wall = 0;
  for (auto _ : state) {
    state.PauseTiming();
    setup s{fsync};
    std::string wire;
    state.ResumeTiming();
    auto cpu0 = thread_seconds();
    auto wall0 = std::chrono::steady_clock::now();
    std::size_t acked = 0;
    for (std::size_t i = 0; i < n; i += 1024)
      acked += run_batch(s, i, std::min(n, i + 1024), pull, fast_ack, wire,
                         t0() + std::chrono::seconds{10});
    state.SetIterationTime(thread_seconds() - cpu0);
    wall +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
        .count();
    if (acked != n ||
        s.book->phase_counts()[size_t(task_phase::finished)] != task_count)
      state.SkipWithError("not every update was applied and acknowledged");
  }
  auto total = static_cast<double>(n) * static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
  state.counters["wall_per_s"] = total / wall;
}

// Args: rate in updates/s, fsync (0/1). Open loop: event i arrives at
// start + i / rate whatever the service is doing.
void BM_UpdateLatency(benchmark::State& state) {
  auto rate = static_cast<double>(state.range(0));
  bool fsync = state.range(1) != 0;
  auto n = std::min<std::size_t>(corpus().size(),
                                 static_cast<std::size_t>(rate * 3)); // 3 s
  std::vector<double> latency;
  for (auto _ : state) {
    state.PauseTiming();
    setup s{fsync};
    std::string wire;
    latency.clear();
    latency.reserve(n);
    using clock = std::chrono::steady_clock;
    auto start = clock::now();
    auto arrival = [&](std::size_t i) {
      return start +
             std::chrono::duration_cast<clock::duration>(
               std::chrono::duration<double>(static_cast<double>(i) / rate));
    };
    std::size_t next = 0;
    while (next < n) {
      auto now = clock::now();
      auto end = next;
      while (end < n && end - next < 4096 && arrival(end) <= now)
        ++end;
      if (end == next)
        continue; // nothing arrived yet: poll again
      run_batch(s, next, end, true, true, wire, t0());
      auto done = clock::now();
      for (auto i = next; i < end; ++i)
        latency.push_back(
          std::chrono::duration<double, std::micro>(done - arrival(i)).count());
      next = end;
    }
    state.ResumeTiming();
  }
  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) {
    return latency[std::min(latency.size() - 1,
                            static_cast<std::size_t>(p * latency.size()))];
  };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["max_us"] = latency.back();
}

} // namespace

BENCHMARK(BM_UpdateThroughput)
  ->ArgNames({"fsync", "fast_decode", "fast_ack"})
  ->Args({1, 1, 1})
  ->Args({0, 1, 1})
  ->Args({0, 0, 1})
  ->Args({0, 1, 0})
  ->Args({0, 0, 0})
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond)
  ->Iterations(2);
BENCHMARK(BM_UpdateLatency)
  ->ArgNames({"rate", "fsync"})
  ->Args({50'000, 1})
  ->Args({50'000, 0})
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1);

BENCHMARK_MAIN();
