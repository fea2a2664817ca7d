// Agents moving between masters. When the leading master dies, its agents
// keep running their tasks, detect the next leader and re-register with it
// (Slave::detected → reregisterSlave, src/slave/slave.cpp; master side
// Master::reregisterSlave, src/master/master.cpp:6990-7080); the new master
// recovers the frameworks of their tasks from the FrameworkInfos the agents
// send (:7054-7075, recoverFramework :2818-2830) and the frameworks must
// resubscribe. This is restart() split over two master objects: die() is
// what the old one does, adopt_agents() what the new one sees (recorded:
// transcripts 110-122, leader 5050 killed, standby 5052 elected).

#include "sim/master.hpp"
#include "sim/master_core.hpp"

namespace outrigger::sim::detail {

void master_core::die() {
  // The process dies: connections are cut, nothing is sent.
  cut_streams();
  for (auto& [id, fw] : frameworks) {
    timers.cancel(fw->heartbeat);
    timers.cancel(fw->failover);
  }
  frameworks.clear();
  completed_frameworks.clear();
  for (auto& [id, offer] : offers)
    timers.cancel(offer.timeout);
  offers.clear();
  timers.cancel(allocation_timer);
  allocation_timer = 0;
  leader.reset();
  leading = false;
}

std::unique_ptr<agent_bundle>
master_core::hand_over_agents(task_listener* limbo) {
  die();
  auto bundle = std::make_unique<agent_bundle>();
  for (auto& [key, task] : tasks) {
    timers.cancel(task.retry);
    task.retry = 0;
  }
  // The runtimes this master owns go with the agents that run on them; the
  // husk left behind gets a fresh built-in runtime.
  bool built_in_used = false;
  for (auto* a : agent_order)
    built_in_used |= a->runtime == synthetic.get();
  std::erase_if(clocks, [&](clocked* c) {
    if (built_in_used && c == synthetic.get())
      return true;
    for (auto& r : inherited)
      if (c == r.get())
        return true;
    return false;
  });
  if (built_in_used) {
    bundle->runtimes.push_back(std::move(synthetic));
    synthetic =
      std::make_unique<synthetic_runtime>(config.synthetic, &listener);
    synthetic->advance(now);
    clocks.push_back(synthetic.get());
  }
  for (auto& r : inherited)
    bundle->runtimes.push_back(std::move(r));
  inherited.clear();
  for (auto& r : bundle->runtimes)
    r->set_listener(limbo); // reports wait with the agents

  for (auto* a : agent_order) {
    auto node = agents.extract(a->id.value);
    bundle->agents.push_back(std::move(node.mapped()));
  }
  agents.clear();
  agent_order.clear();
  for (auto& [key, task] : tasks)
    bundle->tasks.push_back(std::move(task));
  tasks.clear();
  return bundle;
}

void master_core::adopt_agents(agent_bundle& bundle) {
  for (auto& r : bundle.runtimes) {
    r->set_listener(&listener);
    r->advance(now);
    clocks.push_back(r.get());
    inherited.push_back(std::move(r));
  }
  bundle.runtimes.clear();

  // The agents' side survives; the new master knows no task until the
  // agents re-register (as after restart()).
  for (auto& t : bundle.tasks) {
    t.master = known_as::unknown;
    t.view.update_state.reset();
    t.view.update_uuid.clear();
    t.retry = 0;
    auto key = task_key(t.view.framework.value, t.view.id.value);
    tasks.insert_or_assign(std::move(key), std::move(t));
  }
  bundle.tasks.clear();
  for (auto& owned : bundle.agents) {
    auto* a = owned.get();
    if (agents.count(a->id.value) != 0)
      continue; // cannot happen: agent ids embed the master id
    a->offers.clear();
    a->available = a->total;
    a->available -= a->used;
    agent_order.push_back(a);
    agents.emplace(a->id.value, std::move(owned));
    // The registry is assumed persistent (see restart()): unreachable and
    // gone agents stay what they were; the others are recovering until
    // they re-register, silently, after agent_reregistration_delay.
    if (a->status == agent_status::unreachable ||
        a->status == agent_status::gone)
      continue;
    a->status = agent_status::recovering;
    auto id = a->id.value;
    timers.schedule(now + config.agent_reregistration_delay, [this, id] {
      if (auto* found = find_agent(id);
          found != nullptr && found->status == agent_status::recovering)
        reregister(*found, false);
    });
  }
  bundle.agents.clear();

  // What the executors reported meanwhile waits in the agents' status
  // update streams, with the time it happened.
  for (auto& r : bundle.reports)
    on_task_state(
      r.agent, r.framework, r.task, r.state, std::move(r.message), r.reason,
      std::chrono::duration<double>(r.at.time_since_epoch()).count());
  bundle.reports.clear();
}

} // namespace outrigger::sim::detail

// -- the public handoff
// ---------------------------------------------------------

namespace outrigger::sim {

struct agent_handoff::state final : task_listener {
  std::unique_ptr<detail::agent_bundle> bundle =
    std::make_unique<detail::agent_bundle>();
  std::function<sim_time()> clock = [] { return sim_clock::now(); };

  void on_task_state(const protocol::AgentID& agent,
                     const protocol::FrameworkID& framework,
                     const protocol::TaskID& task, protocol::task_state s,
                     std::string message,
                     std::optional<protocol::status_reason> reason) override {
    bundle->reports.push_back(detail::late_report{
      agent, framework, task, s, std::move(message), reason, clock()});
  }
};

agent_handoff::agent_handoff() : state_(std::make_unique<state>()) {}
agent_handoff::~agent_handoff() = default;
agent_handoff::agent_handoff(agent_handoff&&) noexcept = default;
agent_handoff& agent_handoff::operator=(agent_handoff&&) noexcept = default;

std::size_t agent_handoff::agent_count() const {
  return state_ ? state_->bundle->agents.size() : 0;
}

std::size_t agent_handoff::task_count() const {
  return state_ ? state_->bundle->tasks.size() : 0;
}

std::size_t agent_handoff::report_count() const {
  return state_ ? state_->bundle->reports.size() : 0;
}

task_listener& agent_handoff::listener() {
  if (!state_)
    state_ = std::make_unique<state>(); // a moved-from handoff is empty
  return *state_;
}

void agent_handoff::set_clock(std::function<sim_time()> clock) {
  listener();
  state_->clock = std::move(clock);
}

agent_handoff master::hand_over_agents() {
  agent_handoff handoff;
  auto bundle = core_->hand_over_agents(&handoff.listener());
  handoff.state_->bundle = std::move(bundle);
  return handoff;
}

void master::adopt_agents(agent_handoff handoff) {
  if (handoff.state_)
    core_->adopt_agents(*handoff.state_->bundle);
}

} // namespace outrigger::sim
