// The admin API of a simulated cluster (routes in cluster_admin.hpp) and its
// status document.

#include "sim/cluster_admin.hpp"
#include "sim/cluster_impl.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace outrigger::sim {

using json = nlohmann::ordered_json;

std::string cluster::impl::status_json() const {
  json doc;
  auto l = leader();
  doc["leader"] = l ? json(*l + 1) : json(nullptr);
  doc["masters"] = json::array();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = *slots_[i];
    json m;
    m["master"] = i + 1;
    m["url"] = url(i);
    m["alive"] = s.m != nullptr;
    m["leading"] = s.m != nullptr && s.m->elected();
    m["id"] = s.m ? s.m->info().id : "";
    doc["masters"].push_back(std::move(m));
  }
  doc["agents"] = json::array();
  json frameworks;
  frameworks["registered"] = 0;
  frameworks["connected"] = json::array();
  frameworks["completed"] = 0;
  doc["offers"] = 0;
  doc["tasks"] = json::object();
  if (host_) {
    auto& m = *slots_[*host_]->m;
    for (auto& a : m.agents())
      doc["agents"].push_back({{"id", a.id.value},
                               {"hostname", a.hostname},
                               {"port", a.port},
                               {"status", a.status},
                               {"tasks", a.tasks}});
    frameworks["registered"] = m.framework_count();
    frameworks["connected"] = m.connected_frameworks();
    frameworks["completed"] = m.completed_framework_count();
    doc["offers"] = m.offer_count();
    for (auto& [state, n] : m.task_states())
      doc["tasks"][state] = n;
  }
  doc["agents_in_transit"] = transit_.agent_count() + waiting_.size();
  // Launches reaching the synthetic agents, whichever master sent them.
  doc["launches"] = synthetic_.launches();
  doc["launched_twice"] = synthetic_.launched_twice();
  doc["frameworks"] = std::move(frameworks);
  // Members in the documented order.
  json out;
  for (auto key :
       {"leader", "masters", "agents", "agents_in_transit", "frameworks",
        "offers", "tasks", "launches", "launched_twice"})
    out[key] = std::move(doc[key]);
  return out.dump();
}

namespace {

/// Bad input: 400 with the message.
struct bad_request : std::runtime_error {
  using std::runtime_error::runtime_error;
};

http_response text(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body) + "\n";
  return r;
}

http_response json_reply(const std::string& body) {
  http_response r;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = body;
  return r;
}

/// The request body as a JSON object whose members are all in `allowed`.
json parse_body(const http_request& request,
                std::initializer_list<const char*> allowed) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos)
    return json::object();
  auto doc = json::parse(request.body, nullptr, false);
  if (doc.is_discarded())
    throw bad_request("the body is not JSON");
  if (!doc.is_object())
    throw bad_request("the body must be a JSON object");
  for (auto& [key, value] : doc.items()) {
    bool known = false;
    for (auto* a : allowed)
      known |= key == a;
    if (!known) {
      std::string list;
      for (auto* a : allowed)
        list += std::string{list.empty() ? "" : ", "} + a;
      throw bad_request("unknown member '" + key + "'" +
                        (list.empty() ? " (this action takes none)"
                                      : " (expected: " + list + ")"));
    }
  }
  return doc;
}

std::uint64_t number(const json& body, const char* key,
                     std::optional<std::uint64_t> fallback = {}) {
  if (!body.contains(key)) {
    if (fallback)
      return *fallback;
    throw bad_request(std::string{"missing member '"} + key + "'");
  }
  auto& v = body.at(key);
  if (!v.is_number_unsigned())
    throw bad_request(std::string{"'"} + key +
                      "' must be a non-negative integer");
  return v.get<std::uint64_t>();
}

std::string string_of(const json& body, const char* key,
                      std::optional<std::string> fallback = {}) {
  if (!body.contains(key)) {
    if (fallback)
      return *fallback;
    throw bad_request(std::string{"missing member '"} + key + "'");
  }
  auto& v = body.at(key);
  if (!v.is_string())
    throw bad_request(std::string{"'"} + key + "' must be a string");
  return v.get<std::string>();
}

bool boolean(const json& body, const char* key,
             std::optional<bool> fallback = {}) {
  if (!body.contains(key)) {
    if (fallback)
      return *fallback;
    throw bad_request(std::string{"missing member '"} + key + "'");
  }
  auto& v = body.at(key);
  if (!v.is_boolean())
    throw bad_request(std::string{"'"} + key + "' must be true or false");
  return v.get<bool>();
}

class admin_endpoint final : public http_endpoint {
public:
  explicit admin_endpoint(cluster& c) : cluster_(c) {}

  handler_reply handle(const http_request& request) override {
    handler_reply r;
    try {
      r.response = route(request);
    } catch (const bad_request& e) {
      r.response = text(400, e.what());
    } catch (const std::invalid_argument& e) {
      r.response = text(400, e.what());
    } catch (const std::out_of_range& e) {
      r.response = text(400, e.what());
    } catch (const std::exception& e) {
      r.response = text(409, e.what());
    }
    return r;
  }
  std::vector<stream_output> take_output() override { return {}; }
  void stream_closed(stream_id) override {}
  void advance(sim_time) override {}
  std::optional<sim_time> next_deadline() const override {
    return std::nullopt;
  }

private:
  static constexpr const char* routes =
    "GET /sim/status; POST /sim/cut-streams, /sim/heartbeats, /sim/delay, "
    "/sim/drop-calls, /sim/unavailable, /sim/fail-over, /sim/kill-master, "
    "/sim/start-master, /sim/restart-master, /sim/lose-agent, "
    "/sim/return-agent, /sim/remove-agent, /sim/add-agents, /sim/teardown, "
    "/sim/election-lag";

  std::size_t master_index(const json& body) {
    auto n = number(body, "master");
    if (n < 1 || n > cluster_.size())
      throw bad_request("'master' must be between 1 and " +
                        std::to_string(cluster_.size()));
    return static_cast<std::size_t>(n - 1);
  }

  http_response route(const http_request& request) {
    auto path = std::string{request.path()};
    bool get = path == "/sim/status";
    if (path.rfind("/sim/", 0) != 0)
      return text(404,
                  "No such route; the admin API has: " + std::string{routes});
    auto wanted = get ? "GET" : "POST";
    if (request.method != wanted) {
      auto r = text(405, "Use " + std::string{wanted} + " for " + path);
      r.headers.insert(r.headers.begin(), {"Allow", wanted});
      return r;
    }
    if (get)
      return json_reply(cluster_.status_json());
    if (auto r = act(path, request))
      return json_reply(*r);
    return text(404,
                "No such route; the admin API has: " + std::string{routes});
  }

  // The action at `path`; nullopt for an unknown one.
  std::optional<std::string> act(const std::string& path,
                                 const http_request& request) {
    using std::chrono::milliseconds;
    std::string ok = R"({"ok":true})";
    if (path == "/sim/cut-streams") {
      parse_body(request, {});
      cluster_.cut_streams();
    } else if (path == "/sim/heartbeats") {
      auto body = parse_body(request, {"paused"});
      if (boolean(body, "paused"))
        cluster_.pause_heartbeats();
      else
        cluster_.resume_heartbeats();
    } else if (path == "/sim/delay") {
      auto body = parse_body(request, {"ms"});
      cluster_.set_response_delay(milliseconds(number(body, "ms")));
    } else if (path == "/sim/drop-calls") {
      auto body = parse_body(request, {"count"});
      cluster_.drop_calls(number(body, "count"));
    } else if (path == "/sim/unavailable") {
      auto body = parse_body(request, {"ms"});
      cluster_.unavailable_for(milliseconds(number(body, "ms")));
    } else if (path == "/sim/teardown") {
      auto body = parse_body(request, {"framework"});
      auto n = cluster_.teardown(string_of(body, "framework", ""));
      return json{{"ok", true}, {"removed", n}}.dump();
    } else if (path == "/sim/election-lag") {
      auto body = parse_body(request, {"ms"});
      cluster_.set_election_lag(milliseconds(number(body, "ms")));
    } else if (path == "/sim/fail-over") {
      parse_body(request, {});
      cluster_.fail_over();
    } else if (path == "/sim/kill-master") {
      cluster_.kill_master(master_index(parse_body(request, {"master"})));
    } else if (path == "/sim/start-master") {
      cluster_.start_master(master_index(parse_body(request, {"master"})));
    } else if (path == "/sim/restart-master") {
      cluster_.restart_master(master_index(parse_body(request, {"master"})));
    } else if (path == "/sim/lose-agent") {
      auto body = parse_body(request, {"agent", "how"});
      auto how = string_of(body, "how", "partition");
      if (how != "partition" && how != "disconnected")
        throw bad_request("'how' must be \"partition\" or \"disconnected\"");
      cluster_.lose_agent(protocol::AgentID{string_of(body, "agent")},
                          how == "partition" ? agent_loss::partition
                                             : agent_loss::disconnected);
    } else if (path == "/sim/return-agent") {
      auto body = parse_body(request, {"agent", "tasks_lost"});
      cluster_.return_agent(protocol::AgentID{string_of(body, "agent")},
                            boolean(body, "tasks_lost", false));
    } else if (path == "/sim/remove-agent") {
      auto body = parse_body(request, {"agent"});
      cluster_.remove_agent(protocol::AgentID{string_of(body, "agent")});
    } else if (path == "/sim/add-agents") {
      return add_agents(
        parse_body(request, {"count", "mode", "resources", "attributes",
                             "hostname", "port"}));
    } else {
      return std::nullopt;
    }
    return ok;
  }

  std::string add_agents(const json& body) {
    agent_spec spec;
    auto count = number(body, "count", 1);
    if (count < 1 || count > 10000)
      throw bad_request("'count' must be between 1 and 10000");
    auto mode = string_of(body, "mode", "synthetic");
    if (mode != "synthetic" && mode != "exec")
      throw bad_request("'mode' must be \"synthetic\" or \"exec\"");
    spec.resources = string_of(body, "resources", spec.resources);
    spec.attributes = string_of(body, "attributes", "");
    spec.hostname = string_of(body, "hostname", spec.hostname);
    auto port = number(body, "port", spec.port);
    if (port < 1 || port > 65535)
      throw bad_request("'port' must be between 1 and 65535");
    spec.port = static_cast<std::uint16_t>(port);
    auto ids = cluster_.add_agents(
      count, spec, mode == "exec" ? agent_mode::exec : agent_mode::synthetic);
    json out;
    out["ok"] = true;
    out["agents"] = json::array();
    for (auto& id : ids)
      out["agents"].push_back(id.value);
    return out.dump();
  }

  cluster& cluster_;
};

} // namespace

std::unique_ptr<http_endpoint> make_admin_endpoint(cluster& owner) {
  return std::make_unique<admin_endpoint>(owner);
}

} // namespace outrigger::sim
