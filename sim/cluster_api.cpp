// sim::cluster: agents, faults and topology on the io thread, and the
// thread-safe facade over them.

#include "sim/cluster_impl.hpp"

#include <stdexcept>
#include <thread>

namespace outrigger::sim {

// -- impl: agents and faults
// ------------------------------------------------------------

task_runtime& cluster::impl::runtime_for(agent_mode mode) {
  if (mode == agent_mode::synthetic)
    return synthetic_;
  if (!exec_) {
    if (options_.work_dir.empty())
      throw std::invalid_argument(
        "exec agents need a work directory for their sandboxes "
        "(cluster_options::work_dir, --work-dir)");
    exec_options eo;
    eo.work_dir = options_.work_dir;
    exec_ = std::make_unique<exec_runtime>(io_.context(), router_, eo);
  }
  return *exec_;
}

std::vector<protocol::AgentID>
cluster::impl::add_agents(std::size_t count, agent_spec spec, agent_mode mode) {
  auto resources = parse_agent_resources(spec.resources);
  if (!resources.ok())
    throw std::invalid_argument("agent resources '" + spec.resources +
                                "': " + resources.error);
  auto attributes = parse_agent_attributes(spec.attributes);
  if (!attributes.ok())
    throw std::invalid_argument("agent attributes '" + spec.attributes +
                                "': " + attributes.error);
  if (spec.port + count > 65536)
    throw std::invalid_argument("agent ports beyond 65535");
  spec.runtime = &runtime_for(mode);
  std::vector<protocol::AgentID> ids;
  auto base = spec.port;
  for (std::size_t n = 0; n < count; ++n) {
    spec.port = static_cast<std::uint16_t>(base == 0 ? 0 : base + n);
    agent_files* files =
      options_.agent_http ? serve_agent(spec, mode) : nullptr;
    if (host_) {
      ids.push_back(at(*host_).m->add_agent(spec));
      if (files)
        files->set_agent_id(ids.back().value);
    } else {
      waiting_.emplace_back(spec, files); // registers with the first leader
    }
  }
  poke_host();
  return ids;
}

agent_files* cluster::impl::serve_agent(agent_spec& spec, agent_mode mode) {
  agent_files_options fo;
  if (mode == agent_mode::exec)
    fo.work_dir = options_.work_dir;
  else
    fo.synthetic = [this](const std::string& agent,
                          const std::string& framework,
                          const std::string& executor) {
      return synthetic_.sandbox(agent, framework, executor);
    };
  auto files = std::make_unique<agent_files>(std::move(fo));
  auto* endpoint = files.get();
  auto options = options_.server;
  options.address = options_.address;
  options.port = spec.port;
  options.log = options_.log;
  options.tls.reset(); // offers say the agent speaks http (allocator.cpp)
  auto srv = std::make_unique<server>(io_.context(), *endpoint, options);
  try {
    spec.port = srv->start();
  } catch (const std::exception& e) {
    throw std::runtime_error("agent port " + std::to_string(options.port) +
                             ": " + e.what());
  }
  agent_servers_.push_back({std::move(files), std::move(srv)});
  return endpoint;
}

master& cluster::impl::host() {
  if (!host_)
    throw std::runtime_error("no master hosts the agents: no leader yet");
  return *at(*host_).m;
}

master& cluster::impl::leading() {
  auto l = leader();
  if (!l)
    throw std::runtime_error("no master leads");
  return *at(*l).m;
}

void cluster::impl::poke_host() {
  if (host_)
    at(*host_).srv->poke();
  if (auto l = leader())
    at(*l).srv->poke();
}

void cluster::impl::cut_streams() {
  auto l = leader();
  if (!l)
    throw std::runtime_error("no master leads");
  at(*l).srv->cut_streams();
  at(*l).srv->poke();
}

void cluster::impl::set_response_delay(std::chrono::milliseconds delay) {
  delay_ = delay;
  for (auto& s : slots_)
    if (s->srv)
      s->srv->set_response_delay(delay);
}

void cluster::impl::fail_over() {
  auto l = leader();
  if (!l)
    throw std::runtime_error("no master leads: nothing to fail over");
  kill_master(*l);
  start_master(*l);
}

void cluster::impl::with_master(std::size_t i,
                                const std::function<void(master&)>& fn) {
  auto& s = at(i);
  if (!s.m)
    throw std::runtime_error("master " + std::to_string(i + 1) +
                             " is not running");
  fn(*s.m);
  s.srv->poke();
}

// -- impl: topology
// -----------------------------------------------------------------------

std::uint16_t cluster::impl::port(std::size_t i) const {
  return at(i).port;
}

std::string cluster::impl::url(std::size_t i) const {
  auto host = options_.address.find(':') != std::string::npos
                ? "[" + options_.address + "]"
                : options_.address;
  return std::string{options_.server.tls ? "https://" : "http://"} + host +
         ":" + std::to_string(at(i).port);
}

std::optional<std::uint16_t> cluster::impl::admin_port() const {
  if (!admin_server_)
    return std::nullopt;
  return admin_server_->port();
}

bool cluster::impl::alive(std::size_t i) const {
  return at(i).m != nullptr;
}

std::optional<std::size_t> cluster::impl::leader() const {
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i]->m && slots_[i]->m->elected())
      return i;
  return std::nullopt;
}

std::string cluster::impl::master_id(std::size_t i) const {
  auto& s = at(i);
  return s.m ? s.m->info().id : std::string{};
}

void cluster::impl::log(const std::string& line) const {
  if (options_.log)
    options_.log("outrigger-sim: " + line);
}

// -- the facade
// -------------------------------------------------------------------------------

namespace {

// Runs `fn` on the io thread and returns its result.
template <class F>
auto on_io(io_thread& io, F fn) {
  using result = decltype(fn());
  if constexpr (std::is_void_v<result>) {
    io.call(fn);
  } else {
    std::optional<result> out;
    io.call([&] { out.emplace(fn()); });
    return std::move(*out);
  }
}

} // namespace

cluster::cluster(cluster_options options)
  : io_(std::make_unique<io_thread>()),
    impl_(std::make_unique<impl>(*this, *io_, std::move(options))) {
  try {
    io_->call([&] { impl_->start(); });
  } catch (...) {
    io_->call([&] { impl_->shutdown(); });
    io_->stop();
    throw;
  }
}

cluster::~cluster() {
  io_->call([&] { impl_->shutdown(); });
  io_->stop(); // reports still queued are dropped
  impl_.reset();
}

std::size_t cluster::size() const {
  return impl_->size(); // fixed at construction
}

std::uint16_t cluster::port(std::size_t i) const {
  return on_io(*io_, [&] { return impl_->port(i); });
}

std::string cluster::url(std::size_t i) const {
  return on_io(*io_, [&] { return impl_->url(i); });
}

std::optional<std::uint16_t> cluster::admin_port() const {
  return on_io(*io_, [&] { return impl_->admin_port(); });
}

bool cluster::alive(std::size_t i) const {
  return on_io(*io_, [&] { return impl_->alive(i); });
}

std::optional<std::size_t> cluster::leader() const {
  return on_io(*io_, [&] { return impl_->leader(); });
}

std::optional<std::size_t>
cluster::wait_for_leader(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto l = leader())
      return l;
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string cluster::master_id(std::size_t i) const {
  return on_io(*io_, [&] { return impl_->master_id(i); });
}

std::vector<protocol::AgentID>
cluster::add_agents(std::size_t count, agent_spec spec, agent_mode mode) {
  return on_io(*io_, [&] { return impl_->add_agents(count, spec, mode); });
}

void cluster::lose_agent(const protocol::AgentID& id, agent_loss how) {
  on_io(*io_, [&] {
    impl_->host().lose_agent(id, how);
    impl_->poke_host();
  });
}

void cluster::return_agent(const protocol::AgentID& id, bool tasks_lost) {
  on_io(*io_, [&] {
    impl_->host().return_agent(id, tasks_lost);
    impl_->poke_host();
  });
}

void cluster::remove_agent(const protocol::AgentID& id) {
  on_io(*io_, [&] {
    impl_->host().remove_agent(id);
    impl_->poke_host();
  });
}

void cluster::cut_streams() {
  on_io(*io_, [&] { impl_->cut_streams(); });
}

void cluster::pause_heartbeats() {
  on_io(*io_, [&] { impl_->leading().pause_heartbeats(); });
}

void cluster::resume_heartbeats() {
  on_io(*io_, [&] {
    impl_->leading().resume_heartbeats();
    impl_->poke_host();
  });
}

void cluster::set_response_delay(std::chrono::milliseconds delay) {
  on_io(*io_, [&] { impl_->set_response_delay(delay); });
}

void cluster::drop_calls(std::size_t n) {
  on_io(*io_, [&] { impl_->leading().drop_calls(n); });
}

void cluster::unavailable_for(std::chrono::milliseconds how_long) {
  on_io(*io_, [&] { impl_->leading().unavailable_for(how_long); });
}

std::size_t cluster::teardown(const std::string& id) {
  std::size_t n = 0;
  on_io(*io_, [&] {
    n = impl_->leading().teardown(id);
    impl_->poke_host();
  });
  return n;
}

void cluster::set_election_lag(std::chrono::milliseconds lag) {
  on_io(*io_, [&] { impl_->set_election_lag(lag); });
}

void cluster::fail_over() {
  on_io(*io_, [&] { impl_->fail_over(); });
}

void cluster::kill_master(std::size_t i) {
  on_io(*io_, [&] { impl_->kill_master(i); });
}

void cluster::start_master(std::size_t i) {
  on_io(*io_, [&] { impl_->start_master(i); });
}

void cluster::restart_master(std::size_t i) {
  on_io(*io_, [&] {
    impl_->kill_master(i);
    impl_->start_master(i);
  });
}

std::string cluster::status_json() const {
  return on_io(*io_, [&] { return impl_->status_json(); });
}

void cluster::with_master(std::size_t i,
                          const std::function<void(master&)>& fn) {
  on_io(*io_, [&] { impl_->with_master(i, fn); });
}

io_thread& cluster::io() {
  return *io_;
}

} // namespace outrigger::sim
