#include "actors/master_link/master_link.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/master_link_state.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

namespace outrigger::link {

namespace {

/// The actor's state: the decisions live in `link`; the rest is plumbing.
struct actor_state {
  static inline const char* name = "master_link";
  std::unique_ptr<link_state> link;
  transport_ptr net;
  framework_id_store_actor store;
  leader_source_actor leaders;
  caf::timespan store_timeout{};
  std::map<std::uint64_t, caf::typed_response_promise<call_outcome>> promises;
  std::vector<std::pair<link_listener_actor, std::uint32_t>> listeners;
  std::uint64_t next_call_id = 1;
};

using self_ptr = master_link_actor::stateful_pointer<actor_state>;

void run(self_ptr self, effects fx, bool allow_quit = true);

// Carries out one effect.
struct executor {
  self_ptr self;
  bool allow_quit;

  void operator()(const fx::load_id&) const {
    auto s = self;
    self->request(self->state.store, self->state.store_timeout, atom::load_v)
      .then(
        [s](const std::string& id) { run(s, s->state.link->on_id_loaded(id)); },
        [s](caf::error& err) {
          run(s, s->state.link->on_id_loaded(std::move(err)));
        });
  }
  void operator()(const fx::open_stream& x) const {
    self->state.net->open_stream(x.gen, x.url, x.body);
  }
  void operator()(const fx::close_stream& x) const {
    self->state.net->close_stream(x.gen);
  }
  void operator()(const fx::persist_id& x) const {
    auto s = self;
    auto gen = x.gen;
    self
      ->request(self->state.store, self->state.store_timeout, atom::store_v,
                x.id)
      .then([s, gen]() { run(s, s->state.link->on_persisted(gen, {})); },
            [s, gen](caf::error& err) {
              run(s, s->state.link->on_persisted(gen, err));
            });
  }
  void operator()(const fx::erase_id&) const {
    auto s = self;
    self->request(self->state.store, self->state.store_timeout, atom::erase_v)
      .then([s]() { run(s, s->state.link->on_erased({})); },
            [s](caf::error& err) { run(s, s->state.link->on_erased(err)); });
  }
  void operator()(const fx::start_timer& x) const {
    switch (x.kind) {
      case timer::retry:
        self->delayed_send(self, x.delay, atom::retry_v, x.token);
        break;
      case timer::subscribe_timeout:
        self->delayed_send(self, x.delay, atom::sub_timeout_v, x.token);
        break;
      case timer::heartbeat:
        self->delayed_send(self, x.delay, atom::hb_tick_v, x.token);
        break;
      case timer::call_timeout:
        self->delayed_send(self, x.delay, atom::call_timeout_v, x.token);
        break;
    }
  }
  void operator()(const fx::send_call& x) const {
    self->state.net->send_call(x.id, x.url, x.stream_id, x.body);
  }
  void operator()(const fx::send_acks& x) const {
    self->state.net->send_acks(x.url, x.stream_id, x.calls);
  }
  void operator()(const fx::cancel_call& x) const {
    self->state.net->cancel_call(x.id);
  }
  void operator()(const fx::reply_call& x) const {
    auto i = self->state.promises.find(x.id);
    if (i == self->state.promises.end())
      return;
    auto promise = std::move(i->second);
    self->state.promises.erase(i);
    if (x.result)
      promise.deliver(*x.result);
    else
      promise.deliver(x.result.error());
  }
  void operator()(const fx::notify_up& x) const {
    for (auto& [l, mask] : self->state.listeners)
      self->send(l, atom::link_up_v, x.sub);
  }
  void operator()(const fx::notify_down& x) const {
    for (auto& [l, mask] : self->state.listeners)
      self->send(l, atom::link_down_v, x.reason);
  }
  void operator()(const fx::notify_removed& x) const {
    for (auto& [l, mask] : self->state.listeners)
      self->send(l, atom::fw_removed_v, x.info);
  }
  void operator()(const fx::forward_event& x) const {
    auto type = x.event->type.value_or(protocol::event_type::unknown);
    auto bit = event_bit(type);
    for (auto& [l, mask] : self->state.listeners)
      if (mask & bit)
        self->send(l, atom::event_v, x.event);
  }
  void operator()(const fx::quit& x) const {
    if (!allow_quit)
      return;
    self->state.net->shutdown();
    self->quit(x.reason);
  }
};

void run(self_ptr self, effects fx, bool allow_quit) {
  executor exec{self, allow_quit};
  for (auto& e : fx)
    std::visit(exec, e);
}

master_link_actor::behavior_type
master_link(self_ptr self, link_config cfg, master_addresses addrs,
            framework_id_store_actor store, transport_factory make_transport,
            leader_source_actor leaders, std::vector<link_subscriber> subs) {
  auto& st = self->state;
  for (auto& x : subs) {
    if (!x.listener)
      continue;
    self->monitor(x.listener);
    st.listeners.emplace_back(x.listener, x.mask);
  }
  st.store = std::move(store);
  st.leaders = std::move(leaders);
  st.store_timeout = cfg.subscribe_timeout;
  bool zk = addrs.zk.has_value();
  st.link = std::make_unique<link_state>(
    std::move(cfg), std::move(addrs), [self] { return self->clock().now(); });
  st.net = make_transport(caf::actor_cast<link_transport_sink_actor>(self));
  self->monitor(st.store);
  if (zk) {
    self->monitor(st.leaders);
    self->send(st.leaders, atom::subscribe_v,
               caf::actor_cast<leader_listener_actor>(self));
  }
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& st = self->state;
    bool from_store = st.store && msg.source == st.store.address();
    bool from_leaders = st.leaders && msg.source == st.leaders.address();
    if (from_store || from_leaders) {
      auto what = from_store ? "framework id store" : "leader detector";
      log::error("master_link", "a dependency stopped",
                 {{"actor", what}, {"reason", msg.reason}});
      auto fx = st.link->disconnect();
      run(self, std::move(fx), false);
      st.net->shutdown();
      // A dependency that failed (the journal's disk full, ZooKeeper gone)
      // is a failure of the service: exit status 1, the supervisor restarts
      // it. Only one stopped on purpose stops the link as a normal stop.
      auto code = exit_status(msg.reason) == 0 ? ec::stopped
                  : from_store                 ? ec::store_failed
                                               : ec::zookeeper_error;
      self->quit(caf::make_error(code, std::string{"the "} + what +
                                         " stopped: " + describe(msg.reason)));
      return;
    }
    auto& ls = st.listeners;
    ls.erase(
      std::remove_if(ls.begin(), ls.end(),
                     [&](auto& x) { return x.first.address() == msg.source; }),
      ls.end());
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    run(self, self->state.link->disconnect(), false);
    self->state.net->shutdown();
    self->quit(msg.reason);
  });
  run(self, st.link->start());
  return {
    [self](atom::call, protocol::Call call) {
      auto& st = self->state;
      auto id = st.next_call_id++;
      auto promise = self->make_response_promise<call_outcome>();
      st.promises.emplace(id, promise);
      run(self, st.link->on_call(id, std::move(call)));
      return promise;
    },
    [self](atom::acks, const encoded_calls_ptr& calls) {
      run(self, self->state.link->on_acks(calls));
    },
    [self](atom::acks_done, const ack_outcome& outcome) {
      self->state.link->on_acks_done(outcome);
    },
    [self](atom::subscribe, link_listener_actor l, std::uint32_t mask) {
      auto& st = self->state;
      if (!l)
        return;
      auto same = [&](auto& x) { return x.first == l; };
      auto i = std::find_if(st.listeners.begin(), st.listeners.end(), same);
      if (i != st.listeners.end()) {
        i->second = mask; // subscribing again changes the mask
        return;
      }
      self->monitor(l);
      st.listeners.emplace_back(l, mask);
      if (auto sub = st.link->current_subscription())
        self->send(l, atom::link_up_v, *sub);
    },
    [self](atom::leader, const leader_info& leader) {
      run(self, self->state.link->on_leader(leader));
    },
    [self](atom::metrics) { return self->state.link->metrics(); },
    [self](atom::disconnect) { run(self, self->state.link->disconnect()); },
    [self](atom::teardown) {
      auto& st = self->state;
      auto id = st.next_call_id++;
      auto promise = self->make_response_promise<call_outcome>();
      st.promises.emplace(id, promise);
      run(self, st.link->teardown(id));
      return promise;
    },
    [self](atom::retry, std::uint64_t token) {
      run(self, self->state.link->on_timer(timer::retry, token));
    },
    [self](atom::sub_timeout, std::uint64_t token) {
      run(self, self->state.link->on_timer(timer::subscribe_timeout, token));
    },
    [self](atom::hb_tick, std::uint64_t token) {
      run(self, self->state.link->on_timer(timer::heartbeat, token));
    },
    [self](atom::call_timeout, std::uint64_t token) {
      run(self, self->state.link->on_timer(timer::call_timeout, token));
    },
    [self](atom::stream_hd, const stream_head& head) {
      run(self, self->state.link->on_stream_head(head));
    },
    [self](atom::stream_ev, std::uint64_t gen, event_ptr event) {
      run(self, self->state.link->on_stream_event(gen, std::move(event)));
    },
    [self](atom::stream_end, const stream_closed& closed) {
      run(self, self->state.link->on_stream_closed(closed));
    },
    [self](atom::call_done, const call_result& result) {
      run(self, self->state.link->on_call_result(result));
    },
  };
}

} // namespace

caf::expected<master_link_actor>
spawn_master_link(caf::actor_system& sys, link_config cfg,
                  framework_id_store_actor store,
                  transport_factory make_transport, leader_source_actor leaders,
                  std::vector<link_subscriber> listeners) {
  if (auto err = validate(cfg))
    return err;
  auto addrs = parse_master_addresses(cfg.master, cfg.https);
  if (!addrs)
    return addrs.error();
  if (!store)
    return caf::make_error(ec::bad_config, "no framework id store");
  if (!make_transport)
    return caf::make_error(ec::bad_config, "no transport");
  if (addrs->zk && !leaders)
    return caf::make_error(ec::bad_config,
                           "a zk:// master needs a leader detector");
  return sys.spawn(master_link, std::move(cfg), std::move(*addrs),
                   std::move(store), std::move(make_transport),
                   std::move(leaders), std::move(listeners));
}

} // namespace outrigger::link
