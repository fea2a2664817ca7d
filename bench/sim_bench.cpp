// sim_bench: how much one simulator process sustains (docs/BENCHMARKS.md,
// section "simulator"). A plain program printing figures:
//
//  1. agents: registering synthetic agents, then the first allocation run
//     over all of them (one SUBSCRIBE, one OFFERS event);
//  2. in process: a fast scheduler loop driving one master through
//     handle() / take_output() on a fake clock (no sockets): accept every
//     offer with as many 0.1-cpu tasks of 1 s as fit, acknowledge every
//     update; tasks and status updates per wall-clock second;
//  3. sockets: the same scheduler over real loopback sockets against a
//     sim::cluster (one master, synthetic agents, wall-clock time).
//
// Usage: sim_bench [seconds per run, default 5]

#include "sim/cluster.hpp"
#include "sim/master.hpp"

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "protocol/recordio.hpp"
#include "protocol/resource_math.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

namespace {

using namespace outrigger;
namespace pr = outrigger::protocol;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

const char* agent_resources =
  "cpus:32;mem:131072;disk:100000;ports:[31000-32000]";

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

pr::FrameworkInfo framework() {
  pr::FrameworkInfo info;
  info.user = "root";
  info.name = "sim-bench";
  info.failover_timeout = 3600;
  info.capabilities.push_back({pr::framework_capability::partition_aware});
  return info;
}

// The scheduler's side, whatever carries the bytes: decides the calls for
// each event and counts.
struct scheduler {
  pr::FrameworkID id;
  std::uint64_t tasks = 0, updates = 0, next_task = 0;

  // The calls (as JSON) an event asks for.
  std::vector<std::string> on_event(const pr::Event& e) {
    std::vector<std::string> calls;
    if (e.type == pr::event_type::subscribed) {
      id = e.subscribed->framework_id;
    } else if (e.type == pr::event_type::offers) {
      for (auto& offer : e.offers->offers) {
        pr::resource_set available(offer.resources);
        auto fit = static_cast<std::uint64_t>(std::min(
          available.scalar("cpus") / 0.1, available.scalar("mem") / 32));
        std::vector<pr::TaskInfo> batch;
        for (std::uint64_t i = 0; i + 1 < fit; ++i) {
          pr::TaskInfo t;
          t.task_id.value = "t" + std::to_string(next_task++);
          t.name = t.task_id.value;
          t.agent_id = offer.agent_id;
          t.resources = {pr::scalar_resource("cpus", 0.1),
                         pr::scalar_resource("mem", 32)};
          pr::CommandInfo c;
          c.value = "sleep 1";
          t.command = c;
          batch.push_back(std::move(t));
        }
        tasks += batch.size();
        calls.push_back(pr::to_json(
          pr::make_accept(id, {offer.id}, {pr::make_launch(std::move(batch))},
                          pr::Filters{0.0})));
      }
    } else if (e.type == pr::event_type::update) {
      ++updates;
      if (auto ack = pr::acknowledgement_for(id, e.update->status))
        calls.push_back(pr::to_json(*ack));
    }
    return calls;
  }
};

sim::http_request post(std::string body, const std::string& stream = {}) {
  sim::http_request r;
  r.method = "POST";
  r.target = "/api/v1/scheduler";
  r.headers = {{"Content-Type", "application/json"},
               {"Accept", "application/json"}};
  if (!stream.empty())
    r.headers.emplace_back("Mesos-Stream-Id", stream);
  r.body = std::move(body);
  return r;
}

void agents_run(std::size_t n) {
  sim::master m;
  auto start = clock_type::now();
  for (std::size_t i = 0; i < n; ++i) {
    sim::agent_spec spec;
    spec.port = static_cast<std::uint16_t>(5051 + i % 60000);
    spec.resources = agent_resources;
    m.add_agent(spec);
  }
  auto add = seconds_since(start);
  start = clock_type::now();
  m.handle(post(pr::to_json(pr::make_subscribe(framework()))));
  m.advance(m.now());
  std::size_t offers = 0;
  for (auto& out : m.take_output())
    offers += out.bytes.size() > 200; // the OFFERS record is the big one
  auto first = seconds_since(start);
  std::printf("agents: %zu registered in %.3f s (%.0f agents/s); first "
              "allocation and OFFERS event over all of them: %.3f s\n",
              n, add, static_cast<double>(n) / add, first);
}

void in_process_run(std::size_t agents, double seconds) {
  sim::master_config config;
  config.synthetic.min_duration = config.synthetic.max_duration = 1000ms;
  sim::master m(config);
  for (std::size_t i = 0; i < agents; ++i) {
    sim::agent_spec spec;
    spec.resources = agent_resources;
    m.add_agent(spec);
  }
  scheduler s;
  auto reply = m.handle(post(pr::to_json(pr::make_subscribe(framework()))));
  auto stream = *reply.response.header("Mesos-Stream-Id");
  pr::recordio_decoder decoder;
  auto sim_start = m.now();
  auto start = clock_type::now();
  while (seconds_since(start) < seconds) {
    for (auto& out : m.take_output())
      decoder.feed(out.bytes, [&](std::string_view record) {
        for (auto& call : s.on_event(*pr::decode_event(record)))
          m.handle(post(call, stream));
      });
    auto next = m.next_deadline();
    m.advance(next ? std::max(*next, m.now()) : m.now() + 10ms);
  }
  auto wall = seconds_since(start);
  auto simulated = std::chrono::duration<double>(m.now() - sim_start).count();
  std::printf("in process: %zu agents, %.1f s wall, %.1f s simulated: "
              "%.0f tasks/s, %.0f status updates/s (each ACKed), "
              "%llu tasks live at the end\n",
              agents, wall, simulated, static_cast<double>(s.tasks) / wall,
              static_cast<double>(s.updates) / wall,
              static_cast<unsigned long long>(m.task_count()));
}

// -- the socket run: a minimal blocking HTTP/1.1 client
// ---------------------------

int connect_to(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("connect failed");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      throw std::runtime_error("send failed");
    sent += static_cast<std::size_t>(n);
  }
}

std::string request_bytes(const std::string& body, const std::string& stream) {
  std::string r =
    "POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: application/json\r\nAccept: application/json\r\n";
  if (!stream.empty())
    r += "Mesos-Stream-Id: " + stream + "\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// Reads more bytes into `buffer`; false on EOF.
bool fill(int fd, std::string& buffer) {
  char chunk[65536];
  auto n = ::recv(fd, chunk, sizeof chunk, 0);
  if (n <= 0)
    return false;
  buffer.append(chunk, static_cast<std::size_t>(n));
  return true;
}

// Reads one complete response (Content-Length bodies only) from `fd`.
void read_response(int fd, std::string& buffer) {
  for (;;) {
    auto end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto at = buffer.find("Content-Length: ");
      auto length = at < end ? std::stoul(buffer.substr(at + 16)) : 0;
      if (buffer.size() >= end + 4 + length) {
        buffer.erase(0, end + 4 + length);
        return;
      }
    }
    if (!fill(fd, buffer))
      throw std::runtime_error("connection closed");
  }
}

void socket_run(std::size_t agents, double seconds) {
  sim::cluster_options options;
  options.master.synthetic.min_duration = 1000ms;
  options.master.synthetic.max_duration = 1000ms;
  sim::cluster c(options);
  sim::agent_spec spec;
  spec.resources = agent_resources;
  c.add_agents(agents, spec, sim::agent_mode::synthetic);

  int stream_fd = connect_to(c.port(0));
  int call_fd = connect_to(c.port(0));
  send_all(stream_fd,
           request_bytes(pr::to_json(pr::make_subscribe(framework())), {}));
  std::string in, calls_in;
  while (in.find("\r\n\r\n") == std::string::npos)
    fill(stream_fd, in);
  auto head_end = in.find("\r\n\r\n");
  auto at = in.find("Mesos-Stream-Id: ");
  auto stream = in.substr(at + 17, 36);
  in.erase(0, head_end + 4);

  scheduler s;
  pr::recordio_decoder decoder;
  std::uint64_t calls = 0;
  auto start = clock_type::now();
  while (seconds_since(start) < seconds) {
    // Take every complete chunk; answer each event with its calls.
    for (;;) {
      auto line = in.find("\r\n");
      if (line == std::string::npos)
        break;
      auto size = std::stoul(in.substr(0, line), nullptr, 16);
      if (in.size() < line + 2 + size + 2)
        break;
      auto data = in.substr(line + 2, size);
      in.erase(0, line + 2 + size + 2);
      decoder.feed(data, [&](std::string_view record) {
        for (auto& call : s.on_event(*pr::decode_event(record))) {
          send_all(call_fd, request_bytes(call, stream));
          read_response(call_fd, calls_in);
          ++calls;
        }
      });
    }
    pollfd p{stream_fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0 && !fill(stream_fd, in))
      break;
  }
  auto wall = seconds_since(start);
  close(stream_fd);
  close(call_fd);
  std::printf("sockets: %zu agents, %.1f s: %.0f tasks/s, %.0f status "
              "updates/s (each ACKed), %.0f calls/s on one keep-alive "
              "connection\n",
              agents, wall, static_cast<double>(s.tasks) / wall,
              static_cast<double>(s.updates) / wall,
              static_cast<double>(calls) / wall);
}

} // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  if (seconds <= 0) {
    std::fprintf(stderr, "usage: sim_bench [seconds per run]\n");
    return 2;
  }
  try {
    for (std::size_t n : {1000, 10000, 50000})
      agents_run(n);
    for (std::size_t n : {10, 100})
      in_process_run(n, seconds);
    socket_run(10, seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
