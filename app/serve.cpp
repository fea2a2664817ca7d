#include "app/serve.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/http_transport.hpp"
#include "actors/master_link/master_link.hpp"
#include "actors/offer_matcher/offer_matcher_actor.hpp"
#include "actors/task_book/task_book_actor.hpp"
#include "actors/zk_detector/zk_detector.hpp"
#include "app/api.hpp"
#include "app/dev_cluster.hpp"
#include "app/http_server.hpp"
#include "app/metrics.hpp"
#include "app/rate_history.hpp"
#include "app/replica_router.hpp"
#include "app/sandbox_reader.hpp"
#include "app/service_config.hpp"
#include "app/task_logs.hpp"
#include "scheduling/store/journal.hpp"
#include "scheduling/store/zk_store.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <string_view>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

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
                          std::shared_ptr<rate_history> stats,
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
          .then(
            [=](const book_metrics& m) {
              metrics->update(m);
              std::vector<std::pair<std::string, std::uint64_t>> results;
              for (auto& [key, n] : m.results)
                results.emplace_back(key.first, n);
              stats->record(rate_history::clock::now(),
                            totals_of(m.launches, results),
                            m.oldest_queued_seconds);
            },
            [](caf::error&) {});
        self->request(matcher, 5s, atom::metrics_v)
          .then([=](const matcher_metrics& m) { metrics->update(m); },
                [](caf::error&) {});
        self->delayed_send(self, 1s, atom::tick_v, std::uint64_t{0});
      },
    };
  });
}

/// The --dev cluster and its temporary directory, both gone on scope exit.
struct dev_environment {
  std::unique_ptr<dev_cluster> cluster;
  std::filesystem::path root;
  ~dev_environment() {
    cluster.reset(); // kills its tasks before their sandboxes go
    std::error_code ignored;
    if (!root.empty())
      std::filesystem::remove_all(root, ignored);
  }
};

/// An io_context run by its own thread until scope exit (the link's
/// transport and the API server live on it).
struct io_runner {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
    guard = boost::asio::make_work_guard(ioc);
  std::thread thread{[this] { ioc.run(); }};
  ~io_runner() {
    guard.reset();
    ioc.stop();
    thread.join();
  }
};

/// Stops the actors added to it on scope exit, newest first, and waits for
/// them (bounded): the actor system waits for every actor before it ends,
/// so an early return must not leave one running.
struct actor_stopper {
  caf::actor_system& sys;
  std::vector<caf::actor> actors;
  template <class Handle>
  void add(const Handle& h) {
    actors.push_back(caf::actor_cast<caf::actor>(h));
  }
  ~actor_stopper() {
    caf::scoped_actor self{sys};
    for (auto i = actors.rbegin(); i != actors.rend(); ++i) {
      self->monitor(*i);
      caf::anon_send_exit(*i, caf::exit_reason::user_shutdown);
    }
    for (std::size_t n = 0; n < actors.size(); ++n)
      self->receive([](caf::down_msg&) {},
                    caf::after(std::chrono::seconds{5}) >> [] {});
  }
};

/// SIGHUP: re-reads the API's tokens and TLS files; what cannot be read is
/// logged and the old ones stay (the scheduler goes on either way).
void reload(const token_sources& sources, token_registry& tokens,
            http_server& server) {
  std::string error;
  if (auto next = load_tokens(sources, error)) {
    auto n = next->size();
    tokens.replace(std::move(*next));
    log::info("outrigger", "SIGHUP: API tokens reloaded", {{"count", n}});
  } else {
    log::error("outrigger", "SIGHUP: API tokens not reloaded, kept the old",
               {{"error", error}});
  }
  if (auto problem = server.reload_tls(); !problem.empty())
    log::error("outrigger", "SIGHUP: TLS files not reloaded, kept the old",
               {{"error", problem}});
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
  // -- no open API off loopback: a scheduler runs arbitrary commands --------
  auto [listen_host, listen_port] = *listen_endpoint(s.listen); // validated
  if (secrets->api_tokens.empty() && !is_loopback(listen_host) &&
      !s.allow_unauthenticated) {
    log::error(
      "outrigger", "refusing to serve an open API",
      {{"error", "--listen " + s.listen +
                   " is not a loopback address and no API token is "
                   "configured: anyone who reaches it could run commands "
                   "on the cluster. Give --api-token-file (one admin "
                   "token) or --api-tokens-file (named, scoped tokens), "
                   "or --allow-unauthenticated to accept the risk"}});
    return 4;
  }
  if (secrets->api_tokens.empty() && s.allow_unauthenticated)
    log::warn("outrigger",
              "--allow-unauthenticated: the API on " + s.listen +
                " accepts every request without a token; anyone who reaches "
                "it can run commands on the cluster");
  link::http_transport_config http;
  http.auth = secrets->mesos;
  http.tls_verify = !s.tls_insecure;
  http.ca_file = s.tls_ca_file;

  // SIGTERM / SIGINT go to the waiting thread below; every thread started
  // from here on inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP); // reload tokens and the TLS files
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // -- --dev: the embedded cluster -------------------------------------------
  dev_environment dev;
  if (s.dev) {
    auto pattern =
      (std::filesystem::temp_directory_path() / "outrigger-dev-XXXXXX")
        .string();
    if (!mkdtemp(pattern.data())) {
      log::error("outrigger", "cannot create a temporary directory");
      return 1;
    }
    dev.root = pattern;
    if (s.data_dir.empty() || s.data_dir == serve_settings{}.data_dir)
      s.data_dir = (dev.root / "data").string();
    try {
      dev.cluster = std::make_unique<dev_cluster>(dev.root, s.dev_agents);
    } catch (const std::exception& e) {
      log::error("outrigger", "cannot start the --dev cluster",
                 {{"error", e.what()}});
      return 1;
    }
    s.master = dev.cluster->master_url();
    std::printf("outrigger: --dev: simulated master on %s, %zu exec agent(s) "
                "with %s\n",
                s.master.c_str(), s.dev_agents,
                dev.cluster->agent_resources().c_str());
  }

  // -- --ha: the election and the state in ZooKeeper ------------------------
  auto ha = ha_config_of(s, *secrets, version);
  if (!s.ha.empty() && !ha) {
    log::error("outrigger", "invalid configuration",
               {{"error", "--ha: expected zk://host:port[,host:port]/path, "
                          "got \"" +
                            s.ha + "\""}});
    return 4;
  }

  // -- actors -----------------------------------------------------------------
  caf::actor_system_config cfg;
  add_error_category(cfg);
  // Work sharing: idle workers block on a condition variable. CAF's default
  // (work stealing) polls, which costs a few percent of a core while
  // nothing happens; our few actors gain nothing from stealing.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  int status = 0;
  {
    caf::actor_system sys{cfg};
    // The link's transport and the API server run here. It must end before
    // the actor system: the API's sessions hold actor handles, and the
    // system waits for the task book's thread until the last handle is gone.
    // It ends after the stopper (below) has stopped the actors.
    io_runner io;
    auto factory = link::make_http_transport(io.ioc, http);
    if (!factory) {
      log::error("outrigger", "bad TLS settings", {{"error", factory.error()}});
      return 4;
    }
    auto metrics = std::make_shared<service_metrics>(version);

    // -- the API: served from the start; a standby forwards to the leader ---
    forward_options fo;
    fo.self_url = s.advertise_url;
    fo.tls.ca_file = s.tls_ca_file;
    fo.tls.insecure = s.tls_insecure;
    auto router = std::make_shared<replica_router>(ha.has_value(), fo, metrics);
    auto accepting = std::make_shared<std::atomic<bool>>(true);
    auto tokens =
      std::make_shared<token_registry>(std::move(secrets->api_tokens));
    http_server_options ho;
    ho.address = listen_host;
    ho.port = listen_port;
    if (!s.tls_cert.empty())
      ho.tls = http_tls_files{s.tls_cert, s.tls_key, s.tls_client_ca};
    ho.max_body = s.max_body_bytes;
    ho.max_connections = s.max_connections;
    ho.max_requests_per_second = s.max_requests_per_second;
    ho.on_response = [metrics](const std::string& path, unsigned code) {
      metrics->count_request(route_of(path), code);
    };
    http_server server{io.ioc, ho, router->handler()};
    std::uint16_t port = 0;
    // Binds the API; false (with `status` set) when it cannot.
    auto start_api = [&] {
      try {
        port = server.start();
      } catch (const std::exception& e) {
        log::error("outrigger", "cannot serve the API", {{"error", e.what()}});
        // Unusable TLS files are configuration (4); a busy port is not.
        status = std::string_view{e.what()}.starts_with("--tls") ? 4 : 1;
        return false;
      }
      std::printf("outrigger: API listening on %s://%s:%u\n",
                  ho.tls ? "https" : "http", ho.address.c_str(),
                  static_cast<unsigned>(port));
      std::fflush(stdout);
      return true;
    };
    // With --ha the API serves from the start (a standby forwards); without,
    // once the scheduler runs: "API listening" then means ready for work.
    if (ha && !start_api())
      return status;

    // -- signals go to this thread's actor ------------------------------------
    caf::scoped_actor self{sys};
    auto waiter = caf::actor_cast<caf::actor>(self);
    auto sources = token_sources_of(s);
    std::thread signal_thread{[&, stop_signals, waiter]() mutable {
      int sig = 0;
      while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP)
        reload(sources, *tokens, server);
      caf::anon_send(waiter, atom::disconnect_v, sig);
    }};
    bool signalled = false;
    auto stop_on_signal = [&](atom::disconnect, int sig) {
      signalled = true;
      log::info("outrigger", "stopping",
                {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    };
    // Ends the signal thread however the service stops.
    auto end_signal_thread = [&] {
      if (!signalled)
        pthread_kill(signal_thread.native_handle(), SIGTERM);
      signal_thread.join();
    };

    // -- --ha: stand by until elected -----------------------------------------
    // Declared before the actors: on the way out the member node goes only
    // once the scheduler has stopped, so that the next leader starts after.
    std::unique_ptr<leader_election> election;
    if (ha) {
      metrics->set_leader(false);
      router->set_role(replica_role::joining);
      leader_election::callbacks cb;
      cb.elected = [waiter] { caf::anon_send(waiter, atom::connect_v); };
      cb.lost = [](const std::string& why) {
        // Fencing: stop at once, before another replica can be elected;
        // the supervisor restarts this one as a standby. The state store's
        // owner check fails any write already on its way.
        log::error("outrigger",
                   "stepping down: leadership may be lost; "
                   "exiting so that this replica restarts as a "
                   "standby (status 6)",
                   {{"reason", why}});
        std::fflush(stderr);
        std::_Exit(6);
      };
      cb.leader = [router, self_url = s.advertise_url](const std::string& u) {
        router->set_leader(u);
        if (u.empty())
          router->set_role(replica_role::joining);
        else if (u != self_url)
          router->set_role(replica_role::standby);
      };
      auto eo = ha->election;
      election = std::make_unique<leader_election>(eo, std::move(cb));
      log::info("outrigger", "standing by for election",
                {{"ha", s.ha}, {"advertise_url", s.advertise_url}});
      bool elected = false;
      self->receive([&](atom::connect) { elected = true; }, stop_on_signal);
      if (!elected) {
        server.close();
        end_signal_thread();
        election.reset();
        log::info("outrigger", "stopped", {{"status", 0}});
        return 0;
      }
      router->set_role(replica_role::leader);
      metrics->set_leader(true);
    }

    // -- the state store ------------------------------------------------------
    store::recovered_state recovered;
    std::unique_ptr<store::state_store> state;
    std::string state_at = s.data_dir;
    try {
      if (ha) {
        state = store::zk_store::open(ha->store, recovered);
        state_at = s.ha;
      } else {
        store::journal_options jo; // creates the directory (0700)
        jo.fsync = s.fsync;
        state = store::journal::open(s.data_dir, recovered, jo);
      }
    } catch (const std::exception& e) {
      log::error("outrigger",
                 ha ? "cannot open the state in ZooKeeper"
                    : "cannot open the data directory",
                 {{"error", e.what()}});
      server.close();
      end_signal_thread();
      return 1;
    }
    auto& rep = recovered.report;
    if (rep.dropped_bytes > 0)
      log::warn("outrigger", "dropped a torn journal tail",
                {{"bytes", rep.dropped_bytes}, {"reason", rep.dropped_reason}});

    actor_stopper stopper{sys, {}};
    auto started = scheduling::spawn_task_book(sys, book_config(s),
                                               std::move(state), recovered);
    if (!started) {
      log::error("outrigger", "cannot recover", {{"error", started.error()}});
      server.close();
      end_signal_thread();
      return 1;
    }
    auto book = started->actor;
    stopper.add(book);
    log::info("outrigger", "recovered",
              {{"state", state_at},
               {"tasks", started->recovery.tasks},
               {"results", started->recovery.results},
               {"records", started->recovery.records}});
    auto matcher =
      scheduling::spawn_offer_matcher(sys, matcher_config(s), book);
    stopper.add(matcher);
    caf::anon_send(book, atom::connect_v, notice_sink_actor{matcher});

    leader_source_actor leaders;
    if (auto zc = zk_config_of(s, *secrets)) {
      auto detector = zk::spawn_zk_detector(sys, *zc);
      stopper.add(detector);
      leaders = detector;
    }
    auto updates = event_bit(protocol::event_type::update);
    auto offers = event_bit(protocol::event_type::offers) |
                  event_bit(protocol::event_type::rescind);
    auto link =
      link::spawn_master_link(sys, link_config_of(s, *secrets),
                              framework_id_store_actor{book}, *factory, leaders,
                              {{link_listener_actor{book}, updates},
                               {link_listener_actor{matcher}, offers}});
    if (!link) {
      log::error("outrigger", "invalid configuration",
                 {{"error", link.error()}});
      server.close();
      end_signal_thread();
      return exit_status(link.error());
    }
    stopper.add(*link);
    caf::anon_send(book, atom::connect_v, *link);
    caf::anon_send(matcher, atom::connect_v, *link);

    auto stats = std::make_shared<rate_history>(rate_history::clock::now());
    spawn_metrics_poller(sys, *link, book, matcher, metrics, stats,
                         s.max_reconnect);

    // -- task output: agents' sandboxes, with the master's credentials and
    // TLS settings ------------------------------------------------------------
    sandbox_reader_config rc;
    rc.auth = secrets->mesos;
    rc.tls_verify = !s.tls_insecure;
    rc.ca_file = s.tls_ca_file;
    std::shared_ptr<sandbox_reader> sandboxes;
    try {
      sandboxes = std::make_shared<sandbox_reader>(io.ioc, rc);
    } catch (const std::exception& e) {
      log::error("outrigger", "bad TLS settings", {{"error", e.what()}});
      server.close();
      end_signal_thread();
      return 4;
    }
    auto tails =
      spawn_tail_fetcher(sys, sandboxes, metrics, s.result_stderr_tail_bytes);
    stopper.add(tails);
    caf::anon_send(book, atom::connect_v, tails);

    // -- the API answers from here on -----------------------------------------
    auto ctx = std::make_shared<api_context>();
    ctx->sys = &sys;
    ctx->book = book;
    ctx->matcher = matcher;
    ctx->link = *link;
    ctx->metrics = metrics;
    ctx->tokens = tokens;
    ctx->stats = stats;
    ctx->protect_reads = s.protect_reads;
    ctx->allow_unauthenticated = s.allow_unauthenticated;
    ctx->tls = ho.tls.has_value();
    ctx->mutual_tls = !s.tls_client_ca.empty();
    try {
      ctx->audit = std::make_shared<audit_log>(s.audit_log);
    } catch (const std::exception& e) {
      log::error("outrigger", "cannot open the audit log",
                 {{"error", e.what()}});
      server.close();
      end_signal_thread();
      return 4;
    }
    ctx->accepting = accepting;
    ctx->sandboxes = sandboxes;
    ctx->replica = router;
    router->serve_locally(make_api_handler(ctx));
    if (!ha && !start_api()) {
      end_signal_thread();
      return status;
    }
    log::info("outrigger", "started",
              {{"version", version},
               {"master", s.master},
               {"api", ho.address + ":" + std::to_string(port)}});

    // -- wait for a signal or the link's end ----------------------------------
    self->monitor(*link);
    bool link_gone = false;
    if (!signalled)
      self->receive(
        [&](caf::down_msg& d) {
          link_gone = true;
          status = exit_status(d.reason);
          // With --ha, another replica subscribing with our framework id is
          // a takeover, not a conflict: restart as a standby.
          if (ha && d.reason.category() == caf::atom("outrigger") &&
              d.reason.code() ==
                static_cast<std::uint8_t>(ec::framework_failed_over)) {
            status = 6;
            log::error("outrigger",
                       "stepping down: another replica leads (status 6)");
          } else if (status != 0)
            log::error("outrigger", "stopping: the master link ended",
                       {{"reason", d.reason}});
        },
        stop_on_signal);
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
    }
    // Everything appended is committed before the book stops: this request
    // queues behind any scheduled commit. The stopper then ends the actors.
    self->request(book, deadline / 2, atom::framework_v)
      .receive([](api_reply&) {}, [](caf::error&) {});
    server.close();
    end_signal_thread();
  }
  log::info("outrigger", "stopped", {{"status", status}});
  return status;
}

} // namespace outrigger::app
