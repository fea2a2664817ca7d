#pragma once
// The fixture of the master_link socket tests: the actor with the Beast
// transport against fake masters on loopback, on CAF's threaded scheduler.

#include "actors/error.hpp"
#include "actors/master_link/http_transport.hpp"
#include "actors/master_link/master_link.hpp"
#include "fake_master.hpp"
#include "recording_listener.hpp"
#include "tests/actors/memory_id_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <doctest/doctest.h>

#include <optional>

namespace outrigger::test {

using namespace std::chrono_literals;

inline std::string subscribed(const std::string& id, double heartbeat = 15.0) {
  return R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":")" +
         id + R"("},"heartbeat_interval_seconds":)" +
         std::to_string(heartbeat) + "}}";
}

inline const std::string offers =
  R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"o1"},)"
  R"("framework_id":{"value":"fw-1"},"agent_id":{"value":"a1"},)"
  R"("hostname":"agent1"}]}})";

struct socket_fixture {
  io_thread io;
  caf::actor_system_config cfg;
  caf::actor_system sys{init(cfg)};
  caf::scoped_actor self{sys};
  std::shared_ptr<memory_id_store_data> store_data =
    std::make_shared<memory_id_store_data>();
  std::shared_ptr<heard> ears = std::make_shared<heard>();
  std::optional<master_link_actor> link;
  std::vector<caf::actor> others; // store and listener

  static caf::actor_system_config& init(caf::actor_system_config& c) {
    add_error_category(c);
    return c;
  }

  // ~actor_system waits for every actor: stop them all, the link first.
  ~socket_fixture() {
    if (link)
      caf::anon_send_exit(*link, caf::exit_reason::user_shutdown);
    for (auto& a : others)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  link::link_config config(std::string master) {
    link::link_config c;
    c.master = std::move(master);
    c.framework = link::default_framework_info("outrigger-test", "root");
    c.backoff.floor = 20ms;
    c.backoff.cap = 100ms;
    c.backoff.max_reconnect = 5;
    c.subscribe_timeout = 5s;
    return c;
  }

  void start(link::link_config c, std::string stored = "",
             link::http_transport_config http = {}) {
    store_data->id = std::move(stored);
    auto factory = link::make_http_transport(io.context(), std::move(http));
    REQUIRE(factory);
    auto store = spawn_memory_id_store(sys, store_data);
    auto ear = sys.spawn(recording_listener, ears);
    others.push_back(caf::actor_cast<caf::actor>(store));
    others.push_back(caf::actor_cast<caf::actor>(ear));
    auto l = link::spawn_master_link(sys, std::move(c), store, *factory, {},
                                     {{ear, all_but_heartbeats}});
    REQUIRE(l);
    link = *l;
    self->monitor(*link);
  }

  /// The link's exit reason (fails when it does not stop within 10 s).
  caf::error wait_down() {
    std::optional<caf::error> reason;
    self->receive([&](caf::down_msg& m) { reason = m.reason; },
                  caf::after(std::chrono::seconds(10)) >> [] {});
    REQUIRE_MESSAGE(reason, "the link did not stop within 10 s");
    link.reset();
    return *reason;
  }

  link_metrics metrics() {
    link_metrics out;
    self->request(*link, 10s, atom::metrics_v)
      .receive([&](const link_metrics& m) { out = m; },
               [&](caf::error& err) { FAIL(describe(err)); });
    return out;
  }
};

} // namespace outrigger::test
