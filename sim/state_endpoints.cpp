// The GET routes: /master/health, /master/redirect, /master/state (a
// faithful subset of the real document, transcripts 05/100/107) and
// /metrics/snapshot (a subset of the real keys, transcript 101). A master
// that does not lead redirects /state (surprise 0.3); /health and the
// metrics are answered by any master.

#include "sim/master_core.hpp"
#include "sim/mesos_text.hpp"

#include "protocol/json_value.hpp"

namespace outrigger::sim::detail {

namespace {

using json = nlohmann::ordered_json;

// The flat resource object of the state endpoints: disk, mem, gpus, cpus
// always, then ranges and sets as text (`"ports": "[31000-32000]"`).
json flat(const std::vector<protocol::Resource>& rs) {
  json out = json::object();
  double disk = 0, mem = 0, gpus = 0, cpus = 0;
  json rest = json::object();
  for (auto& r : rs) {
    if (r.type == protocol::value_type::scalar && r.scalar) {
      double v = r.scalar->value;
      if (r.name == "disk")
        disk += v;
      else if (r.name == "mem")
        mem += v;
      else if (r.name == "gpus")
        gpus += v;
      else if (r.name == "cpus")
        cpus += v;
      else
        rest[r.name] = rest.value(r.name, 0.0) + v;
    } else if (r.type == protocol::value_type::ranges && r.ranges) {
      rest[r.name] = ranges_text(*r.ranges);
    } else if (r.type == protocol::value_type::set && r.set) {
      auto text = resource_text(r);
      rest[r.name] = text.substr(text.find(':') + 1);
    }
  }
  out["disk"] = protocol::round_scalar(disk);
  out["mem"] = protocol::round_scalar(mem);
  out["gpus"] = protocol::round_scalar(gpus);
  out["cpus"] = protocol::round_scalar(cpus);
  for (auto& [k, v] : rest.items())
    out[k] = v;
  return out;
}

json flat(const resource_set& rs) {
  return flat(rs.items());
}

double seconds(sim_time t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

json task_json(const task_view& t, const agent_rec* agent) {
  json j;
  j["id"] = t.id.value;
  j["name"] = t.name;
  j["framework_id"] = t.framework.value;
  j["executor_id"] = t.executor ? t.executor->value : "";
  j["slave_id"] = t.agent.value;
  j["state"] = std::string{to_string(t.state)};
  j["resources"] = t.resources ? flat(*t.resources) : flat(resource_set{});
  j["role"] = t.role;
  json statuses = json::array();
  for (auto& s : t.statuses) {
    json one;
    one["state"] = std::string{to_string(s.state)};
    one["timestamp"] = s.timestamp;
    if (s.container && agent != nullptr) {
      json net;
      net["ip_addresses"] =
        json::array({json{{"protocol", "IPv4"}, {"ip_address", agent->ip}}});
      one["container_status"] = {{"network_infos", json::array({net})}};
    }
    statuses.push_back(std::move(one));
  }
  j["statuses"] = std::move(statuses);
  if (t.unreachable_time)
    j["unreachable_time"] = {{"nanoseconds", t.unreachable_time->nanoseconds}};
  return j;
}

} // namespace

handler_reply master_core::get_route(const http_request& request) {
  auto ok_json = [](std::string body) {
    http_response r;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::move(body);
    return handler_reply{std::move(r), std::nullopt};
  };
  std::string path{request.path()};
  if (path == "/metrics/snapshot")
    return ok_json(metrics_json());
  std::string sub = path;
  if (sub.rfind("/master/", 0) == 0)
    sub = sub.substr(7);
  if (sub == "/health")
    return {http_response{}, std::nullopt};
  if (sub == "/redirect" || sub.rfind("/redirect/", 0) == 0)
    return {redirect(request), std::nullopt};
  if (sub == "/state" || sub == "/state.json") {
    if (!leading)
      return {redirect(request), std::nullopt};
    return ok_json(state_json());
  }
  http_response nf;
  nf.status = 404;
  nf.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  nf.body = "404 Not Found.";
  return {std::move(nf), std::nullopt};
}

std::string master_core::state_json() const {
  auto agent_of = [this](const AgentID& id) -> const agent_rec* {
    auto it = agents.find(id.value);
    return it == agents.end() ? nullptr : it->second.get();
  };
  auto framework_json = [&](const framework_rec& fw) {
    json j;
    j["id"] = fw.id.value;
    j["name"] = fw.info.name;
    j["used_resources"] = flat(fw.used);
    j["offered_resources"] = flat(fw.offered);
    json caps = json::array();
    for (auto& c : fw.info.capabilities)
      if (c.type)
        caps.push_back(std::string{to_string(*c.type)});
    j["capabilities"] = caps;
    j["hostname"] = fw.info.hostname.value_or("");
    j["webui_url"] = fw.info.webui_url.value_or("");
    j["active"] = fw.active;
    j["connected"] = fw.connected;
    j["recovered"] = fw.recovered;
    j["user"] = fw.info.user;
    j["failover_timeout"] = fw.info.failover_timeout.value_or(0.0);
    j["checkpoint"] = fw.info.checkpoint.value_or(false);
    j["registered_time"] = seconds(fw.registered_time);
    // 0.0 while merely disconnected (readonly_handler.cpp:164).
    j["unregistered_time"] =
      fw.unregistered_time ? seconds(*fw.unregistered_time) : 0.0;
    auto total = fw.used;
    total += fw.offered;
    j["resources"] = flat(total);
    if (fw.reregistered_time)
      j["reregistered_time"] = seconds(*fw.reregistered_time);
    if (fw.multi_role())
      j["roles"] = fw.roles;
    else
      j["role"] = fw.roles.empty() ? std::string{"*"} : fw.roles.front();
    json active = json::array(), unreachable = json::array(),
         completed = json::array(), offered = json::array();
    for (auto& id : fw.tasks) {
      auto it = tasks.find(task_key(fw.id.value, id));
      if (it != tasks.end())
        active.push_back(
          task_json(it->second.view, agent_of(it->second.view.agent)));
    }
    for (auto& [id, t] : fw.unreachable)
      unreachable.push_back(task_json(t, agent_of(t.agent)));
    for (auto& t : fw.completed)
      completed.push_back(task_json(t, agent_of(t.agent)));
    for (auto& id : fw.offers) {
      auto& o = offers.at(id);
      json one;
      one["id"] = id;
      one["framework_id"] = fw.id.value;
      one["allocation_info"] = {{"role", o.role}};
      one["slave_id"] = o.agent.value;
      one["resources"] = flat(o.resources);
      offered.push_back(std::move(one));
    }
    j["tasks"] = std::move(active);
    j["unreachable_tasks"] = std::move(unreachable);
    j["completed_tasks"] = std::move(completed);
    j["offers"] = std::move(offered);
    j["executors"] = json::array();
    j["offer_constraints"] = json::object();
    return j;
  };

  json j;
  j["version"] = config.version;
  j["build_user"] = "outrigger-sim";
  j["start_time"] = seconds(start_time);
  if (leading)
    j["elected_time"] = seconds(elected_time);
  j["id"] = info.id;
  j["pid"] = info.pid.value_or("");
  j["hostname"] = info.hostname.value_or("");
  j["capabilities"] = {"AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"};
  double active = 0, unreachable = 0;
  for (auto* a : agent_order) {
    active += a->status == agent_status::active;
    unreachable += a->status == agent_status::unreachable;
  }
  j["activated_slaves"] = active;
  j["deactivated_slaves"] = 0.0;
  j["unreachable_slaves"] = unreachable;
  if (leader) {
    j["leader"] = leader->pid.value_or("");
    j["leader_info"] = {{"id", leader->id},
                        {"pid", leader->pid.value_or("")},
                        {"port", leader->port},
                        {"hostname", leader->hostname.value_or("")}};
  }
  auto ms = [](std::chrono::milliseconds d) {
    return std::to_string(d.count()) + "ms";
  };
  j["flags"] = {
    {"allocation_interval", ms(config.allocation_interval)},
    {"hostname", config.hostname},
    {"ip", config.ip},
    {"max_completed_frameworks",
     std::to_string(config.max_completed_frameworks)},
    {"max_completed_tasks_per_framework",
     std::to_string(config.max_completed_tasks_per_framework)},
    {"min_allocatable_resources", "cpus:0.01|mem:32"},
    {"port", std::to_string(config.port)},
    {"root_submissions", config.root_submissions ? "true" : "false"}};
  json slaves = json::array();
  for (auto* a : agent_order) {
    if (a->status != agent_status::active)
      continue; // unreachable agents are only counted (transcripts2 56)
    json s;
    s["id"] = a->id.value;
    s["hostname"] = a->hostname;
    s["port"] = a->port;
    json attrs = json::object();
    for (auto& attr : a->attributes) {
      if (attr.type == protocol::value_type::scalar && attr.scalar)
        attrs[attr.name] = attr.scalar->value;
      else if (attr.type == protocol::value_type::ranges && attr.ranges)
        attrs[attr.name] = ranges_text(*attr.ranges);
      else if (attr.text)
        attrs[attr.name] = attr.text->value;
    }
    s["attributes"] = std::move(attrs);
    s["pid"] = "slave(1)@" + a->ip + ":" + std::to_string(a->port);
    s["registered_time"] = seconds(a->registered_time);
    if (a->reregistered_time)
      s["reregistered_time"] = seconds(*a->reregistered_time);
    s["resources"] = flat(a->total);
    s["used_resources"] = flat(a->used);
    resource_set offered;
    for (auto& id : a->offers)
      offered += offers.at(id).resources;
    s["offered_resources"] = flat(offered);
    s["reserved_resources"] = json::object();
    s["unreserved_resources"] = flat(a->total.unreserved());
    s["active"] = true;
    s["deactivated"] = false;
    s["version"] = config.version;
    s["capabilities"] = {"MULTI_ROLE", "HIERARCHICAL_ROLE",
                         "RESERVATION_REFINEMENT"};
    slaves.push_back(std::move(s));
  }
  j["slaves"] = std::move(slaves);
  j["recovered_slaves"] = json::array();
  json fws = json::array(), done = json::array();
  for (auto& [id, fw] : frameworks)
    fws.push_back(framework_json(*fw)); // recovered ones say so
  for (auto& fw : completed_frameworks)
    done.push_back(framework_json(*fw));
  j["frameworks"] = std::move(fws);
  j["completed_frameworks"] = std::move(done);
  j["orphan_tasks"] = json::array();
  j["unregistered_frameworks"] = json::array();
  return j.dump();
}

} // namespace outrigger::sim::detail
