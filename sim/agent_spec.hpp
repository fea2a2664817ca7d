#pragma once
// What a simulated agent looks like, in the syntax of the mesos-agent flags:
// --resources="cpus:2;mem:2048;disk:4096;ports:[31000-31099,32000-32099]"
// and --attributes="rack:r1;zone:a".

#include "protocol/resource.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace outrigger::sim {

class task_runtime;

/// One agent to add to the simulated cluster.
struct agent_spec {
  std::string hostname = "localhost";
  std::string ip = "127.0.0.1";
  std::uint16_t port = 5051;
  /// --resources syntax: `name[(role)]:value` separated by ';'; a value is a
  /// scalar (`2`, `0.5`), ranges (`[31000-31099,32000-32099]`) or a set
  /// (`{a,b}`). `cpus(analytics):1` is statically reserved for role
  /// analytics. Missing cpus/mem/disk/ports get the agent defaults.
  std::string resources = "cpus:2;mem:2048;disk:4096;ports:[31000-32000]";
  /// --attributes syntax: `name:value` separated by ';'.
  std::string attributes;
  /// Runs the agent's tasks; nullptr: the master's built-in synthetic
  /// runtime. Not owned; must outlive the master.
  task_runtime* runtime = nullptr;
};

/// A parse result: the value, or a non-empty error.
template <class T>
struct parse_outcome {
  T value{};
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

/// Parses --resources like Resources::fromSimpleString
/// (src/common/resources.cpp:775-822) plus the defaults the agent adds for
/// missing cpus (1), mem (1024), disk (10240) and ports ([31000-32000])
/// (src/slave/containerizer/containerizer.cpp, DEFAULT_* of
/// src/slave/constants.hpp; the real agent probes the machine for the
/// first three). Every resource carries the deprecated `role` ("*" when
/// unreserved).
parse_outcome<std::vector<protocol::Resource>>
parse_agent_resources(const std::string& text);

/// Parses --attributes like Attributes::parse (src/common/attributes.cpp):
/// spaces are removed, `[..]` is RANGES, a non-negative finite number is
/// SCALAR, anything else is TEXT ("-1" and "r1" are TEXT); a set `{..}` is
/// an error (the agent aborts on it).
parse_outcome<std::vector<protocol::Attribute>>
parse_agent_attributes(const std::string& text);

} // namespace outrigger::sim
