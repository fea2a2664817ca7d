// The public facade: routing of requests and the operator-side API.

#include "sim/master.hpp"

#include "sim/master_core.hpp"

namespace outrigger::sim {

master::master(master_config config, sim_time start)
  : core_(
      std::make_unique<detail::master_core>(std::move(config), start, *this)) {}

master::~master() = default;

handler_reply master::handle(const http_request& request) {
  auto path = request.path();
  // Both URLs reach the same handler: libprocess rewrites /api/v1/scheduler
  // to /master/api/v1/scheduler (design.md §M5).
  if (path == "/api/v1/scheduler" || path == "/master/api/v1/scheduler")
    return core_->scheduler_api(request);
  return core_->get_route(request);
}

std::vector<stream_output> master::take_output() {
  return core_->take_output();
}

void master::stream_closed(stream_id id) {
  core_->stream_closed(id);
}

void master::advance(sim_time now) {
  core_->advance(now);
}

std::optional<sim_time> master::next_deadline() const {
  return core_->next_deadline();
}

void master::on_task_state(const protocol::AgentID& agent,
                           const protocol::FrameworkID& framework,
                           const protocol::TaskID& task,
                           protocol::task_state state, std::string message,
                           std::optional<protocol::status_reason> reason) {
  core_->on_task_state(agent, framework, task, state, std::move(message),
                       reason);
}

const protocol::MasterInfo& master::info() const {
  return core_->info;
}

void master::set_leader_self() {
  if (!core_->leading)
    core_->elected_time = core_->now;
  core_->leader = core_->info;
  core_->leading = true;
}

void master::set_leader(const protocol::MasterInfo& other) {
  if (other.id == core_->info.id) {
    set_leader_self();
    return;
  }
  core_->leader = other;
  core_->leading = false;
}

void master::set_no_leader() {
  core_->leader.reset();
  core_->leading = false;
}

bool master::elected() const {
  return core_->leading;
}

sim_time master::now() const {
  return core_->now;
}

protocol::AgentID master::add_agent(const agent_spec& spec) {
  return core_->add_agent(spec);
}

void master::lose_agent(const protocol::AgentID& id, agent_loss how) {
  core_->lose_agent(id, how == agent_loss::partition
                          ? detail::loss_kind::partition
                          : detail::loss_kind::disconnected);
}

void master::return_agent(const protocol::AgentID& id, bool tasks_lost) {
  core_->return_agent(id, tasks_lost);
}

void master::remove_agent(const protocol::AgentID& id) {
  core_->remove_agent(id);
}

synthetic_runtime& master::synthetic() {
  return *core_->synthetic;
}

void master::attach(clocked& component) {
  component.advance(core_->now);
  core_->clocks.push_back(&component);
}

void master::detach(clocked& component) {
  std::erase(core_->clocks, &component);
}

void master::cut_streams() {
  core_->cut_all_streams();
}

void master::pause_heartbeats() {
  core_->heartbeats_paused = true;
}

void master::resume_heartbeats() {
  core_->heartbeats_paused = false;
}

void master::drop_calls(std::size_t n) {
  core_->calls_to_drop = n;
}

void master::unavailable_for(std::chrono::milliseconds how_long) {
  core_->unavailable_until = core_->now + how_long;
}

std::size_t master::teardown(const std::string& id) {
  std::vector<std::string> ids;
  for (auto& [fid, fw] : core_->frameworks)
    if (id.empty() || fid == id)
      ids.push_back(fid);
  for (auto& fid : ids)
    if (auto* fw = core_->find_framework(fid))
      core_->remove_framework(*fw);
  return ids.size();
}

void master::restart() {
  core_->restart();
}

std::size_t master::framework_count() const {
  return core_->frameworks.size();
}

std::size_t master::completed_framework_count() const {
  return core_->completed_frameworks.size();
}

std::size_t master::offer_count() const {
  return core_->offers.size();
}

std::size_t master::task_count() const {
  return core_->tasks.size();
}

std::size_t master::tasks_in_state(protocol::task_state state) const {
  std::size_t n = 0;
  for (auto& [key, t] : core_->tasks)
    n += t.master == detail::known_as::active && t.view.state == state;
  return n;
}

std::vector<master::agent_brief> master::agents() const {
  std::vector<agent_brief> out;
  for (auto* a : core_->agent_order) {
    agent_brief b;
    b.id = a->id;
    b.hostname = a->hostname;
    b.port = a->port;
    switch (a->status) {
      case detail::agent_status::active:
        b.status = "active";
        break;
      case detail::agent_status::recovering:
        b.status = "recovering";
        break;
      case detail::agent_status::unreachable:
        b.status = "unreachable";
        break;
      case detail::agent_status::gone:
        b.status = "gone";
        break;
    }
    b.tasks = a->task_keys.size();
    out.push_back(std::move(b));
  }
  return out;
}

std::map<std::string, std::size_t> master::task_states() const {
  std::map<std::string, std::size_t> out;
  for (auto& [key, t] : core_->tasks)
    if (t.master == detail::known_as::active)
      out[std::string{protocol::to_string(t.view.state)}] += 1;
  return out;
}

std::vector<std::string> master::connected_frameworks() const {
  std::vector<std::string> out;
  for (auto& [id, fw] : core_->frameworks)
    if (fw->connected)
      out.push_back(id);
  return out;
}

std::optional<protocol::task_state>
master::agent_task_state(const protocol::FrameworkID& framework,
                         const protocol::TaskID& task) const {
  auto it = core_->tasks.find(detail::task_key(framework.value, task.value));
  if (it == core_->tasks.end())
    return std::nullopt;
  return it->second.agent_state;
}

double master::metric(const std::string& key) const {
  auto m = core_->metrics();
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

} // namespace outrigger::sim
