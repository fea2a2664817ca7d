#pragma once
// The embedded default of `serve --dev`: a simulated Mesos master on
// loopback with exec agents sized to this machine, so real commands run
// with no cluster. The only place app/ touches sim/.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace outrigger::app {

/// A running simulated cluster; stopping it kills its tasks.
class dev_cluster {
public:
  /// Starts one master on an ephemeral 127.0.0.1 port and `agents` exec
  /// agents whose sandboxes live under `work_dir`. Throws on failure.
  dev_cluster(const std::filesystem::path& work_dir, std::size_t agents);
  ~dev_cluster();
  dev_cluster(const dev_cluster&) = delete;
  dev_cluster& operator=(const dev_cluster&) = delete;

  /// "http://127.0.0.1:<port>" of the master.
  std::string master_url() const;

  /// The resources each agent offers ("cpus:2;mem:...").
  const std::string& agent_resources() const { return resources_; }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string resources_;
};

} // namespace outrigger::app
