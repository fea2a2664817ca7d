// One matching pass of the offer matcher (goal: 10,000 offers and
// 100,000 queued tasks in at most 50 ms on one core), plus the cost around
// it: taking in an OFFERS event and building the ACCEPT calls of a plan.
//
// The mix: 10,000 agents' leftovers (1-32 cpus, 2-8 GiB per cpu, ports,
// 50 racks in 3 zones, 20% of them for role "analytics"); 100,000 tasks in
// 36 shapes (0.1-4 cpus, 128-4096 MiB), 20% for "analytics", 10% with a
// constraint (hostname UNIQUE, rack MAX_PER, zone LIKE, rack EQUALS), 5% at
// a higher priority, submitted over an hour (10% retries ready later). Times
// are the thread's CPU time (the machine may be shared); wall time is reported
// as a counter.
//
//   taskset -c 1 build-sched/bench/matcher_bench

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "protocol/resource_math.hpp"
#include "scheduling/offer_matcher/offer_matcher_state.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>
#include <random>

namespace {

using namespace outrigger::scheduling;
namespace proto = outrigger::protocol;

constexpr std::size_t offer_count = 10'000;
constexpr std::size_t task_count = 100'000;

time_point t0() {
  return time_point{duration{1'700'000'000'000}};
}

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         static_cast<double>(ts.tv_nsec) * 1e-9;
}

proto::Resource allocated(proto::Resource r, const std::string& role) {
  r.allocation_info = proto::AllocationInfo{role};
  return r;
}

const std::vector<proto::Offer>& offers() {
  static const auto xs = [] {
    std::mt19937_64 rng{42};
    std::vector<proto::Offer> out;
    const double cpus_choice[] = {1, 2, 2, 4, 4, 4, 8, 8, 16, 32};
    const double mem_per_cpu[] = {2048, 4096, 8192};
    for (std::size_t i = 0; i < offer_count; ++i) {
      proto::Offer o;
      o.id.value = "5f1c3f1e-0d3a-4c59-9a2b-7c1d2e3f4a5b-O" + std::to_string(i);
      o.framework_id.value = "5f1c3f1e-0d3a-4c59-9a2b-7c1d2e3f4a5b-0000";
      o.agent_id.value =
        "9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d-S" + std::to_string(i);
      o.hostname = "node-" + std::to_string(i) + ".cluster.example.org";
      std::string role = rng() % 5 == 0 ? "analytics" : "*";
      auto cpus = cpus_choice[rng() % 10];
      o.resources.push_back(
        allocated(proto::scalar_resource("cpus", cpus), role));
      o.resources.push_back(allocated(
        proto::scalar_resource("mem", cpus * mem_per_cpu[rng() % 3]), role));
      o.resources.push_back(
        allocated(proto::scalar_resource("disk", 100'000), role));
      o.resources.push_back(allocated(
        proto::ranges_resource("ports", proto::Ranges{{{31000, 32000}}}),
        role));
      o.allocation_info = proto::AllocationInfo{role};
      auto rack = static_cast<int>(i % 50);
      for (auto [name, value] :
           {std::pair<std::string, std::string>{"rack",
                                                "r" + std::to_string(rack)},
            {"zone", std::string(1, char('a' + rack % 3))}}) {
        proto::Attribute a;
        a.name = name;
        a.type = proto::value_type::text;
        a.text = proto::Text{value};
        o.attributes.push_back(std::move(a));
      }
      out.push_back(std::move(o));
    }
    return out;
  }();
  return xs;
}

const std::vector<pending_task>& tasks() {
  static const auto xs = [] {
    std::mt19937_64 rng{7};
    std::vector<pending_task> out;
    const double cpus[] = {0.1, 0.25, 0.5, 1, 2, 4};
    const double mem[] = {128, 256, 512, 1024, 2048, 4096};
    std::vector<std::shared_ptr<const task_extras>> constrained;
    auto with = [](std::vector<placement_constraint> cs) {
      auto x = std::make_shared<task_extras>();
      x->constraints = std::move(cs);
      return std::shared_ptr<const task_extras>(std::move(x));
    };
    constrained.push_back(
      with({{interned{"hostname"}, constraint_op::unique, "", 1}}));
    constrained.push_back(
      with({{interned{"rack"}, constraint_op::max_per, "", 20}}));
    constrained.push_back(
      with({{interned{"zone"}, constraint_op::like, "a|b", 0}}));
    constrained.push_back(
      with({{interned{"rack"}, constraint_op::equals, "r7", 0}}));
    for (std::size_t i = 0; i < task_count; ++i) {
      task_spec s;
      s.key = "dag_" + std::to_string(i % 500) + ".task_" + std::to_string(i);
      s.command = std::string(100, 'x');
      s.resources.cpus = cpus[rng() % 6];
      s.resources.mem = mem[rng() % 6];
      s.role = interned{rng() % 5 == 0 ? "analytics" : "*"};
      s.queue = interned{"default"};
      s.priority = rng() % 20 == 0 ? 10 : 0;
      if (rng() % 10 == 0) {
        auto k = rng() % constrained.size();
        s.extras = constrained[k];
        s.queue = interned{"q" + std::to_string(k)};
      }
      // Ids follow submission order, and so do ready times; one task in
      // ten is a retry whose backoff ends later.
      auto ready = t0() + duration{static_cast<std::int64_t>(i) * 36};
      if (rng() % 10 == 0)
        ready += duration{static_cast<std::int64_t>(rng() % 600'000)};
      out.push_back(pending_task{
        i + 1, 1, std::make_shared<const task_spec>(std::move(s)), ready});
    }
    return out;
  }();
  return xs;
}

time_point now() {
  return t0() + std::chrono::hours{2};
}

std::unique_ptr<offer_matcher_state> loaded(fitness strategy) {
  offer_matcher_config cfg;
  cfg.strategy = strategy;
  cfg.roles = {"*", "analytics"};
  auto m = std::make_unique<offer_matcher_state>(cfg);
  m->add_offers(offers(), now());
  for (auto& t : tasks())
    m->add_pending(t);
  return m;
}

void BM_MatchPass(benchmark::State& state) {
  auto strategy = static_cast<fitness>(state.range(0));
  std::size_t launches = 0, groups = 0, accepts = 0, pending_after = 0;
  double wall = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto m = loaded(strategy);
    state.ResumeTiming();
    auto cpu0 = thread_seconds();
    auto wall0 = std::chrono::steady_clock::now();
    auto plan = m->match(now());
    auto cpu = thread_seconds() - cpu0;
    wall +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
        .count();
    state.SetIterationTime(cpu);
    launches = plan.stats.launches;
    groups = plan.stats.groups;
    accepts = plan.accepts.size();
    pending_after = m->pending();
    benchmark::DoNotOptimize(plan);
    state.PauseTiming();
    plan = {};
    m.reset();
    state.ResumeTiming();
  }
  state.counters["launches"] = static_cast<double>(launches);
  state.counters["accepts"] = static_cast<double>(accepts);
  state.counters["groups"] = static_cast<double>(groups);
  state.counters["left_pending"] = static_cast<double>(pending_after);
  state.counters["wall_ms"] =
    1000 * wall / static_cast<double>(state.iterations());
}

// The same pass on a long-lived matcher: between passes (not timed) the
// offers come again and the placed tasks end and are requeued, so every
// pass sees 10,000 offers and 100,000 queued tasks with warm buffers.
void BM_MatchPassSteady(benchmark::State& state) {
  auto strategy = static_cast<fitness>(state.range(0));
  auto m = loaded(strategy);
  std::size_t launches = 0;
  double wall = 0;
  std::vector<pending_task> requeue;
  for (auto _ : state) {
    auto cpu0 = thread_seconds();
    auto wall0 = std::chrono::steady_clock::now();
    auto plan = m->match(now());
    state.SetIterationTime(thread_seconds() - cpu0);
    wall +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
        .count();
    launches = plan.stats.launches;
    state.PauseTiming();
    for (auto& a : plan.accepts)
      for (auto& l : a.launches) {
        m->note_ended(l.id);
        requeue.push_back(pending_task{l.id, l.attempt + 1, l.spec, now()});
      }
    for (auto& t : requeue)
      m->add_pending(t);
    requeue.clear();
    m->expire(now() + std::chrono::hours{1});
    m->add_offers(offers(), now());
    state.ResumeTiming();
  }
  state.counters["launches"] = static_cast<double>(launches);
  state.counters["pending"] = static_cast<double>(m->pending());
  state.counters["wall_ms"] =
    1000 * wall / static_cast<double>(state.iterations());
}

// A pass in which nothing fits (every offer too small): the cost of
// scanning every group against every offer and writing the reasons.
void BM_MatchPassNothingFits(benchmark::State& state) {
  offer_matcher_config cfg;
  cfg.roles = {"*", "analytics"};
  offer_matcher_state m{cfg};
  for (auto& t : tasks()) {
    auto big = *t.spec;
    big.resources.cpus = 64;
    m.add_pending(pending_task{t.id, 1, std::make_shared<const task_spec>(big),
                               t.ready_at});
  }
  for (auto _ : state) {
    m.add_offers(offers(), now()); // re-offered each pass (not timed)
    auto cpu0 = thread_seconds();
    auto plan = m.match(now());
    state.SetIterationTime(thread_seconds() - cpu0);
    if (plan.stats.launches != 0)
      state.SkipWithError("something fitted");
    m.expire(now() + std::chrono::hours{1});
  }
  state.counters["groups"] = static_cast<double>(m.groups());
}

// Taking in the OFFERS event of 10,000 agents.
void BM_AddOffers(benchmark::State& state) {
  for (auto _ : state) {
    offer_matcher_state m{{}};
    auto cpu0 = thread_seconds();
    m.add_offers(offers(), now());
    state.SetIterationTime(thread_seconds() - cpu0);
  }
  state.SetItemsProcessed(
    static_cast<std::int64_t>(state.iterations() * offer_count));
}

// TaskInfos and ACCEPT calls for a whole plan, and their JSON encoding.
void BM_BuildAccepts(benchmark::State& state) {
  bool encode = state.range(0) != 0;
  std::size_t tasks_built = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto m = loaded(fitness::first_fit);
    auto plan = m->match(now());
    state.ResumeTiming();
    auto cpu0 = thread_seconds();
    std::size_t bytes = 0;
    tasks_built = 0;
    for (auto& a : plan.accepts) {
      auto infos = m->build_task_infos(a);
      tasks_built += infos.size();
      auto call = m->accept_call(proto::FrameworkID{"fw"}, a, std::move(infos));
      if (encode)
        bytes += proto::to_json(call).size();
      benchmark::DoNotOptimize(call);
    }
    state.SetIterationTime(thread_seconds() - cpu0);
    benchmark::DoNotOptimize(bytes);
    state.PauseTiming();
    plan = {};
    m.reset();
    state.ResumeTiming();
  }
  state.counters["tasks"] = static_cast<double>(tasks_built);
}

} // namespace

BENCHMARK(BM_MatchPass)
  ->Arg(static_cast<int>(fitness::first_fit))
  ->Arg(static_cast<int>(fitness::spread))
  ->ArgName("spread")
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond)
  ->Iterations(5);
BENCHMARK(BM_MatchPassSteady)
  ->Arg(static_cast<int>(fitness::first_fit))
  ->Arg(static_cast<int>(fitness::spread))
  ->ArgName("spread")
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond)
  ->Iterations(8);
BENCHMARK(BM_MatchPassNothingFits)
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond)
  ->Iterations(5);
BENCHMARK(BM_AddOffers)
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond)
  ->Iterations(5);
BENCHMARK(BM_BuildAccepts)
  ->Arg(0)
  ->Arg(1)
  ->ArgName("encode")
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond)
  ->Iterations(3);

BENCHMARK_MAIN();
