#include "actors/zk_detector/zk_detector_state.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"

#include <zookeeper/zookeeper.h>

namespace outrigger::zk {

namespace {

constexpr std::string_view component = "zk_detector";

} // namespace

// -- detector_state -----------------------------------------------------------

zk_effects detector_state::on_session_opened(bool ok) {
  zk_effects out;
  connected_ = false;
  reading_.clear();
  if (!ok) {
    log::warn(component, "cannot create a ZooKeeper session",
              {{"hosts", cfg_.hosts}});
    schedule(retry_kind::session, out);
  }
  return out;
}

zk_effects detector_state::on_state(std::int32_t state) {
  zk_effects out;
  if (state == ZOO_CONNECTED_STATE) {
    if (!connected_)
      log::info(component, "connected to ZooKeeper", {{"hosts", cfg_.hosts}});
    connected_ = true;
    // Watches survive a reconnect within the session, but a change may have
    // been missed meanwhile: read again (also re-arms the watch).
    out.emplace_back(zkfx::read_children{});
  } else if (state == ZOO_EXPIRED_SESSION_STATE ||
             state == ZOO_AUTH_FAILED_STATE) {
    connected_ = false;
    if (state == ZOO_AUTH_FAILED_STATE)
      log::error(component, "ZooKeeper authentication failed");
    else
      log::warn(component, "ZooKeeper session expired; creating a new one");
    // The session and its watches are gone: the leader is unknown until the
    // new session has read the group again.
    set_leader({}, out);
    out.emplace_back(zkfx::new_session{});
  } else if (state == ZOO_CONNECTING_STATE) {
    if (connected_)
      log::warn(component, "ZooKeeper connection lost; reconnecting",
                {{"hosts", cfg_.hosts}});
    connected_ = false; // the client reconnects by itself, same session
  }
  return out;
}

zk_effects detector_state::on_watch(std::int32_t type,
                                    const std::string& path) {
  zk_effects out;
  if (path != cfg_.path)
    return out;
  if (type == ZOO_CHILD_EVENT || type == ZOO_CREATED_EVENT ||
      type == ZOO_DELETED_EVENT)
    out.emplace_back(zkfx::read_children{});
  return out;
}

zk_effects detector_state::on_children(std::int32_t rc,
                                       const std::vector<std::string>& names) {
  zk_effects out;
  if (rc == ZNONODE) {
    log::warn(component, "the masters' group node does not exist (yet)",
              {{"path", cfg_.path}});
    set_leader({}, out);
    out.emplace_back(zkfx::watch_exists{});
    return out;
  }
  if (rc != ZOK) {
    log::warn(component, "cannot list the masters",
              {{"path", cfg_.path}, {"rc", zerror(rc)}});
    schedule(retry_kind::read, out);
    return out;
  }
  auto node = leader_node(names);
  if (!node) {
    reading_.clear();
    set_leader({}, out);
    return out;
  }
  if (*node == leader_.node || *node == reading_)
    return out; // ephemeral nodes never change their data
  reading_ = *node;
  out.emplace_back(zkfx::read_node{*node});
  return out;
}

zk_effects detector_state::on_node(std::int32_t rc, const std::string& name,
                                   const std::string& data) {
  zk_effects out;
  if (name != reading_)
    return out; // superseded by a newer listing
  reading_.clear();
  if (rc == ZNONODE) {
    out.emplace_back(zkfx::read_children{}); // the leader went away meanwhile
    return out;
  }
  if (rc != ZOK) {
    schedule(retry_kind::read, out);
    return out;
  }
  auto leader = leader_from_master_info(data, name, cfg_.tls, cfg_.prefer_ip);
  if (!leader) {
    log::error(component, "cannot use the leader's MasterInfo",
               {{"error", leader.error()}});
    schedule(retry_kind::read, out);
    return out;
  }
  set_leader(std::move(*leader), out);
  return out;
}

zk_effects detector_state::on_exists(std::int32_t rc) {
  zk_effects out;
  if (rc == ZOK)
    out.emplace_back(zkfx::read_children{}); // created meanwhile
  else if (rc != ZNONODE)
    schedule(retry_kind::read, out);
  return out;
}

zk_effects detector_state::on_retry(std::uint64_t token) {
  zk_effects out;
  if (token != retry_token_)
    return out;
  auto kind = retry_;
  retry_ = retry_kind::none;
  if (kind == retry_kind::session)
    out.emplace_back(zkfx::new_session{});
  else if (kind == retry_kind::read && connected_)
    out.emplace_back(zkfx::read_children{});
  return out;
}

void detector_state::set_leader(leader_info leader, zk_effects& out) {
  if (leader.url == leader_.url && leader.node == leader_.node)
    return;
  if (leader.url.empty())
    log::warn(component, "no leading master", {{"path", cfg_.path}});
  else
    log::info(component, "leading master",
              {{"url", leader.url},
               {"node", leader.node},
               {"master_id", leader.master_id}});
  leader_ = std::move(leader);
  out.emplace_back(zkfx::notify{leader_});
}

void detector_state::schedule(retry_kind kind, zk_effects& out) {
  // A session re-creation outranks a pending re-read.
  if (retry_ == retry_kind::session && kind == retry_kind::read)
    return;
  retry_ = kind;
  out.emplace_back(zkfx::retry_later{cfg_.retry_delay, ++retry_token_});
}

} // namespace outrigger::zk
