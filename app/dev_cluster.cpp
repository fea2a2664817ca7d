#include "app/dev_cluster.hpp"

#include "actors/log.hpp"
#include "sim/cluster.hpp"
#include "sim/machine.hpp"

namespace outrigger::app {

struct dev_cluster::impl {
  std::optional<sim::cluster> cluster;
};

dev_cluster::dev_cluster(const std::filesystem::path& work_dir,
                         std::size_t agents)
  : impl_(std::make_unique<impl>()) {
  sim::cluster_options o;
  o.masters = 1;
  o.address = "127.0.0.1";
  o.hostname = "localhost";
  o.ports = {0};
  o.work_dir = work_dir / "agents";
  o.agent_http = true; // `outrigger logs` reads the sandboxes from here
  std::filesystem::create_directories(o.work_dir);
  o.log = [](std::string_view line) { log::debug("dev", line); };
  impl_->cluster.emplace(std::move(o));
  sim::agent_spec spec;
  spec.port = 0; // ephemeral: never collides with a real agent's 5051
  resources_ = sim::machine_resources(work_dir);
  spec.resources = resources_;
  impl_->cluster->add_agents(agents, spec, sim::agent_mode::exec);
}

dev_cluster::~dev_cluster() = default;

std::string dev_cluster::master_url() const {
  return impl_->cluster->url(0);
}

} // namespace outrigger::app
