#pragma once
// The resources of this machine as a Mesos agent counts them when started
// without --resources (Containerizer::resources, src/slave/containerizer/
// containerizer.cpp:105-195): every CPU, the memory less 1 GB (half of it
// below 2 GB), the disk of the work directory less 5 GB (half below 10 GB),
// and the default ports [31000-32000]. Used by outrigger-sim to size exec
// agents.

#include <filesystem>
#include <string>

namespace outrigger::sim {

/// "cpus:N;mem:M;disk:D;ports:[31000-32000]" for this machine, with the disk
/// of the filesystem holding `work_dir` (its nearest existing ancestor).
std::string machine_resources(const std::filesystem::path& work_dir);

} // namespace outrigger::sim
