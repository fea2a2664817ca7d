// The simulated master's clock, streams, event emission, identity and the
// restart fault.

#include "sim/master_core.hpp"

#include "protocol/codec.hpp"
#include "protocol/recordio.hpp"

#include <cstdio>

namespace outrigger::sim::detail {

namespace {

// MasterInfo.ip: the IPv4 address in network byte order read as a
// little-endian uint32 (127.0.0.1 → 16777343, design.md §M14).
std::uint32_t ip_number(const std::string& ip) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (std::sscanf(ip.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
    return 0;
  return (a & 0xff) | (b & 0xff) << 8 | (c & 0xff) << 16 | (d & 0xff) << 24;
}

const char* event_name(protocol::event_type t) {
  switch (t) {
    case protocol::event_type::subscribed:
      return "subscribed";
    case protocol::event_type::offers:
      return "offers";
    case protocol::event_type::rescind:
      return "rescind";
    case protocol::event_type::update:
      return "update";
    case protocol::event_type::failure:
      return "failure";
    case protocol::event_type::error:
      return "error";
    case protocol::event_type::heartbeat:
      return "heartbeat";
    case protocol::event_type::message:
      return "message";
    default:
      return "unknown";
  }
}

} // namespace

master_core::master_core(master_config c, sim_time start, task_listener& l)
  : config(std::move(c)), listener(l), start_time(start), now(start),
    elected_time(start), ids(config.seed) {
  new_identity();
  synthetic = std::make_unique<synthetic_runtime>(config.synthetic, &listener);
  synthetic->advance(start);
  clocks.push_back(synthetic.get());
}

void master_core::new_identity() {
  // The configured id names the first incarnation only; a restarted master
  // is a new master with a new id (transcripts: 52b37399 → 4dedf40c).
  info = protocol::MasterInfo{};
  info.id = config.master_id.empty() ? ids.next_text() : config.master_id;
  config.master_id.clear();
  info.ip = ip_number(config.ip);
  info.port = config.port;
  info.pid = "master@" + config.ip + ":" + std::to_string(config.port);
  info.hostname = config.hostname;
  info.version = config.version;
  protocol::Address address;
  address.hostname = config.hostname;
  address.ip = config.ip;
  address.port = config.port;
  info.address = address;
  for (auto cap : {protocol::master_capability::agent_update,
                   protocol::master_capability::agent_draining,
                   protocol::master_capability::quota_v2})
    info.capabilities.push_back(protocol::MasterCapability{cap});
  leader = info;
  leading = true;
}

void master_core::advance(sim_time target) {
  for (;;) {
    auto next = timers.next();
    for (auto* c : clocks) {
      auto d = c->next_deadline();
      if (d && (!next || *d < *next))
        next = d;
    }
    if (!next || *next > target)
      break;
    if (*next > now)
      now = *next;
    for (auto* c : clocks)
      c->advance(now);
    timers.run_until(now);
  }
  if (target > now)
    now = target;
  for (auto* c : clocks)
    c->advance(now);
}

std::optional<sim_time> master_core::next_deadline() const {
  auto next = timers.next();
  for (auto* c : clocks) {
    auto d = c->next_deadline();
    if (d && (!next || *d < *next))
      next = d;
  }
  return next;
}

std::vector<stream_output> master_core::take_output() {
  std::vector<stream_output> out;
  out.swap(output);
  return out;
}

void master_core::stream_closed(stream_id id) {
  auto it = streams.find(id);
  if (it == streams.end())
    return;
  auto framework = it->second;
  streams.erase(it);
  auto* fw = find_framework(framework);
  if (fw != nullptr && fw->connected && fw->stream == id)
    disconnect(*fw);
}

double master_core::now_seconds() const {
  return std::chrono::duration<double>(now.time_since_epoch()).count();
}

protocol::TimeInfo master_core::now_time_info() const {
  return protocol::TimeInfo{
    std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch())
      .count()};
}

void master_core::bump(const std::string& counter, double by) {
  counters[counter] += by;
}

stream_id master_core::open_stream(const std::string& framework) {
  auto id = next_stream++;
  streams.emplace(id, framework);
  return id;
}

void master_core::send_event(stream_id id, const protocol::Event& event) {
  if (streams.count(id) == 0)
    return;
  stream_output out;
  out.stream = id;
  // One record per chunk, as the master writes them (design.md §M7).
  out.bytes = protocol::recordio_encode(protocol::to_json(event));
  output.push_back(std::move(out));
}

void master_core::end_stream(stream_id id) {
  if (streams.erase(id) == 0)
    return;
  stream_output out;
  out.stream = id;
  out.end = true;
  output.push_back(std::move(out));
}

std::map<stream_id, std::string> master_core::cut_streams() {
  auto open = std::move(streams);
  streams.clear();
  for (auto& [id, framework] : open) {
    stream_output out;
    out.stream = id;
    out.cut = true;
    output.push_back(std::move(out));
  }
  return open;
}

void master_core::cut_all_streams() {
  for (auto& [id, framework] : cut_streams()) {
    auto* fw = find_framework(framework);
    if (fw != nullptr && fw->connected && fw->stream == id)
      disconnect(*fw);
  }
}

void master_core::emit(framework_rec& fw, const protocol::Event& event) {
  if (!fw.connected || !fw.stream)
    return;
  if (event.type)
    fw.events[event_name(*event.type)] += 1;
  send_event(*fw.stream, event);
}

shared_resources master_core::intern(std::vector<protocol::Resource> rs) {
  std::string key;
  for (auto& r : rs)
    key += protocol::to_json(r);
  auto it = resource_pool.find(key);
  if (it != resource_pool.end())
    if (auto live = it->second.lock())
      return live;
  auto made =
    std::make_shared<const std::vector<protocol::Resource>>(std::move(rs));
  resource_pool[key] = made;
  if (resource_pool.size() > 4096 && resource_pool.size() % 4096 == 0)
    std::erase_if(resource_pool, [](auto& kv) { return kv.second.expired(); });
  return made;
}

void master_core::restart() {
  die(); // the process dies: connections cut, nothing sent (handoff.cpp)
  counters.clear();
  new_identity();
  next_framework = next_offer = next_agent = 0;
  start_time = elected_time = now; // a new master, a new allocation grid
  // Agents keep running their tasks and re-register with the new master
  // after a while; the new master knows no task meanwhile.
  for (auto& [key, task] : tasks) {
    task.master = known_as::unknown;
    task.view.update_state.reset();
    task.view.update_uuid.clear();
  }
  for (auto* a : agent_order) {
    a->offers.clear();
    a->available = a->total;
    a->available -= a->used;
    if (a->status != agent_status::active)
      continue;
    a->status = agent_status::recovering;
    auto id = a->id.value;
    timers.schedule(now + config.agent_reregistration_delay, [this, id] {
      if (auto* found = find_agent(id);
          found != nullptr && found->status == agent_status::recovering)
        reregister(*found, false);
    });
  }
}

void master_core::crash() {
  // The abort of design.md §M1, followed by a supervisor restarting the master.
  restart();
}

} // namespace outrigger::sim::detail
