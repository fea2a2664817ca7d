// Memory of the scheduling state (goal: RSS <= 100 MB while tracking
// 100,000 tasks with 100-byte commands and receiving offers from 10,000
// agents). Builds the task book (on a journal in a temporary directory,
// fsync off) and the offer matcher at that scale and prints the process's
// RSS after each step, then the peak.
//
//   build-sched/bench/scheduling_rss

#include "protocol/resource_math.hpp"
#include "scheduling/offer_matcher/offer_matcher_state.hpp"
#include "scheduling/store/journal.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <malloc.h>
#include <string>

namespace {

using namespace outrigger::scheduling;
namespace proto = outrigger::protocol;

long status_kb(const char* field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0)
      return std::strtol(line.c_str() + std::string_view{field}.size(), nullptr,
                         10);
  return -1;
}

void report(const char* step) {
  auto heap = mallinfo2();
  std::printf("%-52s RSS %6.1f MB  (allocated %6.1f MB)\n", step,
              status_kb("VmRSS:") / 1024.0,
              static_cast<double>(heap.uordblks + heap.hblkhd) / (1 << 20));
}

time_point t0() {
  return time_point{duration{1'700'000'000'000}};
}

proto::Offer offer(std::size_t i) {
  proto::Offer o;
  o.id.value = "5f1c3f1e-0d3a-4c59-9a2b-7c1d2e3f4a5b-O" + std::to_string(i);
  o.framework_id.value = "5f1c3f1e-0d3a-4c59-9a2b-7c1d2e3f4a5b-0000";
  o.agent_id.value =
    "9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d-S" + std::to_string(i);
  o.hostname = "node-" + std::to_string(i) + ".cluster.example.org";
  for (auto r :
       {proto::scalar_resource("cpus", 8), proto::scalar_resource("mem", 32768),
        proto::scalar_resource("disk", 100000),
        proto::ranges_resource("ports", proto::Ranges{{{31000, 32000}}})}) {
    r.allocation_info = proto::AllocationInfo{"*"};
    o.resources.push_back(std::move(r));
  }
  o.allocation_info = proto::AllocationInfo{"*"};
  proto::Attribute rack;
  rack.name = "rack";
  rack.text = proto::Text{"r" + std::to_string(i % 50)};
  o.attributes.push_back(rack);
  return o;
}

} // namespace

int main() {
  auto dir = std::filesystem::temp_directory_path() /
             ("scheduling-rss-" + std::to_string(::getpid()));
  report("start");
  {
    outrigger::store::recovered_state rec;
    outrigger::store::journal_options opts;
    opts.fsync = false;
    auto journal = outrigger::store::journal::open(dir, rec, opts);
    task_book_state book{task_book_config{}, *journal};
    book.recover(rec);
    offer_matcher_state matcher{offer_matcher_config{}};
    for (std::size_t i = 0; i < 100'000; ++i) {
      task_spec s;
      s.key = "etl_dag_" + std::to_string(i % 500) + ".task_" +
              std::to_string(i) + ".2024-01-01T00:00:00";
      s.command = "airflow tasks run etl_dag_" + std::to_string(i % 500) +
                  " task_" + std::to_string(i);
      s.command.resize(100, ' ');
      s.role = interned{"*"};
      s.queue = interned{"default"};
      s.resources.cpus = 0.5;
      s.resources.mem = 1024;
      if (!book.submit(std::move(s), t0()))
        return 1;
      if (i % 1000 == 999) {
        book.commit();
        matcher.apply(book.take_notices());
      }
    }
    book.commit();
    malloc_trim(0);
    report("100,000 tasks queued (book + matcher)");
    std::vector<proto::Offer> offers;
    for (std::size_t i = 0; i < 10'000; ++i)
      offers.push_back(offer(i));
    matcher.add_offers(offers, t0());
    offers = {};
    malloc_trim(0);
    report("+ offers of 10,000 agents held");
    auto plan = matcher.match(t0());
    // As the actor would: the ACCEPTs go out in groups, each once the
    // LAUNCHING records of its tasks are durable.
    std::size_t launched = 0;
    for (auto& a : plan.accepts) {
      for (auto& l : a.launches)
        launched += bool(book.begin_launch(
          l.id, l.attempt, a.offer.site.agent_id, a.offer.site.hostname, t0()));
      if (launched % 1000 < a.launches.size())
        book.commit();
    }
    book.commit();
    plan = {};
    malloc_trim(0);
    std::printf("  (pass placed %zu tasks; %zu left pending)\n", launched,
                matcher.pending());
    report("after a pass: tasks LAUNCHING with their attempts");
    for (std::size_t i = 1; i <= 100'000; ++i) {
      auto* t = book.get(i);
      if (!t || t->attempts.empty())
        continue;
      proto::TaskStatus s;
      s.task_id.value = mesos_task_id(i, 1);
      s.state = proto::task_state::running;
      s.source = proto::status_source::executor;
      book.apply_status(s, t0());
      if (i % 1024 == 0)
        book.commit(); // group commit per batch of events, as the tracker
    }
    book.commit();
    malloc_trim(0);
    report("after RUNNING updates for all launched");
    matcher.add_offers(
      [] {
        std::vector<proto::Offer> xs;
        for (std::size_t i = 10'000; i < 20'000; ++i)
          xs.push_back(offer(i));
        return xs;
      }(),
      t0());
    malloc_trim(0);
    report("+ 10,000 more offers held (another cycle)");
    if (std::getenv("RSS_MALLOC_STATS"))
      malloc_stats();
  }
  std::filesystem::remove_all(dir);
  if (std::getenv("RSS_MALLOC_STATS"))
    malloc_stats();
  std::printf("peak RSS (VmHWM): %.1f MB\n", status_kb("VmHWM:") / 1024.0);
}
