#include "sim/synthetic_runtime.hpp"

#include <charconv>

namespace outrigger::sim {

namespace {

using protocol::task_state;

std::optional<long long> label_number(const protocol::TaskInfo& task,
                                      std::string_view key) {
  if (!task.labels)
    return std::nullopt;
  for (auto& l : task.labels->labels) {
    if (l.key != key || !l.value)
      continue;
    long long v = 0;
    auto& s = *l.value;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && p == s.data() + s.size())
      return v;
  }
  return std::nullopt;
}

// `sleep N` (N seconds, possibly fractional) as the whole shell command.
std::optional<std::chrono::milliseconds>
sleep_duration(const protocol::TaskInfo& task) {
  if (!task.command || !task.command->value)
    return std::nullopt;
  std::string_view v = *task.command->value;
  if (v.substr(0, 6) != "sleep ")
    return std::nullopt;
  v.remove_prefix(6);
  double seconds = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc{} || p != v.data() + v.size() || seconds < 0)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

} // namespace

synthetic_runtime::synthetic_runtime(synthetic_config config,
                                     task_listener* listener)
  : config_(config), listener_(listener), rng_(config.seed) {}

std::string synthetic_runtime::key(const protocol::AgentID& agent,
                                   const protocol::FrameworkID& framework,
                                   const protocol::TaskID& task) {
  // '\x1f' cannot occur in Mesos ids (validateID rejects control chars).
  return agent.value + '\x1f' + framework.value + '\x1f' + task.value;
}

void synthetic_runtime::launch(const protocol::AgentID& agent,
                               const protocol::FrameworkID& framework,
                               const protocol::TaskInfo& task) {
  ++launches_;
  if (!launch_ids_full() && !launch_ids_.insert(task.task_id.value).second &&
      launched_twice_.size() < max_twice)
    launched_twice_.push_back(task.task_id.value);
  auto k = key(agent, framework, task.task_id);
  if (tasks_.count(k) != 0)
    return;
  entry e{agent, framework, task.task_id};
  if (auto ms = label_number(task, "outrigger.sim/duration_ms")) {
    e.run_for = std::chrono::milliseconds(*ms);
  } else if (auto s = sleep_duration(task)) {
    e.run_for = *s;
  } else {
    auto lo = config_.min_duration.count();
    auto hi = std::max(lo, config_.max_duration.count());
    std::uniform_int_distribution<long long> pick(lo, hi);
    e.run_for = std::chrono::milliseconds(pick(rng_));
  }
  if (auto code = label_number(task, "outrigger.sim/exit_code")) {
    e.exit_code = static_cast<int>(*code);
  } else if (config_.failure_probability > 0) {
    std::bernoulli_distribution fail(config_.failure_probability);
    e.exit_code = fail(rng_) ? 1 : 0;
  }
  e.timer =
    timers_.schedule(now_ + config_.start_delay, [this, k] { step(k); });
  if (recent_.size() >= sandbox_history) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
  std::string command;
  if (task.command && task.command->value)
    command = *task.command->value;
  if (recent_.emplace(k, launched{std::move(command), now_}).second)
    recent_order_.push_back(k);
  by_agent_task_.emplace(agent.value + '\x1f' + task.task_id.value, k);
  tasks_.emplace(std::move(k), std::move(e));
}

void synthetic_runtime::step(const std::string& k) {
  auto it = tasks_.find(k);
  if (it == tasks_.end())
    return;
  auto& e = it->second;
  e.timer = 0;
  switch (e.at) {
    case phase::staging:
      e.at = phase::starting;
      e.timer =
        timers_.schedule(now_ + config_.running_delay, [this, k] { step(k); });
      report(e, task_state::starting, {});
      return;
    case phase::starting:
      e.at = phase::running;
      e.timer = timers_.schedule(now_ + e.run_for, [this, k] { step(k); });
      report(e, task_state::running, {});
      return;
    case phase::running:
    case phase::killing: {
      bool killed = e.at == phase::killing;
      auto done = std::move(e);
      auto range =
        by_agent_task_.equal_range(done.agent.value + '\x1f' + done.task.value);
      for (auto i = range.first; i != range.second; ++i)
        if (i->second == k) {
          by_agent_task_.erase(i);
          break;
        }
      tasks_.erase(it);
      if (killed)
        report(done, task_state::killed,
               "Command terminated with signal Terminated");
      else if (done.exit_code == 0)
        report(done, task_state::finished, "Command exited with status 0");
      else
        report(done, task_state::failed,
               "Command exited with status " + std::to_string(done.exit_code));
      return;
    }
  }
}

void synthetic_runtime::report(const entry& e, task_state state,
                               std::string message) {
  if (listener_ != nullptr)
    listener_->on_task_state(e.agent, e.framework, e.task, state,
                             std::move(message), std::nullopt);
}

void synthetic_runtime::kill(const protocol::AgentID& agent,
                             const protocol::TaskID& task,
                             std::chrono::milliseconds grace,
                             bool killing_state) {
  auto range = by_agent_task_.equal_range(agent.value + '\x1f' + task.value);
  for (auto i = range.first; i != range.second; ++i) {
    auto it = tasks_.find(i->second);
    if (it == tasks_.end() || it->second.at == phase::killing)
      continue;
    auto& e = it->second;
    timers_.cancel(e.timer);
    auto k = it->first;
    bool announce = killing_state;
    e.at = phase::killing;
    // TASK_KILLING right away (as its own timer, never from inside kill()),
    // then death after SIGTERM, or SIGKILL once the grace period is over.
    auto die = now_ + std::min(config_.kill_delay, grace);
    if (announce) {
      timers_.schedule(now_, [this, k] {
        auto found = tasks_.find(k);
        if (found != tasks_.end())
          report(found->second, task_state::killing, {});
      });
    }
    e.timer = timers_.schedule(die, [this, k] { step(k); });
    return;
  }
}

void synthetic_runtime::shutdown_framework(
  const protocol::AgentID& agent, const protocol::FrameworkID& framework) {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->second.agent == agent && it->second.framework == framework) {
      timers_.cancel(it->second.timer);
      auto range = by_agent_task_.equal_range(agent.value + '\x1f' +
                                              it->second.task.value);
      for (auto i = range.first; i != range.second; ++i)
        if (i->second == it->first) {
          by_agent_task_.erase(i);
          break;
        }
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
}

void synthetic_runtime::forget_agent(const protocol::AgentID& agent) {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->second.agent == agent) {
      timers_.cancel(it->second.timer);
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = by_agent_task_.begin(); it != by_agent_task_.end();) {
    if (tasks_.count(it->second) == 0)
      it = by_agent_task_.erase(it);
    else
      ++it;
  }
}

void synthetic_runtime::advance(sim_time now) {
  // Step from deadline to deadline so that follow-up timers are scheduled
  // from the instant their predecessor fired, not from `now`.
  for (;;) {
    auto next = timers_.next();
    if (!next || *next > now)
      break;
    if (*next > now_)
      now_ = *next;
    timers_.run_until(now_);
  }
  if (now > now_)
    now_ = now;
}

std::optional<sim_time> synthetic_runtime::next_deadline() const {
  return timers_.next();
}

std::optional<virtual_sandbox>
synthetic_runtime::sandbox(const std::string& agent,
                           const std::string& framework,
                           const std::string& executor) const {
  auto it =
    recent_.find(key(protocol::AgentID{agent}, protocol::FrameworkID{framework},
                     protocol::TaskID{executor}));
  if (it == recent_.end())
    return std::nullopt;
  virtual_sandbox box;
  box.mtime =
    static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                          it->second.at.time_since_epoch())
                          .count());
  box.files["stdout"] = "synthetic task " + executor + " on agent " + agent +
                        ": " + it->second.command + "\n";
  box.files["stderr"] = "";
  return box;
}

} // namespace outrigger::sim
