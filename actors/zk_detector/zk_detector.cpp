#include "actors/zk_detector/zk_detector.hpp"

#include "actors/log.hpp"
#include "actors/zk_detector/zk_client.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace outrigger::zk {

namespace {

struct actor_state {
  static inline const char* name = "zk_detector";
  std::unique_ptr<detector_state> logic;
  std::unique_ptr<zk_client> client;
  std::uint64_t session = 0;
  std::vector<leader_listener_actor> listeners;
};

using self_ptr = zk_detector_actor::stateful_pointer<actor_state>;

void run(self_ptr self, zk_effects fx);

// Opens a new session; results of the old one are ignored from now on.
void open_session(self_ptr self) {
  auto& st = self->state;
  st.client.reset(); // closes the old session first
  auto& cfg = st.logic->config();
  auto timeout =
    std::chrono::duration_cast<std::chrono::milliseconds>(cfg.session_timeout);
  st.client =
    std::make_unique<zk_client>(caf::actor_cast<zk_sink_actor>(self),
                                ++st.session, cfg.hosts, timeout, cfg.digest);
  run(self, st.logic->on_session_opened(st.client->ok()));
}

struct executor {
  self_ptr self;
  void operator()(const zkfx::read_children&) const {
    self->state.client->get_children(self->state.logic->config().path);
  }
  void operator()(const zkfx::read_node& x) const {
    self->state.client->get_data(self->state.logic->config().path, x.name);
  }
  void operator()(const zkfx::watch_exists&) const {
    self->state.client->watch_exists(self->state.logic->config().path);
  }
  void operator()(const zkfx::notify& x) const {
    for (auto& l : self->state.listeners)
      self->send(l, atom::leader_v, x.leader);
  }
  void operator()(const zkfx::new_session&) const { open_session(self); }
  void operator()(const zkfx::retry_later& x) const {
    self->delayed_send(self, x.delay, atom::zk_retry_v, x.token);
  }
};

void run(self_ptr self, zk_effects fx) {
  for (auto& e : fx)
    std::visit(executor{self}, e);
}

zk_detector_actor::behavior_type zk_detector(self_ptr self, zk_config cfg) {
  self->state.logic = std::make_unique<detector_state>(std::move(cfg));
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& ls = self->state.listeners;
    ls.erase(std::remove_if(ls.begin(), ls.end(),
                            [&](auto& l) { return l.address() == msg.source; }),
             ls.end());
  });
  open_session(self);
  return {
    [self](atom::subscribe, leader_listener_actor l) {
      if (!l)
        return;
      self->monitor(l);
      self->state.listeners.push_back(l);
      self->send(l, atom::leader_v, self->state.logic->leader());
    },
    [self](atom::leader) { return self->state.logic->leader(); },
    [self](atom::zk_state, std::uint64_t session, std::int32_t state) {
      auto& st = self->state;
      if (session != st.session)
        return;
      run(self, st.logic->on_state(state));
      auto& observer = st.logic->config().on_session;
      if (observer && st.client && st.logic->connected())
        if (auto s = st.client->session())
          observer(s->first, s->second);
    },
    [self](atom::zk_watch, std::uint64_t session, std::int32_t type,
           const std::string& path) {
      if (session == self->state.session)
        run(self, self->state.logic->on_watch(type, path));
    },
    [self](atom::zk_kids, const zk_children& x) {
      if (x.session == self->state.session)
        run(self, self->state.logic->on_children(x.rc, x.names));
    },
    [self](atom::zk_data, const zk_node& x) {
      if (x.session == self->state.session)
        run(self, self->state.logic->on_node(x.rc, x.name, x.data));
    },
    [self](atom::zk_exists, std::uint64_t session, std::int32_t rc) {
      if (session == self->state.session)
        run(self, self->state.logic->on_exists(rc));
    },
    [self](atom::zk_retry, std::uint64_t token) {
      run(self, self->state.logic->on_retry(token));
    },
  };
}

} // namespace

zk_detector_actor spawn_zk_detector(caf::actor_system& sys, zk_config cfg) {
  return sys.spawn<caf::detached>(zk_detector, std::move(cfg));
}

} // namespace outrigger::zk
