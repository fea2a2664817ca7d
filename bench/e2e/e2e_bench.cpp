// e2e_bench: outrigger end to end, as a user runs it. Starts `outrigger-sim`
// (synthetic agents) and `outrigger serve` as separate processes on
// loopback, submits N short tasks through the HTTP API from several client
// connections (one task per request, or batches), follows the results log
// with long polls until every task has a result, and prints the figures of
// docs/BENCHMARKS.md: submission rate, first submission to last result,
// launch and acknowledgement rates, the per-phase histograms the service
// exports, CPU and memory of both processes, idle CPU, and the launch
// latency of single tasks submitted to an idle service.
//
// With --check it also verifies what a user relies on (every task has
// exactly one result, FINISHED, in one attempt) and exits 1 otherwise; CI
// runs a small --check run as a correctness test, never as a timed one.

#include "bench/e2e/http_line.hpp"
#include "bench/e2e/metrics_text.hpp"
#include "tests/support/child_process.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace {

using namespace outrigger::bench;
using namespace std::chrono_literals;
namespace test = outrigger::test;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct options {
  std::string sim = "build/sim/outrigger-sim";
  std::string outrigger = "build/app/outrigger";
  std::size_t tasks = 10000;
  std::size_t agents = 50;
  std::string resources = "cpus:32;mem:65536;disk:100000;ports:[31000-32000]";
  std::string duration_ms = "1000";
  std::size_t clients = 8;
  std::size_t batch = 0;
  double idle_seconds = 0;
  std::size_t probes = 0;
  bool check = false;
  std::vector<std::string> serve_args;
  double timeout = 0;
};

double secs(clock_type::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string task_spec(std::size_t i) {
  return R"({"key":"e2e-)" + std::to_string(i) +
         R"(","command":"true","resources":{"cpus":0.1,"mem":32}})";
}

/// What the submitting clients saw.
struct submissions {
  std::mutex mu;
  std::vector<std::uint64_t> ids;
  std::vector<std::string> errors;
};

void submit_all(const options& o, std::uint16_t api, submissions& out) {
  std::atomic<std::size_t> next{0};
  auto per_request = o.batch == 0 ? 1 : o.batch;
  auto worker = [&] {
    http_line line{api};
    std::vector<std::uint64_t> ids;
    std::vector<std::string> errors;
    for (;;) {
      auto first = next.fetch_add(per_request);
      if (first >= o.tasks)
        break;
      auto last = std::min(o.tasks, first + per_request);
      std::string body;
      if (o.batch == 0) {
        body = task_spec(first);
      } else {
        body = R"({"tasks":[)";
        for (auto i = first; i < last; ++i)
          body += (i == first ? "" : ",") + task_spec(i);
        body += "]}";
      }
      auto a = line.call("POST", "/v1/tasks", body);
      if (a.status != 200 && a.status != 201) {
        errors.push_back(std::to_string(a.status) + " " +
                         a.body.substr(0, 300));
        continue;
      }
      auto j = nlohmann::json::parse(a.body);
      if (o.batch == 0) {
        ids.push_back(j.at("id").get<std::uint64_t>());
        continue;
      }
      for (auto& item : j.at("tasks")) {
        if (item.contains("error"))
          errors.push_back(item["error"].dump());
        else
          ids.push_back(item.at("task").at("id").get<std::uint64_t>());
      }
    }
    std::lock_guard lock{out.mu};
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    out.errors.insert(out.errors.end(), errors.begin(), errors.end());
  };
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < o.clients; ++c)
    threads.emplace_back(worker);
  for (auto& t : threads)
    t.join();
}

/// One entry of the results log as the follower saw it.
struct seen_result {
  std::string state;
  std::uint32_t attempts = 0;
  clock_type::time_point at;
};

/// Follows /v1/results until `want` results or the deadline.
struct result_follower {
  std::map<std::uint64_t, std::vector<seen_result>> by_id;
  std::size_t count = 0;
  bool truncated = false;
  std::string error;

  void run(std::uint16_t api, std::size_t want, clock_type::time_point until) {
    http_line line{api};
    std::uint64_t after = 0;
    while (count < want && clock_type::now() < until) {
      auto a = line.call("GET", "/v1/results?limit=1000&wait=5&after=" +
                                  std::to_string(after));
      if (a.status != 200) {
        error = std::to_string(a.status) + " " + a.body.substr(0, 300);
        return;
      }
      auto now = clock_type::now();
      auto j = nlohmann::json::parse(a.body);
      truncated = truncated || j.value("truncated", false);
      for (auto& r : j.at("results")) {
        by_id[r.at("id").get<std::uint64_t>()].push_back(
          {r.at("state").get<std::string>(),
           r.value("attempts", std::uint32_t{0}), now});
        ++count;
      }
      after = j.at("next").get<std::uint64_t>();
    }
  }
};

/// Launch and acknowledgement counters sampled over the run: the best
/// one-second rates.
struct rate_sampler {
  std::atomic<bool> stop{false};
  double best_launch = 0, best_ack = 0;

  void run(std::uint16_t api) {
    http_line line{api};
    struct sample {
      clock_type::time_point at;
      double launches, acks;
    };
    std::vector<sample> xs;
    while (!stop) {
      auto a = line.call("GET", "/metrics");
      if (a.status == 200) {
        metrics_text m{a.body};
        xs.push_back({clock_type::now(), m.sum("outrigger_task_launches_total"),
                      m.sum("outrigger_acknowledgements_total")});
        for (auto& s : xs) {
          auto dt = secs(xs.back().at - s.at);
          if (dt < 0.9)
            break;
          if (dt > 1.6)
            continue;
          best_launch =
            std::max(best_launch, (xs.back().launches - s.launches) / dt);
          best_ack = std::max(best_ack, (xs.back().acks - s.acks) / dt);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{200});
    }
  }
};

bool wait_ready(std::uint16_t api, std::chrono::seconds timeout) {
  http_line line{api};
  auto until = clock_type::now() + timeout;
  while (clock_type::now() < until) {
    if (line.call("GET", "/readyz").status == 200)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return false;
}

double idle_cpu_percent(const test::child_process& p, double seconds) {
  auto c0 = p.cpu_seconds();
  auto t0 = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return 100 * (p.cpu_seconds() - c0) / secs(clock_type::now() - t0);
}

std::int64_t ms_of_rfc3339(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

// Single tasks submitted one at a time to an idle service: submission
// (server time) to launch recorded, in ms.
std::vector<double> launch_probes(std::uint16_t api, std::size_t n,
                                  std::size_t first_key) {
  std::vector<double> out;
  http_line line{api};
  for (std::size_t k = 0; k < n; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    auto a = line.call("POST", "/v1/tasks", task_spec(first_key + k));
    if (a.status != 201)
      continue;
    auto id = nlohmann::json::parse(a.body).at("id").get<std::uint64_t>();
    for (int tries = 0; tries < 500; ++tries) {
      auto t = nlohmann::json::parse(
        line.call("GET", "/v1/tasks/" + std::to_string(id)).body);
      auto& atts = t["attempts"];
      if (atts.is_array() && !atts.empty() && atts[0].contains("launched_at")) {
        out.push_back(static_cast<double>(
          ms_of_rfc3339(atts[0]["launched_at"].get<std::string>()) -
          ms_of_rfc3339(t["submitted_at"].get<std::string>())));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
  }
  return out;
}

double quantile(std::vector<double> xs, double q) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  return xs[std::min(xs.size() - 1, static_cast<std::size_t>(q * xs.size()))];
}

void print_histogram(const metrics_text& m, const std::string& name) {
  auto h = m.histogram(name);
  if (h.count == 0) {
    std::printf("  %-46s (no observations)\n", name.c_str());
    return;
  }
  std::printf("  %-46s n=%-7.0f mean %8.1f ms  p50 <= %8.1f ms  p99 <= %8.1f "
              "ms\n",
              name.c_str(), h.count, 1000 * h.sum / h.count,
              1000 * h.quantile(0.5), 1000 * h.quantile(0.99));
}

// The port a program printed in its line containing `marker`.
std::uint16_t port_of(test::child_process& p, const std::string& marker) {
  auto line = p.wait_for_line(marker, 30s);
  auto port = line ? test::port_in(*line) : 0;
  if (port == 0)
    throw std::runtime_error("no \"" + marker + "\" line from " +
                             std::to_string(p.pid()));
  return port;
}

// SIGTERM, then SIGKILL after 10 s; the exit status.
int stop(test::child_process& p) {
  p.signal(SIGTERM);
  if (auto rc = p.wait(10s))
    return *rc;
  p.signal(SIGKILL);
  return p.wait(10s).value_or(-1);
}

int run(const options& o) {
  auto dir =
    fs::temp_directory_path() / ("outrigger-e2e-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  test::child_process sim{{o.sim, "--port", "0", "--agents",
                           std::to_string(o.agents), "--mode", "synthetic",
                           "--resources", o.resources, "--synthetic-duration",
                           o.duration_ms},
                          {},
                          dir / "sim.log"};
  auto sim_port = port_of(sim, "master 1 listening on");
  if (!sim.wait_for_line("ready", 30s))
    throw std::runtime_error("outrigger-sim did not get ready");
  std::vector<std::string> serve{
    o.outrigger,  "serve",
    "--master",   "http://127.0.0.1:" + std::to_string(sim_port),
    "--data-dir", (dir / "data").string(),
    "--listen",   "127.0.0.1:0"};
  serve.insert(serve.end(), o.serve_args.begin(), o.serve_args.end());
  test::child_process service{serve, {}, dir / "serve.log"};
  auto api = port_of(service, "API listening on");
  if (!wait_ready(api, std::chrono::seconds{30})) {
    std::fprintf(stderr, "e2e_bench: the service never became ready (%s)\n",
                 (dir / "serve.log").c_str());
    return 2;
  }
  std::printf("e2e_bench: %zu tasks of %s ms on %zu agents (%s); %zu "
              "clients, %s\n",
              o.tasks, o.duration_ms.c_str(), o.agents, o.resources.c_str(),
              o.clients,
              o.batch == 0 ? "one task per request"
                           : ("batches of " + std::to_string(o.batch)).c_str());
  if (o.idle_seconds > 0) {
    std::this_thread::sleep_for(std::chrono::seconds{2});
    std::printf("idle CPU (subscribed, no tasks, %.0f s): service %.2f %% of "
                "a core, simulator %.2f %%\n",
                o.idle_seconds, idle_cpu_percent(service, o.idle_seconds), 0.0);
  }

  auto cpu_service0 = service.cpu_seconds();
  auto cpu_sim0 = sim.cpu_seconds();
  auto timeout =
    o.timeout > 0 ? o.timeout : 60 + static_cast<double>(o.tasks) / 100.0;
  result_follower follower;
  rate_sampler sampler;
  auto t0 = clock_type::now();
  std::thread follow{[&] {
    follower.run(api, o.tasks,
                 t0 + std::chrono::duration_cast<clock_type::duration>(
                        std::chrono::duration<double>(timeout)));
  }};
  std::thread sample{[&] { sampler.run(api); }};
  submissions subs;
  submit_all(o, api, subs);
  auto t_submitted = clock_type::now();
  follow.join();
  auto t_end = clock_type::now();
  sampler.stop = true;
  sample.join();
  clock_type::time_point last_result = t0;
  for (auto& [id, rs] : follower.by_id)
    for (auto& r : rs)
      last_result = std::max(last_result, r.at);

  http_line line{api};
  // The service copies its counters into /metrics every second: wait for a
  // copy taken after the last result.
  std::this_thread::sleep_for(1500ms);
  metrics_text m{line.call("GET", "/metrics").body};
  std::printf("\nsubmission: %zu accepted in %.3f s (%.0f tasks/s), %zu "
              "refused\n",
              subs.ids.size(), secs(t_submitted - t0),
              static_cast<double>(subs.ids.size()) / secs(t_submitted - t0),
              subs.errors.size());
  std::printf("first submission -> last result: %.3f s for %zu results "
              "(%.0f results/s)%s\n",
              secs(last_result - t0), follower.count,
              static_cast<double>(follower.count) / secs(last_result - t0),
              follower.count < o.tasks ? "  ** INCOMPLETE **" : "");
  std::printf("best 1-s rates: %.0f launches/s, %.0f status updates "
              "acknowledged/s\n",
              sampler.best_launch, sampler.best_ack);
  std::printf("offers: %.0f received, %.0f accepted, %.0f declined; "
              "launches %.0f; acknowledgements %.0f\n",
              m.sum("outrigger_offers_received_total"),
              m.sum("outrigger_offers_accepted_total"),
              m.sum("outrigger_offers_declined_total"),
              m.sum("outrigger_task_launches_total"),
              m.sum("outrigger_acknowledgements_total"));
  std::printf("acknowledgements dropped %.0f (unsubscribed or over the "
              "bound), still in flight %.0f; status updates received %.0f\n",
              m.sum("outrigger_acknowledgements_dropped_total"),
              m.sum("outrigger_acknowledgements_in_flight"),
              m.sum("outrigger_status_updates_total"));
  std::printf("calls to the master by type:");
  for (auto& [labels, v] : m.series("outrigger_master_calls_total"))
    std::printf(" %s=%.0f", labels.c_str(), v);
  std::printf("\nphases (service histograms):\n");
  for (auto* h :
       {"outrigger_task_submit_to_launch_seconds",
        "outrigger_task_launch_to_running_seconds",
        "outrigger_task_submit_to_running_seconds",
        "outrigger_store_commit_seconds", "outrigger_event_processing_seconds",
        "outrigger_matcher_pass_duration_seconds",
        "outrigger_offer_hold_seconds",
        "outrigger_master_call_duration_seconds"})
    print_histogram(m, h);
  std::printf("CPU during the run: service %.2f s, simulator %.2f s; service "
              "RSS %.1f MB\n",
              service.cpu_seconds() - cpu_service0,
              sim.cpu_seconds() - cpu_sim0,
              static_cast<double>(service.rss_bytes()) / 1e6);

  if (o.probes > 0) {
    std::this_thread::sleep_for(std::chrono::seconds{3});
    auto lat = launch_probes(api, o.probes, o.tasks + 1);
    std::printf("idle service, single task: submitted -> launched p50 %.0f "
                "ms, max %.0f ms (%zu probes)\n",
                quantile(lat, 0.5), quantile(lat, 1.0), lat.size());
  }
  (void)t_end;

  int status = 0;
  if (o.check) {
    std::vector<std::string> problems;
    if (!subs.errors.empty())
      problems.push_back(std::to_string(subs.errors.size()) +
                         " submissions refused, first: " + subs.errors[0]);
    if (!follower.error.empty())
      problems.push_back("results log: " + follower.error);
    if (follower.truncated)
      problems.push_back("results log truncated");
    std::size_t missing = 0, twice = 0, not_finished = 0, retried = 0;
    for (auto id : subs.ids) {
      auto i = follower.by_id.find(id);
      if (i == follower.by_id.end()) {
        ++missing;
        continue;
      }
      if (i->second.size() > 1)
        ++twice;
      if (i->second[0].state != "FINISHED")
        ++not_finished;
      if (i->second[0].attempts != 1)
        ++retried;
    }
    if (follower.by_id.size() != subs.ids.size())
      problems.push_back(std::to_string(follower.by_id.size()) +
                         " tasks have results, " +
                         std::to_string(subs.ids.size()) + " were submitted");
    if (missing)
      problems.push_back(std::to_string(missing) + " tasks without a result");
    if (twice)
      problems.push_back(std::to_string(twice) + " tasks with two results");
    if (not_finished)
      problems.push_back(std::to_string(not_finished) + " tasks not FINISHED");
    if (retried)
      problems.push_back(std::to_string(retried) +
                         " tasks needed more than one attempt");
    if (m.sum("outrigger_task_launches_total") != double(subs.ids.size()))
      problems.push_back(
        "launches " + std::to_string(m.sum("outrigger_task_launches_total")) +
        " != tasks " + std::to_string(subs.ids.size()));
    for (auto& p : problems)
      std::printf("CHECK FAILED: %s\n", p.c_str());
    if (problems.empty())
      std::printf("check: %zu tasks, each exactly one FINISHED result in one "
                  "attempt, %zu launches\n",
                  subs.ids.size(), subs.ids.size());
    status = problems.empty() ? 0 : 1;
  }
  auto rc = stop(service);
  stop(sim);
  if (rc != 0) {
    std::printf("service exited %d on SIGTERM (log %s)\n", rc,
                (dir / "serve.log").c_str());
    status = 1;
  }
  if (status == 0)
    fs::remove_all(dir);
  return status;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"outrigger end to end: simulator + service as processes, "
               "driven through the HTTP API"};
  app.add_option("--sim", o.sim, "outrigger-sim binary");
  app.add_option("--outrigger", o.outrigger, "outrigger binary");
  app.add_option("--tasks", o.tasks, "tasks to run");
  app.add_option("--agents", o.agents, "synthetic agents");
  app.add_option("--resources", o.resources, "resources of each agent");
  app.add_option("--duration-ms", o.duration_ms,
                 "task duration (MS or MIN-MAX)");
  app.add_option("--clients", o.clients, "concurrent submitting connections");
  app.add_option("--batch", o.batch, "tasks per POST (0: single-task form)");
  app.add_option("--idle-seconds", o.idle_seconds,
                 "measure the idle service's CPU this long first");
  app.add_option("--probes", o.probes,
                 "single tasks submitted to the idle service afterwards");
  app.add_option("--timeout", o.timeout, "give up after this many seconds");
  app.add_option("--serve-arg", o.serve_args, "extra argument for serve")
    ->allow_extra_args(false);
  app.add_flag("--check", o.check, "verify every task ran exactly once");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "e2e_bench: %s\n", e.what());
    return 2;
  }
}
