#pragma once
// Simulated Mesos masters on loopback for the integration tests, and the
// service side under test: master_link (and zk_detector) with the real HTTP
// transport, a memory framework id store and a recording listener, on CAF's
// threaded scheduler. Waits are bounded and for outcomes only.

#include "actors/error.hpp"
#include "actors/master_link/http_transport.hpp"
#include "actors/master_link/master_link.hpp"
#include "actors/zk_detector/zk_detector.hpp"
#include "sim/io_thread.hpp"
#include "sim/master.hpp"
#include "sim/server.hpp"
#include "sim/zk_contender.hpp"
#include "tests/actors/memory_id_store.hpp"
#include "tests/actors/recording_listener.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace outrigger::test {

using namespace std::chrono_literals;

/// A master configuration with short intervals, so tests run quickly.
inline sim::master_config fast_master(std::uint64_t seed = 1) {
  sim::master_config c;
  c.hostname = "127.0.0.1";
  c.seed = seed;
  c.heartbeat_interval = 200ms;
  c.allocation_interval = 50ms;
  return c;
}

/// One simulated master served on 127.0.0.1 by its own I/O thread.
struct sim_master {
  sim::io_thread io;
  std::unique_ptr<sim::master> master;
  std::unique_ptr<sim::server> server;
  std::unique_ptr<sim::zk_contender> contender;
  std::uint16_t port = 0;
  protocol::MasterInfo info; ///< with the port actually bound

  explicit sim_master(sim::master_config cfg = fast_master(),
                      std::optional<sim::tls_files> tls = {}) {
    io.call([&] {
      master = std::make_unique<sim::master>(cfg);
      sim::server_options opts;
      opts.tls = std::move(tls);
      server = std::make_unique<sim::server>(io.context(), *master, opts);
      port = server->start();
      info = master->info();
      info.port = port;
      if (info.address)
        info.address->port = static_cast<std::int32_t>(port);
    });
  }

  ~sim_master() {
    contender.reset();
    io.call([&] {
      server.reset();
      master.reset();
    });
  }

  /// "http://127.0.0.1:<port>".
  std::string origin(bool tls = false) const {
    return std::string{tls ? "https" : "http"} +
           "://127.0.0.1:" + std::to_string(port);
  }

  /// Runs `f(master)` on the master's thread and flushes its output.
  template <class F>
  auto with(F f) {
    using result = decltype(f(*master));
    if constexpr (std::is_void_v<result>) {
      io.call([&] {
        f(*master);
        server->poke();
      });
    } else {
      std::optional<result> out;
      io.call([&] {
        out = f(*master);
        server->poke();
      });
      return *out;
    }
  }

  /// Runs `f(server)` on the master's thread.
  void with_server(std::function<void(sim::server&)> f) {
    io.call([&] { f(*server); });
  }

  /// Registers in ZooKeeper and follows its verdict on who leads.
  void contend(const std::string& zk_servers) {
    with([](sim::master& m) { m.set_no_leader(); });
    sim::zk_contender_options opts;
    opts.servers = zk_servers;
    opts.path = "/mesos";
    opts.session_timeout = 4000ms;
    contender = std::make_unique<sim::zk_contender>(
      opts, info, [this](std::function<void()> fn) { io.post(std::move(fn)); },
      [this](const std::optional<sim::zk_leader>& l) {
        if (!master)
          return;
        if (!l || !l->info)
          master->set_no_leader();
        else if (l->self)
          master->set_leader_self();
        else
          master->set_leader(*l->info);
        server->poke();
      });
  }

  /// The master process dies: its ZooKeeper node goes, connections drop.
  void die() {
    contender.reset();
    with_server([](sim::server& s) { s.close_all(); });
  }
};

/// The service side: link (+ detector), store, listener.
struct service {
  sim::io_thread io; // the link's HTTP transport runs here
  caf::actor_system_config cfg;
  caf::actor_system sys{init(cfg)};
  caf::scoped_actor self{sys};
  std::shared_ptr<memory_id_store_data> store_data =
    std::make_shared<memory_id_store_data>();
  std::shared_ptr<heard> ears = std::make_shared<heard>();
  std::optional<master_link_actor> link;
  std::vector<caf::actor> others;

  static caf::actor_system_config& init(caf::actor_system_config& c) {
    add_error_category(c);
    return c;
  }

  // ~actor_system waits for every actor: stop them all, the link first.
  ~service() {
    if (link)
      caf::anon_send_exit(*link, caf::exit_reason::user_shutdown);
    for (auto i = others.rbegin(); i != others.rend(); ++i)
      caf::anon_send_exit(*i, caf::exit_reason::user_shutdown);
  }

  /// A link configuration with short delays.
  static link::link_config config(std::string master) {
    link::link_config c;
    c.master = std::move(master);
    c.framework = link::default_framework_info("outrigger-it", "root");
    c.backoff.floor = 50ms;
    c.backoff.cap = 300ms;
    c.backoff.max_reconnect = 20;
    c.subscribe_timeout = 5s;
    c.max_missed_heartbeats = 3;
    return c;
  }

  /// A ZooKeeper detector for the link (zk:// configurations).
  leader_source_actor detector(zk::zk_config zc) {
    auto d = zk::spawn_zk_detector(sys, std::move(zc));
    others.push_back(caf::actor_cast<caf::actor>(d));
    return d;
  }

  void start(link::link_config c, std::string stored = "",
             link::http_transport_config http = {},
             leader_source_actor leaders = {}) {
    store_data->id = std::move(stored);
    auto factory = link::make_http_transport(io.context(), std::move(http));
    REQUIRE(factory);
    auto store = spawn_memory_id_store(sys, store_data);
    others.push_back(caf::actor_cast<caf::actor>(store));
    // Registered at spawn: a listener added later could miss the first
    // events (they can arrive before its subscription).
    auto ear = sys.spawn(recording_listener, ears);
    others.push_back(caf::actor_cast<caf::actor>(ear));
    auto l = link::spawn_master_link(sys, std::move(c), store, *factory,
                                     std::move(leaders),
                                     {{ear, all_but_heartbeats}});
    REQUIRE(l);
    link = *l;
    self->monitor(*link);
  }

  link_metrics metrics() {
    link_metrics out;
    self->request(*link, 10s, atom::metrics_v)
      .receive([&](const link_metrics& m) { out = m; },
               [&](caf::error& err) { FAIL(describe(err)); });
    return out;
  }

  /// Polls the link's metrics until `pred` holds; false after 20 s.
  bool wait_metrics(std::function<bool(const link_metrics&)> pred,
                    std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred(metrics()))
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  /// The link's exit reason (fails when it does not stop within 20 s).
  caf::error wait_down() {
    std::optional<caf::error> reason;
    self->receive([&](caf::down_msg& m) { reason = m.reason; },
                  caf::after(std::chrono::seconds(20)) >> [] {});
    REQUIRE_MESSAGE(reason, "the link did not stop within 20 s");
    link.reset();
    return *reason;
  }
};

/// Polls `pred` until it holds; false after `timeout`.
inline bool eventually(std::function<bool()> pred,
                       std::chrono::milliseconds timeout = 20s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

} // namespace outrigger::test
