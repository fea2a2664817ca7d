#include "tests/sim/sim_it_support.hpp"

#include <stdexcept>
#include <thread>

namespace outrigger::test {

scheduler_stream::scheduler_stream(std::uint16_t port, const std::string& body,
                                   header_pairs extra,
                                   const std::string& target)
  : client_(port, std::nullopt, 20s) {
  header_pairs headers{{"Content-Type", "application/json"},
                       {"Accept", "application/json"}};
  for (auto& h : extra)
    headers.push_back(h);
  client_.send("POST", target, body, headers);
  head_ = client_.read_head();
  if (head_.status != 200 ||
      head_.header("Transfer-Encoding").value_or("") != "chunked") {
    // A complete response: its body is read now.
    auto length = std::stoul(head_.header("Content-Length").value_or("0"));
    head_.body = client_.read_exact(length);
    ended_ = true;
  }
}

std::string scheduler_stream::stream_id() const {
  return head_.header("Mesos-Stream-Id").value_or("");
}

bool scheduler_stream::fill() {
  if (ended_)
    return false;
  std::optional<std::string> chunk;
  try {
    chunk = client_.read_chunk();
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    if (what.find("timed out") != std::string::npos ||
        what.find("timeout") != std::string::npos)
      throw;
    ended_ = true; // the connection was cut
    cut_ = true;
    return false;
  }
  if (!chunk) {
    ended_ = true;
    return false;
  }
  if (!decoder_.feed(*chunk, [&](std::string_view record) {
        records_.emplace_back(record);
      }))
    throw std::runtime_error("scheduler_stream: bad RecordIO");
  return true;
}

std::string scheduler_stream::next_record() {
  while (records_.empty())
    if (!fill())
      throw std::runtime_error("scheduler_stream: the stream ended");
  auto r = std::move(records_.front());
  records_.pop_front();
  return r;
}

std::vector<std::string> scheduler_stream::take_records() {
  std::vector<std::string> out(std::make_move_iterator(records_.begin()),
                               std::make_move_iterator(records_.end()));
  records_.clear();
  return out;
}

pr::Event scheduler_stream::next() {
  auto record = next_record();
  auto e = pr::decode_event(record);
  if (!e)
    throw std::runtime_error("scheduler_stream: undecodable event " + record);
  return std::move(*e);
}

pr::Event scheduler_stream::next_of(pr::event_type type) {
  for (;;) {
    auto e = next();
    if (e.type == type)
      return e;
  }
}

pr::TaskStatus scheduler_stream::next_update() {
  return next_of(pr::event_type::update).update->status;
}

bool scheduler_stream::read_to_end() {
  while (fill()) {
  }
  return !cut_;
}

http_reply request(std::uint16_t port, const std::string& method,
                   const std::string& target, const std::string& body,
                   header_pairs headers) {
  http_test_client c(port, std::nullopt, 20s);
  c.send(method, target, body, std::move(headers));
  return c.read_response();
}

http_reply post_call(std::uint16_t port, const pr::Call& call,
                     const std::string& stream_id, header_pairs extra) {
  header_pairs headers{{"Content-Type", "application/json"},
                       {"Accept", "application/json"}};
  if (!stream_id.empty())
    headers.emplace_back("Mesos-Stream-Id", stream_id);
  for (auto& h : extra)
    headers.push_back(h);
  return request(port, "POST", "/api/v1/scheduler", pr::to_json(call),
                 std::move(headers));
}

std::string subscribe_body(const pr::FrameworkInfo& info) {
  return pr::to_json(pr::make_subscribe(info));
}

pr::FrameworkInfo framework(const std::string& name) {
  pr::FrameworkInfo info;
  info.user = "root";
  info.name = name;
  info.failover_timeout = 3600;
  info.checkpoint = true;
  info.capabilities.push_back({pr::framework_capability::partition_aware});
  info.capabilities.push_back({pr::framework_capability::task_killing_state});
  return info;
}

pr::TaskInfo shell_task(const std::string& id, const pr::AgentID& agent,
                        const std::string& command) {
  pr::TaskInfo t;
  t.name = id;
  t.task_id.value = id;
  t.agent_id = agent;
  t.resources.push_back(pr::scalar_resource("cpus", 0.1));
  t.resources.push_back(pr::scalar_resource("mem", 32));
  pr::CommandInfo c;
  c.shell = true;
  c.value = command;
  t.command = c;
  return t;
}

bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

nlohmann::json status_of(sim::cluster& c) {
  return nlohmann::json::parse(c.status_json());
}

sim::cluster_options test_cluster(std::size_t masters) {
  sim::cluster_options o;
  o.masters = masters;
  o.master.heartbeat_interval = 1s;
  o.master.agent_reregistration_delay = 100ms;
  o.admin_port = 0;
  return o;
}

} // namespace outrigger::test
