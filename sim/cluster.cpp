// sim::cluster: master processes, leadership, and the agents' moves from a
// master that dies to the next leader.

#include "sim/cluster_impl.hpp"

#include <stdexcept>
#include <thread>

namespace outrigger::sim {

std::pair<std::string, std::string> parse_zk_url(std::string_view url) {
  constexpr std::string_view scheme = "zk://";
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("ZooKeeper URL '" + std::string{url} +
                                 "': " + why);
  };
  if (url.substr(0, scheme.size()) != scheme)
    throw bad("expected zk://host:port[,host:port...]/path");
  auto rest = url.substr(scheme.size());
  if (rest.find('@') != std::string_view::npos)
    throw bad("credentials in the URL are not supported");
  auto slash = rest.find('/');
  std::string servers{rest.substr(0, slash)};
  std::string path = slash == std::string_view::npos
                       ? "/mesos"
                       : std::string{rest.substr(slash)};
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  if (path == "/")
    throw bad("the group path must not be the root");
  if (servers.empty())
    throw bad("no server");
  std::size_t from = 0;
  while (from <= servers.size()) {
    auto comma = servers.find(',', from);
    auto one = servers.substr(from, comma - from);
    auto colon = one.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == one.size() ||
        one.find_first_not_of("0123456789", colon + 1) != std::string::npos)
      throw bad("'" + one + "' is not host:port");
    if (comma == std::string::npos)
      break;
    from = comma + 1;
  }
  return {servers, path};
}

// -- impl: routing
// ------------------------------------------------------------------

handler_reply cluster::impl::forwarder::handle(const http_request& request) {
  if (target != nullptr) {
    auto reply = target->handle(request);
    if (observe)
      observe(request, reply);
    return reply;
  }
  handler_reply r; // unreachable: a dead master's server is gone
  r.response.status = 503;
  return r;
}

std::vector<stream_output> cluster::impl::forwarder::take_output() {
  return target != nullptr ? target->take_output()
                           : std::vector<stream_output>{};
}

void cluster::impl::forwarder::stream_closed(stream_id id) {
  if (target != nullptr)
    target->stream_closed(id);
}

void cluster::impl::forwarder::advance(sim_time now) {
  if (target != nullptr)
    target->advance(now);
}

std::optional<sim_time> cluster::impl::forwarder::next_deadline() const {
  return target != nullptr ? target->next_deadline() : std::nullopt;
}

void cluster::impl::router::on_task_state(
  const protocol::AgentID& agent, const protocol::FrameworkID& framework,
  const protocol::TaskID& task, protocol::task_state state, std::string message,
  std::optional<protocol::status_reason> reason) {
  if (!owner->host_) {
    owner->transit_.listener().on_task_state(agent, framework, task, state,
                                             std::move(message), reason);
    return;
  }
  auto& s = *owner->slots_[*owner->host_];
  s.m->on_task_state(agent, framework, task, state, std::move(message), reason);
  s.srv->poke();
}

// -- impl: lifecycle
// ------------------------------------------------------------------

cluster::impl::impl(cluster& owner, io_thread& io, cluster_options options)
  : owner_(owner), io_(io), options_(std::move(options)),
    synthetic_(options_.master.synthetic, &router_) {
  if (options_.masters == 0)
    throw std::invalid_argument("a cluster needs at least one master");
  if (options_.zk)
    std::tie(zk_servers_, zk_path_) = parse_zk_url(*options_.zk);
  router_.owner = this;
}

cluster::impl::~impl() = default;

void cluster::impl::start() {
  for (std::size_t i = 0; i < options_.masters; ++i) {
    slots_.push_back(std::make_unique<slot>());
    slots_.back()->port = i < options_.ports.size() ? options_.ports[i] : 0;
    if (options_.log_requests)
      slots_.back()->endpoint.observe = [this, i](const http_request& request,
                                                  const handler_reply& reply) {
        log("master " + std::to_string(i + 1) + ": " + request.method + " " +
            request.target + " " + std::to_string(reply.response.status));
      };
  }
  for (std::size_t i = 0; i < slots_.size(); ++i)
    start_master(i);
  if (options_.admin_port) {
    admin_ = make_admin_endpoint(owner_);
    auto so = options_.server;
    so.address = options_.address;
    so.port = *options_.admin_port;
    so.log = options_.log;
    admin_server_ = std::make_unique<server>(io_.context(), *admin_, so);
    admin_server_->start();
  }
}

void cluster::impl::shutdown() {
  admin_server_.reset();
  admin_.reset();
  agent_servers_.clear();
  for (auto& s : slots_)
    s->zk.reset(); // sessions closed: the nodes go at once
  for (auto& s : slots_) {
    s->srv.reset();
    s->endpoint.target = nullptr;
  }
  exec_.reset(); // SIGKILL to every task, no reports
  for (auto& s : slots_) {
    if (s->m)
      s->m->detach(synthetic_);
    s->m.reset();
  }
  host_.reset();
}

cluster::impl::slot& cluster::impl::at(std::size_t i) {
  if (i >= slots_.size())
    throw std::out_of_range("no master " + std::to_string(i + 1) +
                            " (there are " + std::to_string(slots_.size()) +
                            ")");
  return *slots_[i];
}

const cluster::impl::slot& cluster::impl::at(std::size_t i) const {
  return const_cast<impl*>(this)->at(i);
}

master_config cluster::impl::config_for(std::size_t i, std::uint16_t port) {
  auto c = options_.master;
  c.ip = options_.address;
  c.hostname = options_.hostname;
  c.port = port;
  // A configured id names the first master's first incarnation only; every
  // other start is a new master with a new id from its own seed.
  if (i != 0 || starts_ != 0)
    c.master_id.clear();
  c.seed = options_.master.seed + 1000003 * starts_;
  return c;
}

void cluster::impl::start_master(std::size_t i) {
  auto& s = at(i);
  if (s.m)
    return;
  auto so = options_.server;
  so.address = options_.address;
  so.port = s.port; // 0 the first time: ephemeral, then kept
  so.log = options_.log;
  auto srv = std::make_unique<server>(io_.context(), s.endpoint, so);
  s.port = srv->start();
  srv->set_response_delay(delay_);
  s.m = std::make_unique<master>(config_for(i, s.port));
  ++starts_;
  ++s.incarnation;
  s.sequence = next_sequence_++;
  s.endpoint.target = s.m.get();
  s.srv = std::move(srv);
  log("master " + std::to_string(i + 1) + " (" + s.m->info().id +
      ") started on " + url(i));
  if (options_.zk) {
    s.m->set_no_leader(); // until ZooKeeper says who leads
    zk_contender_options zo;
    zo.servers = zk_servers_;
    zo.path = zk_path_;
    zo.session_timeout = options_.zk_session_timeout;
    auto incarnation = s.incarnation;
    s.zk = std::make_unique<zk_contender>(
      zo, s.m->info(),
      [this](std::function<void()> fn) { io_.post(std::move(fn)); },
      [this, i, incarnation](const std::optional<zk_leader>& leader) {
        on_zk_leader(i, incarnation, leader);
      });
  } else {
    elect_static();
  }
}

void cluster::impl::kill_master(std::size_t i) {
  auto& s = at(i);
  if (!s.m)
    return;
  log("master " + std::to_string(i + 1) + " (" + s.m->info().id + ") killed");
  // A dead process: its connections drop without terminating chunks, and
  // its ZooKeeper session is abandoned, not closed, so its node stays until
  // the server expires the session (design.md §M15: about 10 s on the
  // recorded cluster), as after a SIGKILL.
  if (s.zk)
    s.zk->abandon();
  s.zk.reset();
  s.lagging = false;
  s.deferred.reset();
  s.lag_timer.reset(); // cancels a pending lag
  s.srv->close_all();
  s.srv.reset();
  s.endpoint.target = nullptr;
  if (host_ == i) {
    s.m->detach(synthetic_);
    transit_ = s.m->hand_over_agents(); // the runtimes now report there
    host_.reset();
  }
  s.m.reset();
  if (!options_.zk)
    elect_static();
}

void cluster::impl::elect_static() {
  std::optional<std::size_t> first;
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i]->m &&
        (!first || slots_[i]->sequence < slots_[*first]->sequence))
      first = i;
  if (!first)
    return;
  auto& info = slots_[*first]->m->info();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = *slots_[i];
    if (!s.m)
      continue;
    if (i == *first)
      s.m->set_leader_self();
    else
      s.m->set_leader(info);
    s.srv->poke();
  }
  elected(*first);
}

void cluster::impl::on_zk_leader(std::size_t i, std::uint64_t incarnation,
                                 const std::optional<zk_leader>& leader) {
  auto& s = at(i);
  if (!s.m || s.incarnation != incarnation)
    return; // a report for a master that has died since
  bool was_leading = s.m->elected();
  bool self = leader && leader->self;
  if (s.lagging) {
    s.deferred = leader;
    return;
  }
  if (self && !was_leading && election_lag_.count() > 0) {
    // Its detector's watch fires late: it goes on following the leader it
    // knew (307 to it) until then.
    log("master " + std::to_string(i + 1) + " elected; notices it in " +
        std::to_string(election_lag_.count()) + " ms");
    s.lagging = true;
    s.deferred = leader;
    s.lag_timer = std::make_unique<boost::asio::steady_timer>(io_.context());
    s.lag_timer->expires_after(election_lag_);
    election_lag_ = std::chrono::milliseconds{0};
    s.lag_timer->async_wait([this, i, incarnation](auto ec) {
      if (ec)
        return;
      auto& again = at(i);
      if (!again.m || again.incarnation != incarnation || !again.lagging)
        return;
      again.lagging = false;
      auto report = std::move(*again.deferred);
      again.deferred.reset();
      on_zk_leader(i, incarnation, report);
    });
    return;
  }
  if (self) {
    s.m->set_leader_self();
    if (!was_leading && options_.recovery_time.count() > 0) {
      s.m->advance(sim_clock::now()); // the recovery starts now
      s.m->unavailable_for(options_.recovery_time);
    }
  } else if (leader && leader->info)
    s.m->set_leader(*leader->info);
  else
    s.m->set_no_leader();
  s.srv->poke();
  if (self) {
    elected(i);
  } else if (was_leading) {
    // A Mesos master that loses leadership aborts ("Lost leadership...
    // committing suicide!", src/master/master.cpp:2139-2229) and its
    // supervisor starts it again.
    log("master " + std::to_string(i + 1) + " lost leadership");
    io_.post([this, i, incarnation] {
      auto& again = at(i);
      if (again.m && again.incarnation == incarnation) {
        kill_master(i);
        start_master(i);
      }
    });
  }
}

void cluster::impl::elected(std::size_t i) {
  if (host_ == i)
    return;
  if (host_) {
    // The agents' old master has not noticed yet that it lost leadership;
    // it is about to abort (on_zk_leader): let it now.
    auto old = *host_;
    kill_master(old);
    io_.post([this, old] { start_master(old); });
    if (host_ == i)
      return;
  }
  auto& s = at(i);
  log("master " + std::to_string(i + 1) + " (" + s.m->info().id + ") leads; " +
      std::to_string(transit_.agent_count()) +
      " agents re-register with it; recovering for " +
      std::to_string(options_.recovery_time.count()) + " ms");
  s.m->adopt_agents(std::move(transit_));
  transit_ = agent_handoff{};
  host_ = i;
  s.m->attach(synthetic_);
  while (!waiting_.empty()) {
    auto& [spec, files] = waiting_.front();
    auto id = s.m->add_agent(spec); // validated when queued
    if (files)
      files->set_agent_id(id.value);
    waiting_.pop_front();
  }
  s.srv->poke();
}

} // namespace outrigger::sim
