// Framework lifecycle: SUBSCRIBE (new, failover, recovery after a master
// restart), heartbeats, disconnection and failover timeout, removal
// (TEARDOWN or expiry) and UPDATE_FRAMEWORK. Mirrors Master::subscribe /
// _subscribe (src/master/master.cpp:2675-2870), failoverFramework
// (:10263-10360), _exited (:1414-1438), removeFramework (:10397-) and
// updateFramework (:3271-3344, :7507-7525).

#include "sim/master_core.hpp"
#include "sim/mesos_text.hpp"

#include <cmath>
#include <cstdio>

namespace outrigger::sim::detail {

namespace {

std::vector<std::string> roles_of(const protocol::FrameworkInfo& info) {
  if (info.has_capability(protocol::framework_capability::multi_role))
    return info.roles;
  return {info.role.value_or("*")};
}

std::set<std::string> set_of(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

http_response text(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

// validation::framework::validateUpdate (src/master/validation.cpp).
std::optional<std::string>
validate_update(const protocol::FrameworkInfo& old_info,
                const protocol::FrameworkInfo& new_info) {
  if (old_info.principal != new_info.principal)
    return "Changing framework's principal is not allowed.";
  if (old_info.user != new_info.user)
    return "Updating 'FrameworkInfo.user' is unsupported; attempted to "
           "update from '" +
           old_info.user + "' to '" + new_info.user + "'";
  bool was = old_info.checkpoint.value_or(false);
  bool is = new_info.checkpoint.value_or(false);
  if (was != is)
    return std::string{"Updating 'FrameworkInfo.checkpoint' is unsupported; "
                       "attempted to update from '"} +
           (was ? "true" : "false") + "' to '" + (is ? "true" : "false") + "'";
  return std::nullopt;
}

std::optional<std::string>
invalid_suppressed(const std::vector<std::string>& roles,
                   const std::set<std::string>& suppressed) {
  std::set<std::string> invalid;
  for (auto& r : suppressed)
    if (std::find(roles.begin(), roles.end(), r) == roles.end())
      invalid.insert(r);
  if (invalid.empty())
    return std::nullopt;
  return "Suppressed roles " + set_text(invalid) +
         " are not contained in the set of roles";
}

} // namespace

std::optional<std::string>
master_core::validate_framework(const protocol::FrameworkInfo& info) const {
  bool multi = info.has_capability(protocol::framework_capability::multi_role);
  if (multi && info.role)
    return "'FrameworkInfo.role' must not be set when the framework is "
           "MULTI_ROLE capable";
  if (!multi && !info.roles.empty())
    return "'FrameworkInfo.roles' must not be set when the framework is not "
           "MULTI_ROLE capable";
  if (multi) {
    std::set<std::string> seen, duplicates;
    for (auto& r : info.roles)
      if (!seen.insert(r).second)
        duplicates.insert(r);
    if (!duplicates.empty())
      return "'FrameworkInfo.roles' contains duplicate items: " +
             set_text(duplicates);
    for (auto& r : info.roles)
      if (auto e = validate_role(r))
        return "'FrameworkInfo.roles' contains invalid role: " + *e;
  } else if (auto e = validate_role(info.role.value_or("*"))) {
    return "'FrameworkInfo.role' is not a valid role: " + *e;
  }
  if (info.id && !info.id->value.empty())
    if (auto e = validate_id(info.id->value))
      return e;
  auto timeout = info.failover_timeout.value_or(0);
  if (std::isnan(timeout) || std::fabs(timeout) * 1e9 > 9.2e18) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", timeout);
    return std::string{"The framework failover_timeout ("} + buf +
           ") is invalid";
  }
  if (info.user == "root" && !config.root_submissions)
    return "User 'root' is not allowed to run frameworks without "
           "--root_submissions set";
  if (info.id && is_completed(info.id->value))
    return "Framework has been removed";
  return std::nullopt;
}

handler_reply master_core::subscribe(const http_request&,
                                     protocol::Subscribe& sub) {
  auto& info = sub.framework_info;
  bool fresh = !info.id || info.id->value.empty();
  bump(fresh ? "master/messages_register_framework"
             : "master/messages_reregister_framework");
  if (streams.size() >= config.max_open_streams)
    return {text(503, "Too many open subscription streams"), std::nullopt};

  // The stream opens before the master looks at the framework: refusals
  // travel in-band, as one ERROR and the end of a 200 stream (design.md §M7).
  auto uuid = ids.next_text();
  auto stream = open_stream("");
  handler_reply r;
  r.response.status = 200;
  r.response.headers.emplace_back("Mesos-Stream-Id", uuid);
  r.response.headers.emplace_back("Content-Type", "application/json");
  r.stream = stream;
  auto refuse = [&](const std::string& message) {
    protocol::Event e;
    e.type = protocol::event_type::error;
    e.error = protocol::Error{message};
    send_event(stream, e);
    end_stream(stream);
    return r;
  };

  if (auto e = validate_framework(info))
    return refuse(*e);
  auto suppressed = set_of(sub.suppressed_roles);
  if (auto e = invalid_suppressed(roles_of(info), suppressed))
    return refuse(*e);

  if (fresh) {
    if (frameworks.size() >= config.max_frameworks)
      return refuse("Too many frameworks (the simulator allows " +
                    std::to_string(config.max_frameworks) + ")");
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%04llu",
                  static_cast<unsigned long long>(next_framework++));
    info.id = protocol::FrameworkID{this->info.id + suffix};
    auto fw = std::make_unique<framework_rec>();
    fw->id = *info.id;
    fw->info = info;
    fw->roles = roles_of(info);
    fw->suppressed = suppressed;
    fw->registered_time = now;
    auto& ref = *fw;
    frameworks.emplace(fw->id.value, std::move(fw));
    connect(ref, stream, uuid);
    request_allocation();
    return r;
  }

  auto* fw = find_framework(info.id->value);
  if (fw == nullptr) {
    if (frameworks.size() >= config.max_frameworks)
      return refuse("Too many frameworks (the simulator allows " +
                    std::to_string(config.max_frameworks) + ")");
    // Unknown to this master (it restarted): re-created from the
    // FrameworkInfo under the same id (recoverFramework, :2818-2830).
    fw = &recover_framework(info);
  }
  // preserveImmutableFields: user and checkpoint cannot change on SUBSCRIBE.
  info.user = fw->info.user;
  info.checkpoint = fw->info.checkpoint;
  if (auto e = validate_update(fw->info, info))
    return refuse(*e);
  apply_update(*fw, info, suppressed);

  bool was_active = fw->active;
  if (!fw->recovered) {
    fw->reregistered_time = now;
    // Always fail over the old connection (MESOS-4712).
    if (fw->connected && fw->stream) {
      protocol::Event e;
      e.type = protocol::event_type::error;
      e.error = protocol::Error{"Framework failed over"};
      emit(*fw, e);
      end_stream(*fw->stream);
    }
    // Outstanding offers are discarded, not rescinded (_failoverFramework).
    auto outstanding = fw->offers;
    for (auto& id : outstanding)
      remove_offer(id, false, std::nullopt);
  }
  fw->recovered = false;
  connect(*fw, stream, uuid);
  if (!was_active)
    request_allocation();
  // The agents learn the new connection and resend pending updates at once
  // (UpdateFrameworkMessage → TaskStatusUpdateManager::resume).
  resume_updates(fw->id.value);
  return r;
}

framework_rec&
master_core::recover_framework(const protocol::FrameworkInfo& info) {
  auto fw = std::make_unique<framework_rec>();
  fw->id = *info.id;
  fw->info = info;
  fw->roles = roles_of(info);
  fw->recovered = true;
  fw->registered_time = now;
  auto& ref = *fw;
  frameworks.emplace(fw->id.value, std::move(fw));
  return ref;
}

void master_core::connect(framework_rec& fw, stream_id stream,
                          const std::string& uuid) {
  fw.connected = true;
  fw.active = true;
  fw.stream = stream;
  fw.stream_uuid = uuid;
  streams[stream] = fw.id.value;
  timers.cancel(fw.failover);
  fw.failover = 0;
  protocol::Event e;
  e.type = protocol::event_type::subscribed;
  e.subscribed = protocol::Subscribed{
    fw.id, std::chrono::duration<double>(config.heartbeat_interval).count(),
    info};
  emit(fw, e);
  // The heartbeater starts with no initial delay (src/common/
  // heartbeater.hpp:61-85): HEARTBEAT right after SUBSCRIBED.
  timers.cancel(fw.heartbeat);
  fw.heartbeat = 0;
  heartbeat(fw.id.value);
}

void master_core::heartbeat(const std::string& framework) {
  auto* fw = find_framework(framework);
  if (fw == nullptr || !fw->connected)
    return;
  if (!heartbeats_paused) {
    protocol::Event e;
    e.type = protocol::event_type::heartbeat;
    emit(*fw, e);
  }
  fw->heartbeat = timers.schedule(now + config.heartbeat_interval,
                                  [this, framework] { heartbeat(framework); });
}

void master_core::apply_update(framework_rec& fw,
                               const protocol::FrameworkInfo& info,
                               std::set<std::string> suppressed) {
  auto new_roles = roles_of(info);
  auto old_roles = set_of(fw.roles);
  auto wanted = set_of(new_roles);
  // Offers of roles the framework leaves are rescinded (:7517-7521).
  auto outstanding = fw.offers;
  for (auto& id : outstanding) {
    auto it = offers.find(id);
    if (it != offers.end() && wanted.count(it->second.role) == 0)
      remove_offer(id, true, std::nullopt);
  }
  for (auto& role : old_roles)
    if (wanted.count(role) == 0) {
      fw.filters.erase(role);
      fw.suppressed.erase(role);
    }
  auto was_suppressed = fw.suppressed;
  fw.info = info;
  fw.roles = new_roles;
  // Roles no longer suppressed are revived, which clears their filters.
  std::set<std::string> revived;
  for (auto& role : was_suppressed)
    if (suppressed.count(role) == 0 && wanted.count(role) != 0)
      revived.insert(role);
  fw.suppressed = std::move(suppressed);
  for (auto& role : revived)
    fw.filters.erase(role);
  wake_allocator();
}

void master_core::disconnect(framework_rec& fw) {
  fw.connected = false;
  fw.active = false;
  timers.cancel(fw.heartbeat);
  fw.heartbeat = 0;
  // Offers are rescinded; the RESCIND goes to a closed stream (design.md §M9).
  auto outstanding = fw.offers;
  for (auto& id : outstanding)
    remove_offer(id, true, std::nullopt);
  auto timeout = fw.info.failover_timeout.value_or(0);
  if (timeout <= 0) {
    // failover_timeout 0 (the Mesos default): removed at once (obs 70-75).
    remove_framework(fw);
    return;
  }
  auto id = fw.id.value;
  fw.failover =
    timers.schedule(now + std::chrono::duration_cast<sim_clock::duration>(
                            std::chrono::duration<double>(timeout)),
                    [this, id] {
                      auto* f = find_framework(id);
                      if (f != nullptr && !f->connected) {
                        f->failover = 0;
                        remove_framework(*f);
                      }
                    });
}

void master_core::remove_framework(framework_rec& fw) {
  auto id = fw.id.value;
  if (fw.connected && fw.stream)
    end_stream(*fw.stream); // TEARDOWN: `0\r\n\r\n`, no event (design.md §M10)
  fw.connected = fw.active = false;
  timers.cancel(fw.heartbeat);
  timers.cancel(fw.failover);
  fw.heartbeat = fw.failover = 0;
  auto outstanding = fw.offers;
  for (auto& offer : outstanding)
    remove_offer(offer, false, std::nullopt);

  // Tasks end TASK_KILLED in the master's state only; no UPDATE is sent.
  auto message = "Framework " + id + " removed";
  auto active = fw.tasks;
  for (auto& task_id : active) {
    auto it = tasks.find(task_key(id, task_id));
    if (it == tasks.end())
      continue;
    auto& t = it->second;
    t.view.state = task_state::killed;
    t.view.statuses.push_back({task_state::killed, now_seconds(), false});
    release_resources(t);
    complete_task(fw, t);
  }
  for (auto& [task_id, view] : fw.unreachable) {
    view.state = task_state::killed;
    view.statuses.push_back({task_state::killed, now_seconds(), false});
    fw.completed.push_back(view);
  }
  fw.unreachable.clear();
  // ShutdownFrameworkMessage to every agent: the executors are killed and
  // the agent forgets the framework's tasks and pending updates.
  for (auto* a : agent_order) {
    if (a->frameworks.erase(id) == 0)
      continue;
    if (a->runtime != nullptr)
      a->runtime->shutdown_framework(a->id, fw.id);
    std::vector<std::string> doomed;
    for (auto& key : a->task_keys)
      if (key.compare(0, id.size() + 1, id + '\x1f') == 0)
        doomed.push_back(key);
    for (auto& key : doomed) {
      auto it = tasks.find(key);
      if (it != tasks.end())
        release_resources(it->second);
      erase_task(key);
    }
    std::erase_if(a->executors,
                  [&](auto& kv) { return kv.second.framework == fw.id; });
  }
  while (fw.completed.size() > config.max_completed_tasks_per_framework)
    fw.completed.pop_front();
  fw.unregistered_time = now;
  auto node = frameworks.extract(id);
  completed_frameworks.push_back(std::move(node.mapped()));
  while (completed_frameworks.size() > config.max_completed_frameworks)
    completed_frameworks.pop_front();
}

http_response master_core::update_framework(framework_rec& fw,
                                            protocol::Subscribe& u) {
  auto& info = u.framework_info;
  if (auto e = validate_framework(info))
    return text(400, "Supplied FrameworkInfo is not valid: " + *e);
  if (auto e = validate_update(fw.info, info))
    return text(400, "FrameworkInfo update is not valid: " + *e);
  auto suppressed = set_of(u.suppressed_roles);
  if (auto e = invalid_suppressed(roles_of(info), suppressed))
    return text(400, "'UpdateFramework' call is not valid: " + *e);
  apply_update(fw, info, std::move(suppressed));
  http_response ok; // 200, Content-Length: 0, no Content-Type (obs 2/25)
  return ok;
}

framework_rec* master_core::find_framework(const std::string& id) {
  auto it = frameworks.find(id);
  return it == frameworks.end() ? nullptr : it->second.get();
}

bool master_core::is_completed(const std::string& id) const {
  for (auto& fw : completed_frameworks)
    if (fw->id.value == id)
      return true;
  return false;
}

void master_core::resume_updates(const std::string& framework) {
  auto* fw = find_framework(framework);
  if (fw == nullptr)
    return;
  auto ids = fw->tasks;
  for (auto& task_id : ids) {
    auto key = task_key(framework, task_id);
    auto it = tasks.find(key);
    if (it != tasks.end() && !it->second.pending.empty())
      send_head(key, true);
  }
}

} // namespace outrigger::sim::detail
