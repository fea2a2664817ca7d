#include "sim_test_support.hpp"

#include "protocol/recordio.hpp"
#include "tests/support/mesos_wire.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

namespace outrigger::sim::test {

sim_time t0() {
  return sim_time{} + std::chrono::microseconds(1795308133000000LL);
}

master_config harness::default_config() {
  master_config c;
  c.seed = 42;
  return c;
}

harness::harness(master_config config) : m(std::move(config), t0()) {}

handler_reply harness::request(const std::string& method,
                               const std::string& target, header_list headers,
                               std::string body) {
  http_request r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  r.body = std::move(body);
  auto reply = m.handle(r);
  if (reply.stream)
    streams[*reply.stream];
  pump();
  return reply;
}

http_response harness::post(const std::string& body,
                            std::optional<std::string> stream_uuid) {
  header_list h{{"Content-Type", "application/json"},
                {"Accept", "application/json"}};
  if (stream_uuid)
    h.emplace_back("Mesos-Stream-Id", *stream_uuid);
  return request("POST", "/api/v1/scheduler", std::move(h), body).response;
}

http_response harness::call(const pr::Call& c, const subscription& s) {
  return post(pr::to_json(c), s.stream_uuid);
}

subscription harness::subscribe(const pr::FrameworkInfo& info,
                                std::vector<std::string> suppressed) {
  auto c = pr::make_subscribe(info, std::move(suppressed));
  auto reply = request(
    "POST", "/api/v1/scheduler",
    {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
    pr::to_json(c));
  subscription s;
  s.response = reply.response;
  s.stream = reply.stream.value_or(0);
  s.stream_uuid = header(reply.response, "Mesos-Stream-Id");
  for (auto& e : streams[s.stream].events)
    if (e.type == pr::event_type::subscribed && e.subscribed)
      s.framework = e.subscribed->framework_id;
  return s;
}

http_response harness::get(const std::string& target) {
  return request("GET", target, {}, {}).response;
}

void harness::advance(sim_clock::duration d) {
  m.advance(m.now() + d);
  pump();
}

void harness::pump() {
  for (auto& out : m.take_output()) {
    auto& s = streams[out.stream];
    REQUIRE_FALSE(s.ended);
    REQUIRE_FALSE(s.cut);
    if (!out.bytes.empty()) {
      pr::recordio_decoder d;
      bool ok = d.feed(out.bytes, [&](std::string_view record) {
        s.records.emplace_back(record);
        auto e = pr::decode_event(record);
        REQUIRE(e);
        s.events.push_back(*e);
        s.taken.push_back(false);
      });
      REQUIRE(ok);
      REQUIRE(d.at_boundary()); // one whole record per chunk
    }
    s.ended |= out.end;
    s.cut |= out.cut;
  }
}

std::vector<pr::Event> harness::take(stream_id id) {
  auto& s = streams[id];
  std::vector<pr::Event> out;
  for (std::size_t i = 0; i < s.events.size(); ++i)
    if (!s.taken[i]) {
      s.taken[i] = true;
      out.push_back(s.events[i]);
    }
  return out;
}

std::vector<pr::Event> harness::take(stream_id id, pr::event_type type) {
  auto& s = streams[id];
  std::vector<pr::Event> out;
  for (std::size_t i = 0; i < s.events.size(); ++i)
    if (!s.taken[i] && s.events[i].type == type) {
      s.taken[i] = true;
      out.push_back(s.events[i]);
    }
  return out;
}

void harness::clear(stream_id id) {
  auto& s = streams[id];
  s.events.clear();
  s.records.clear();
  s.taken.clear();
}

std::vector<pr::Offer> harness::take_offers(stream_id id) {
  std::vector<pr::Offer> out;
  for (auto& e : take(id, pr::event_type::offers))
    for (auto& o : e.offers->offers)
      out.push_back(o);
  return out;
}

std::vector<pr::TaskStatus> harness::take_updates(stream_id id) {
  std::vector<pr::TaskStatus> out;
  for (auto& e : take(id, pr::event_type::update))
    out.push_back(e.update->status);
  return out;
}

pr::AgentID harness::add_agent(std::uint16_t port, task_runtime* runtime,
                               std::string resources, std::string attributes) {
  agent_spec spec;
  spec.port = port;
  spec.runtime = runtime;
  if (!resources.empty())
    spec.resources = std::move(resources);
  spec.attributes = std::move(attributes);
  auto id = m.add_agent(spec);
  pump();
  return id;
}

pr::FrameworkInfo framework_info(std::string name) {
  pr::FrameworkInfo info;
  info.user = "root";
  info.name = std::move(name);
  info.failover_timeout = 3600;
  info.capabilities.push_back({pr::framework_capability::partition_aware});
  info.capabilities.push_back({pr::framework_capability::task_killing_state});
  return info;
}

pr::FrameworkInfo legacy_framework_info(std::string name) {
  pr::FrameworkInfo info;
  info.user = "root";
  info.name = std::move(name);
  info.failover_timeout = 0;
  return info;
}

pr::TaskInfo command_task(const std::string& id, const pr::AgentID& agent,
                          double cpus, double mem) {
  pr::TaskInfo t;
  t.name = id;
  t.task_id.value = id;
  t.agent_id = agent;
  t.resources.push_back(pr::scalar_resource("cpus", cpus));
  t.resources.push_back(pr::scalar_resource("mem", mem));
  pr::CommandInfo c;
  c.shell = true;
  c.value = "echo hello";
  t.command = c;
  return t;
}

pr::Call launch_call(const pr::FrameworkID& fw, const pr::OfferID& offer,
                     std::vector<pr::TaskInfo> tasks,
                     std::optional<double> refuse_seconds) {
  std::optional<pr::Filters> filters;
  if (refuse_seconds)
    filters = pr::Filters{refuse_seconds};
  return pr::make_accept(fw, {offer}, {pr::make_launch(std::move(tasks))},
                         filters);
}

pr::Call ack_of(const pr::FrameworkID& fw, const pr::TaskStatus& status) {
  auto c = pr::acknowledgement_for(fw, status);
  REQUIRE(c);
  return *c;
}

std::string header(const http_response& r, const std::string& name) {
  return r.header(name).value_or("");
}

namespace {

const std::regex
  uuid_text("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

void normalize_in_place(json& j, const std::string& key) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      normalize_in_place(it.value(), it.key());
    return;
  }
  if (j.is_array()) {
    for (auto& x : j)
      normalize_in_place(x, key);
    return;
  }
  if (key == "timestamp" || key == "executor_pid" ||
      (key == "nanoseconds" && j.is_number()))
    j = 0;
  else if (key == "uuid")
    j = "<uuid>";
  else if (j.is_string())
    j = std::regex_replace(j.get<std::string>(), uuid_text, "<id>");
}

} // namespace

json normalized(const json& event) {
  json copy = event;
  normalize_in_place(copy, "");
  return copy;
}

std::vector<std::string> json_diff(const json& expected, const json& actual,
                                   const std::string& path) {
  std::vector<std::string> out;
  if (expected.type() != actual.type() &&
      !(expected.is_number() && actual.is_number())) {
    out.push_back(path + ": " + expected.dump() + " != " + actual.dump());
    return out;
  }
  if (expected.is_object()) {
    for (auto& [k, v] : expected.items()) {
      if (!actual.contains(k))
        out.push_back(path + "." + k + ": missing");
      else
        for (auto& d : json_diff(v, actual.at(k), path + "." + k))
          out.push_back(d);
    }
    for (auto& [k, v] : actual.items())
      if (!expected.contains(k))
        out.push_back(path + "." + k + ": unexpected " + v.dump());
    // Member order is part of the wire format (proto field order).
    std::vector<std::string> ke, ka;
    for (auto& [k, v] : expected.items())
      ke.push_back(k);
    for (auto& [k, v] : actual.items())
      ka.push_back(k);
    if (out.empty() && ke != ka)
      out.push_back(path + ": member order differs");
    return out;
  }
  if (expected.is_array()) {
    if (expected.size() != actual.size())
      out.push_back(path + ": size " + std::to_string(expected.size()) +
                    " != " + std::to_string(actual.size()));
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i)
      for (auto& d : json_diff(expected[i], actual[i],
                               path + "[" + std::to_string(i) + "]"))
        out.push_back(d);
    return out;
  }
  if (expected != actual)
    out.push_back(path + ": " + expected.dump() + " != " + actual.dump());
  return out;
}

std::optional<std::vector<std::string>>
recorded_records(const std::string& name) {
  std::string why;
  auto dir = outrigger::test::find_mesos_wire("transcripts", why);
  if (!dir)
    FAIL(why);
  std::stringstream buf;
  buf << outrigger::test::read_binary_file(*dir / (name + ".recordio"));
  std::vector<std::string> out;
  pr::recordio_decoder d;
  REQUIRE(d.feed(buf.str(), [&](std::string_view r) { out.emplace_back(r); }));
  return out;
}

} // namespace outrigger::sim::test
