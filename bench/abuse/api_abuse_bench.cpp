// api_abuse_bench: the API under abuse while the scheduler works (issue
// 13, "overload and abuse"). Starts `outrigger-sim` (synthetic agents) and
// `outrigger serve` as separate processes, queues a backlog of short tasks
// that keeps the scheduler launching, then runs one abuse phase after the
// other against the API and prints, per phase: the answers the abusers got
// (by status, or "closed"/"none"), whether a well-behaved client still got
// through, the launch rate meanwhile and serve's peak RSS. Phases:
//
//   baseline      nothing but the good client
//   connections   10x --max-connections clients, each holding a connection
//   slowloris     connections sending one header byte every 100 ms
//   big headers   requests with a 1 MiB header field
//   deep json     a body of 100,000 nested arrays
//   huge bodies   Content-Length of 100 MB, the body streamed
//   flood         requests far above --max-requests-per-second
//
// Figures are printed, never asserted.

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace {

using namespace outrigger;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct options {
  std::string sim = "build/sim/outrigger-sim";
  std::string outrigger = "build/app/outrigger";
  std::size_t max_connections = 64;
  double phase_seconds = 5;
};

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The status of the answer on `fd` within `limit`: "200", "closed", "none".
std::string read_status(int fd, std::chrono::milliseconds limit) {
  std::string got;
  auto until = steady::now() + limit;
  char buf[4096];
  while (steady::now() < until) {
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - steady::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0)
      continue;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      return got.size() >= 12 ? got.substr(9, 3) : "closed";
    got.append(buf, static_cast<std::size_t>(n));
    if (got.size() >= 12)
      return got.substr(9, 3);
  }
  return "none";
}

// One request on a fresh connection; the status or "closed"/"none".
std::string request(std::uint16_t port, const std::string& raw,
                    std::chrono::milliseconds limit = 5s) {
  int fd = connect_to(port);
  if (fd < 0)
    return "refused";
  send_all(fd, raw);
  auto s = read_status(fd, limit);
  ::close(fd);
  return s;
}

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
}

std::string post(const std::string& target, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
         "application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The body of a GET (blocking, small answers only).
std::string fetch(std::uint16_t port, const std::string& target) {
  int fd = connect_to(port);
  if (fd < 0)
    return {};
  send_all(fd, get(target));
  std::string out;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0)
      break;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto at = out.find("\r\n\r\n");
  return at == std::string::npos ? std::string{} : out.substr(at + 4);
}

double launches(std::uint16_t port) {
  auto text = fetch(port, "/metrics");
  auto at = text.find("\noutrigger_task_launches_total ");
  if (at == std::string::npos)
    return -1;
  return std::atof(text.c_str() + at + 31);
}

/// What one phase saw.
struct phase_result {
  std::map<std::string, int> answers; // abusers' answers by status
  int good_ok = 0, good_failed = 0;   // the well-behaved client's GETs
  double launch_rate = 0;
  std::size_t peak_rss = 0;
};

int run(const options& o) {
  test::temp_dir dir{"outrigger-abuse"};
  test::child_process sim{{o.sim, "--port", "0", "--agents", "20", "--mode",
                           "synthetic", "--synthetic-duration", "200-400"},
                          {},
                          dir.path() / "sim.log"};
  auto line = sim.wait_for_line("master 1 listening on", 30s);
  if (!line || !sim.wait_for_line("ready", 60s))
    throw std::runtime_error("outrigger-sim did not get ready");
  test::child_process serve{
    {o.outrigger, "serve", "--master",
     "http://127.0.0.1:" + std::to_string(test::port_in(*line)), "--data-dir",
     (dir.path() / "data").string(), "--listen", "127.0.0.1:0",
     "--max-connections", std::to_string(o.max_connections),
     "--max-requests-per-second", "2000", "--log-level", "error"},
    {},
    dir.path() / "serve.log"};
  auto api_line = serve.wait_for_line("API listening on", 30s);
  if (!api_line)
    throw std::runtime_error("outrigger did not start");
  auto port = test::port_in(*api_line);

  // A backlog that keeps the scheduler launching through every phase.
  for (int b = 0; b < 60; ++b) {
    nlohmann::json batch{{"tasks", nlohmann::json::array()}};
    for (int i = 0; i < 1000; ++i)
      batch["tasks"].push_back(
        {{"key", "b" + std::to_string(b) + "-" + std::to_string(i)},
         {"command", "true"},
         {"resources", {{"cpus", 0.1}, {"mem", 32}}}});
    if (request(port, post("/v1/tasks", batch.dump()), 30s) != "200")
      throw std::runtime_error("the backlog was refused");
  }

  auto phase =
    [&](const char* name,
        std::function<void(phase_result&, std::atomic<bool>&)> abuse) {
      phase_result r;
      std::mutex mu;
      std::atomic<bool> stop{false};
      auto l0 = launches(port);
      auto t0 = steady::now();
      std::thread abuser{[&] { abuse(r, stop); }};
      std::thread good{[&] {
        while (!stop) {
          auto s = request(port, get("/v1/framework"), 3s);
          std::lock_guard lock{mu};
          (s == "200" ? r.good_ok : r.good_failed)++;
          std::this_thread::sleep_for(100ms);
        }
      }};
      auto until = t0 + std::chrono::duration<double>(o.phase_seconds);
      while (steady::now() < until) {
        r.peak_rss = std::max(r.peak_rss, serve.rss_bytes());
        std::this_thread::sleep_for(50ms);
      }
      stop = true;
      abuser.join();
      good.join();
      auto secs = std::chrono::duration<double>(steady::now() - t0).count();
      r.launch_rate = (launches(port) - l0) / secs;
      std::string answers;
      for (auto& [k, n] : r.answers)
        answers += k + ":" + std::to_string(n) + " ";
      std::printf("  %-12s %-40s %4d/%-4d %9.0f %8.1f\n", name, answers.c_str(),
                  r.good_ok, r.good_ok + r.good_failed, r.launch_rate,
                  r.peak_rss / 1048576.0);
      std::fflush(stdout);
    };
  auto count = [](phase_result& r, const std::string& s) {
    static std::mutex mu;
    std::lock_guard lock{mu};
    ++r.answers[s];
  };

  std::printf("api_abuse_bench: --max-connections %zu, "
              "--max-requests-per-second 2000, phases of %.0f s\n",
              o.max_connections, o.phase_seconds);
  std::printf("  %-12s %-40s %9s %9s %8s\n", "phase", "abusers' answers",
              "good ok", "launch/s", "RSS MiB");
  phase("baseline", [](phase_result&, std::atomic<bool>& stop) {
    while (!stop)
      std::this_thread::sleep_for(50ms);
  });
  phase("connections", [&](phase_result& r, std::atomic<bool>& stop) {
    std::vector<int> fds;
    for (std::size_t i = 0; i < o.max_connections * 10; ++i) {
      int fd = connect_to(port);
      if (fd < 0) {
        count(r, "refused");
        continue;
      }
      fds.push_back(fd);
    }
    // Each asks once; beyond the bound the server answers 503 and closes.
    for (int fd : fds)
      send_all(fd, get("/healthz"));
    for (int fd : fds)
      count(r, read_status(fd, 2s));
    while (!stop)
      std::this_thread::sleep_for(50ms);
    for (int fd : fds)
      ::close(fd);
  });
  phase("slowloris", [&](phase_result& r, std::atomic<bool>& stop) {
    std::vector<int> fds;
    for (std::size_t i = 0; i < o.max_connections * 2; ++i)
      if (int fd = connect_to(port); fd >= 0)
        fds.push_back(fd);
    std::string header = "GET /v1/tasks HTTP/1.1\r\nX-Slow: ";
    std::size_t at = 0;
    while (!stop) {
      for (int fd : fds)
        send_all(fd, std::string_view{header}.substr(at % header.size(), 1));
      ++at;
      std::this_thread::sleep_for(100ms);
    }
    for (int fd : fds) {
      count(r, read_status(fd, 10ms));
      ::close(fd);
    }
  });
  phase("big headers", [&](phase_result& r, std::atomic<bool>& stop) {
    std::string big = "GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: " +
                      std::string(1 << 20, 'a') + "\r\n\r\n";
    while (!stop)
      count(r, request(port, big, 5s));
  });
  phase("deep json", [&](phase_result& r, std::atomic<bool>& stop) {
    auto deep = std::string(100'000, '[') + std::string(100'000, ']');
    while (!stop)
      count(r, request(port, post("/v1/tasks", deep), 5s));
  });
  phase("huge bodies", [&](phase_result& r, std::atomic<bool>& stop) {
    std::string chunk(1 << 20, 'x');
    while (!stop) {
      int fd = connect_to(port);
      if (fd < 0) {
        count(r, "refused");
        continue;
      }
      send_all(fd, "POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/json\r\nContent-Length: 104857600\r\n\r\n");
      for (int i = 0; i < 100 && send_all(fd, chunk); ++i) {
      }
      count(r, read_status(fd, 5s));
      ::close(fd);
    }
  });
  phase("flood", [&](phase_result& r, std::atomic<bool>& stop) {
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; ++t)
      ts.emplace_back([&] {
        while (!stop)
          count(r, request(port, get("/v1/tasks?limit=1"), 5s));
      });
    for (auto& t : ts)
      t.join();
  });
  phase("after", [](phase_result&, std::atomic<bool>& stop) {
    while (!stop)
      std::this_thread::sleep_for(50ms);
  });
  bool alive = !serve.wait(0ms).has_value();
  std::printf("  serve %s after the abuse\n",
              alive ? "still running" : "EXITED");
  serve.signal(SIGTERM);
  serve.wait(20s);
  return alive ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"The API under abuse while the scheduler launches"};
  options o;
  app.add_option("--sim", o.sim, "outrigger-sim binary")->capture_default_str();
  app.add_option("--outrigger", o.outrigger, "outrigger binary")
    ->capture_default_str();
  app
    .add_option("--max-connections", o.max_connections,
                "serve's --max-connections")
    ->capture_default_str();
  app.add_option("--phase-seconds", o.phase_seconds, "length of each phase")
    ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_abuse_bench: %s\n", e.what());
    return 1;
  }
}
