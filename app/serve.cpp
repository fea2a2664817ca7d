#include "app/serve.hpp"

#include "actors/credentials.hpp"
#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/http_transport.hpp"
#include "actors/master_link/master_address.hpp"
#include "actors/master_link/master_link.hpp"
#include "actors/offer_matcher/offer_matcher_actor.hpp"
#include "actors/store/journal.hpp"
#include "actors/task_book/task_book_actor.hpp"
#include "actors/zk_detector/zk_detector.hpp"
#include "app/api.hpp"
#include "app/dev_cluster.hpp"
#include "app/http_server.hpp"
#include "app/metrics.hpp"
#include "app/service_config.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <pwd.h>
#include <thread>
#include <unistd.h>

namespace outrigger::app {

namespace {

using namespace std::chrono_literals;

caf::timespan secs(double s) {
  return std::chrono::duration_cast<caf::timespan>(
    std::chrono::duration<double>(s));
}

// Polls the actors' counters into the Prometheus registry every second.
void spawn_metrics_poller(caf::actor_system& sys, master_link_actor link,
                          task_book_actor book, offer_matcher_actor matcher,
                          std::shared_ptr<service_metrics> metrics,
                          unsigned budget) {
  sys.spawn([=](caf::event_based_actor* self) -> caf::behavior {
    self->link_to(book); // stops with the book
    self->send(self, atom::tick_v, std::uint64_t{0});
    return {
      [=](atom::tick, std::uint64_t) {
        self->request(link, 5s, atom::metrics_v)
          .then([=](const link_metrics& m) { metrics->update(m, budget); },
                [](caf::error&) {});
        self->request(book, 5s, atom::metrics_v)
          .then([=](const book_metrics& m) { metrics->update(m); },
                [](caf::error&) {});
        self->request(matcher, 5s, atom::metrics_v)
          .then([=](const matcher_metrics& m) { metrics->update(m); },
                [](caf::error&) {});
        self->delayed_send(self, 1s, atom::tick_v, std::uint64_t{0});
      },
    };
  });
}

} // namespace

int run_serve(serve_settings s, const std::string& version) {
  log::level lvl{};
  log::parse_level(s.log_level, lvl);
  log::set_level(lvl);
  log::set_format(s.log_format == "json" ? log::format::json
                                         : log::format::text);
  if (auto problem = validate(s); !problem.empty()) {
    log::error("outrigger", "invalid configuration", {{"error", problem}});
    return 4;
  }
  // -- secrets: files or the environment only ------------------------------
  auto secrets = load_secrets(s);
  if (!secrets) {
    log::error("outrigger", "bad credentials", {{"error", secrets.error()}});
    return 4;
  }
  link::http_transport_config http;
  http.auth = secrets->mesos;
  http.tls_verify = !s.tls_insecure;
  http.ca_file = s.tls_ca_file;
  auto& token = secrets->api_token;

  // SIGTERM / SIGINT go to the waiting thread below; every thread started
  // from here on inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // -- --dev: the embedded cluster -------------------------------------------
  std::unique_ptr<dev_cluster> dev;
  std::filesystem::path dev_root;
  if (s.dev) {
    auto pattern =
      (std::filesystem::temp_directory_path() / "outrigger-dev-XXXXXX")
        .string();
    if (!mkdtemp(pattern.data())) {
      log::error("outrigger", "cannot create a temporary directory");
      return 1;
    }
    dev_root = pattern;
    if (s.data_dir.empty() || s.data_dir == serve_settings{}.data_dir)
      s.data_dir = (dev_root / "data").string();
    try {
      dev = std::make_unique<dev_cluster>(dev_root, s.dev_agents);
    } catch (const std::exception& e) {
      log::error("outrigger", "cannot start the --dev cluster",
                 {{"error", e.what()}});
      return 1;
    }
    s.master = dev->master_url();
    std::printf("outrigger: --dev: simulated master on %s, %zu exec agent(s) "
                "with %s\n",
                s.master.c_str(), s.dev_agents, dev->agent_resources().c_str());
  }
  auto cleanup_dev = [&] {
    dev.reset();
    if (!dev_root.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dev_root, ignored);
    }
  };

  // -- the state store
  // ----------------------------------------------------------
  store::recovered_state recovered;
  std::unique_ptr<store::journal> journal;
  try {
    std::filesystem::create_directories(s.data_dir);
    store::journal_options jo;
    jo.fsync = s.fsync;
    journal = store::journal::open(s.data_dir, recovered, jo);
  } catch (const std::exception& e) {
    log::error("outrigger", "cannot open the data directory",
               {{"error", e.what()}});
    cleanup_dev();
    return 1;
  }
  auto& rep = recovered.report;
  if (rep.dropped_bytes > 0)
    log::warn("outrigger", "dropped a torn journal tail",
              {{"bytes", rep.dropped_bytes}, {"reason", rep.dropped_reason}});

  // -- actors -----------------------------------------------------------------
  caf::actor_system_config cfg;
  add_error_category(cfg);
  int status = 0;
  {
    caf::actor_system sys{cfg};
    auto started = scheduling::spawn_task_book(sys, book_config(s),
                                               std::move(journal), recovered);
    if (!started) {
      log::error("outrigger", "cannot recover", {{"error", started.error()}});
      cleanup_dev();
      return 1;
    }
    auto book = started->actor;
    log::info("outrigger", "recovered",
              {{"data_dir", s.data_dir},
               {"tasks", started->recovery.tasks},
               {"results", started->recovery.results},
               {"records", started->recovery.records}});
    auto matcher =
      scheduling::spawn_offer_matcher(sys, matcher_config(s), book);
    caf::anon_send(book, atom::connect_v, notice_sink_actor{matcher});

    boost::asio::io_context ioc;
    auto guard = boost::asio::make_work_guard(ioc);
    std::thread io_thread{[&] { ioc.run(); }};
    auto stop_io = [&] {
      guard.reset();
      ioc.stop();
      if (io_thread.joinable())
        io_thread.join();
    };

    auto lc = link_config_of(s, *secrets);
    leader_source_actor leaders;
    zk_detector_actor detector;
    auto addrs = link::parse_master_addresses(s.master, s.https);
    if (addrs && addrs->zk) {
      zk::zk_config zc;
      zc.hosts = addrs->zk->hosts;
      zc.path = addrs->zk->path;
      zc.tls = s.https;
      if (!s.zk_credentials_file.empty()) {
        auto c = load_credentials_file(s.zk_credentials_file);
        if (!c) {
          log::error("outrigger", "bad ZooKeeper credentials",
                     {{"error", c.error()}});
          stop_io();
          cleanup_dev();
          return 4;
        }
        zc.digest = *c;
      }
      detector = zk::spawn_zk_detector(sys, zc);
      leaders = detector;
    }
    auto factory = link::make_http_transport(ioc, http);
    if (!factory) {
      log::error("outrigger", "bad TLS settings", {{"error", factory.error()}});
      stop_io();
      cleanup_dev();
      return 4;
    }
    auto updates = event_bit(protocol::event_type::update);
    auto offers = event_bit(protocol::event_type::offers) |
                  event_bit(protocol::event_type::rescind);
    auto link = link::spawn_master_link(
      sys, lc, framework_id_store_actor{book}, *factory, leaders,
      {{link_listener_actor{book}, updates},
       {link_listener_actor{matcher}, offers}});
    if (!link) {
      log::error("outrigger", "invalid configuration",
                 {{"error", link.error()}});
      stop_io();
      cleanup_dev();
      return exit_status(link.error());
    }
    caf::anon_send(book, atom::connect_v, *link);
    caf::anon_send(matcher, atom::connect_v, *link);

    auto metrics = std::make_shared<service_metrics>(version);
    spawn_metrics_poller(sys, *link, book, matcher, metrics, s.max_reconnect);

    // -- the API --------------------------------------------------------------
    auto accepting = std::make_shared<std::atomic<bool>>(true);
    auto ctx = std::make_shared<api_context>();
    ctx->sys = &sys;
    ctx->book = book;
    ctx->matcher = matcher;
    ctx->link = *link;
    ctx->metrics = metrics;
    ctx->reconnect_budget = s.max_reconnect;
    ctx->token = token;
    ctx->protect_reads = s.protect_reads;
    ctx->accepting = accepting;
    http_server_options ho;
    auto colon = s.listen.rfind(':');
    ho.address = s.listen.substr(0, colon);
    if (ho.address.size() > 2 && ho.address.front() == '[')
      ho.address = ho.address.substr(1, ho.address.size() - 2);
    try {
      ho.port =
        static_cast<std::uint16_t>(std::stoul(s.listen.substr(colon + 1)));
    } catch (const std::exception&) {
      log::error("outrigger", "invalid configuration",
                 {{"error", "--listen: bad port in \"" + s.listen + "\""}});
      caf::anon_send_exit(*link, caf::exit_reason::user_shutdown);
      stop_io();
      cleanup_dev();
      return 4;
    }
    ho.max_body = s.max_body_bytes;
    ho.max_connections = s.max_connections;
    ho.max_requests_per_second = s.max_requests_per_second;
    ho.on_response = [metrics](const std::string& path, unsigned code) {
      metrics->count_request(route_of(path), code);
    };
    http_server server{ioc, ho, make_api_handler(ctx)};
    std::uint16_t port = 0;
    try {
      port = server.start();
    } catch (const std::exception& e) {
      log::error("outrigger", "cannot serve the API", {{"error", e.what()}});
      caf::anon_send_exit(*link, caf::exit_reason::user_shutdown);
      stop_io();
      cleanup_dev();
      return 1;
    }
    std::printf("outrigger: API listening on http://%s:%u\n",
                ho.address.c_str(), static_cast<unsigned>(port));
    std::fflush(stdout);
    log::info("outrigger", "started",
              {{"version", version},
               {"master", s.master},
               {"api", ho.address + ":" + std::to_string(port)}});

    // -- wait for a signal or the link's end
    // ------------------------------------
    caf::scoped_actor self{sys};
    self->monitor(*link);
    auto waiter = caf::actor_cast<caf::actor>(self);
    std::thread signal_thread{[stop_signals, waiter]() mutable {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      caf::anon_send(waiter, atom::disconnect_v, sig);
    }};
    bool link_gone = false;
    self->receive(
      [&](caf::down_msg& d) {
        link_gone = true;
        status = exit_status(d.reason);
        if (status != 0)
          log::error("outrigger", "stopping: the master link ended",
                     {{"reason", d.reason}});
      },
      [&](atom::disconnect, int sig) {
        log::info("outrigger", "stopping",
                  {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
      });
    // A watchdog bounds the shutdown.
    auto deadline = secs(s.shutdown_timeout);
    std::thread watchdog{[deadline] {
      std::this_thread::sleep_for(deadline);
      log::error("outrigger", "shutdown took too long; exiting");
      std::_Exit(1);
    }};
    watchdog.detach();
    accepting->store(false);
    server.stop_accepting();
    if (!link_gone) {
      // Close the stream without TEARDOWN: the framework stays registered
      // and its tasks keep running until the next start.
      caf::anon_send(*link, atom::disconnect_v);
      self->receive(
        [&](caf::down_msg&) {},
        caf::after(deadline / 2) >>
          [&] { caf::anon_send_exit(*link, caf::exit_reason::user_shutdown); });
    } else {
      // Wake the signal thread so it can be joined.
    }
    // Everything appended is committed before the book stops: this request
    // queues behind any scheduled commit.
    self->request(book, deadline / 2, atom::framework_v)
      .receive([](api_reply&) {}, [](caf::error&) {});
    server.close();
    caf::anon_send_exit(matcher, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(book, caf::exit_reason::user_shutdown);
    if (detector)
      caf::anon_send_exit(detector, caf::exit_reason::user_shutdown);
    if (link_gone)
      pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    stop_io();
  }
  cleanup_dev();
  log::info("outrigger", "stopped", {{"status", status}});
  return status;
}

} // namespace outrigger::app
